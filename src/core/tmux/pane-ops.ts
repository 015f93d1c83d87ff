import type { NewWindowOptions, PaneInfo } from "./operations.ts";

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
  /** Pastes text through a one-use buffer, LF kept as LF. */
  paste(paneId: string, text: string): Promise<void>;
  /** Sends named keys such as `Enter` or `C-c`. */
  sendKeys(paneId: string, keys: string[]): Promise<void>;
  /** The pane's visible screen as text. */
  capture(paneId: string, opts?: { history?: boolean }): Promise<string>;
  /** Appends what the pane writes to `file`, through `filter` when given. */
  pipeToFile(paneId: string, file: string, filter?: string[] | null, replace?: boolean): Promise<void>;
  /** Closes the pane's pipe to its log, if one is open. */
  closePipe(paneId: string): Promise<void>;
  listPanes(): Promise<PaneInfo[]>;
}
