import type { NewWindowOptions, PaneInfo } from "./operations.ts";

/**
 * A pane option set in the same tmux command list as the keys that carry it: when tmux has
 * it, those keys reached the pane (tmux runs a list whole). The controller tags a task's
 * submit keys with it, so after a crash it knows whether the task was ever typed.
 */
export interface PaneTag {
  option: string;
  value: string;
}

/**
 * What the controller does to one tmux server's panes. {@link TmuxOps} does it over a
 * control-mode connection; a unit test hands in a plain fake that records keystrokes and
 * answers captures with scripted screens.
 */
export interface PaneOps {
  newWindow(o: NewWindowOptions): Promise<{ paneId: string; windowId: string }>;
  setPaneOption(paneId: string, key: string, value: string): Promise<void>;
  respawnPane(paneId: string, o: Omit<NewWindowOptions, "name">): Promise<void>;
  killWindow(windowOrPaneId: string): Promise<void>;
  /** Types text literally (short single lines) or pastes it. */
  sendText(paneId: string, text: string): Promise<void>;
  /** Pastes text through a one-use buffer, LF kept as LF; `tag` is set with the paste. */
  paste(paneId: string, text: string, tag?: PaneTag): Promise<void>;
  /** Sends named keys such as `Enter` or `C-c`; `tag` is set with them. */
  sendKeys(paneId: string, keys: string[], tag?: PaneTag): Promise<void>;
  /** The pane's visible screen as text. */
  capture(paneId: string, opts?: { history?: boolean }): Promise<string>;
  /** Appends what the pane writes to `file`, through `filter` when given. */
  pipeToFile(paneId: string, file: string, filter?: string[] | null, replace?: boolean): Promise<void>;
  /** Closes the pane's pipe to its log, if one is open. */
  closePipe(paneId: string): Promise<void>;
  listPanes(): Promise<PaneInfo[]>;
}
