import { closeSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { StreamCleaner } from "../domain/clean-stream.ts";
import { StreamMasker } from "../domain/mask/stream-masker.ts";
import { capText, cutNote, HeadTail } from "../domain/output-cap.ts";
import { errorMessage } from "../domain/result.ts";
import { cleanOutput } from "../domain/text.ts";
import { utf8ByteLength } from "../domain/utf8.ts";
import { ensurePrivateDir } from "../store/private-files.ts";
import type { Masking } from "./masking.ts";
import { type OrchPaths, taskOutputPath } from "./paths.ts";

/** Where a task's output goes while it runs, and how it is kept. */
export interface TaskOutputOptions {
  taskId: string;
  /** The stored output's cap in UTF-8 bytes (Infinity: no cap, everything in memory). */
  maxBytes: number;
  /** The file the whole output goes to once it is over the cap (mode 0600). */
  file: string;
  /** Masks text for this task's worker as the store does; null: the worker's output stays raw. */
  mask: ((text: string) => string) | null;
}

/** The cap on stored task output and where the whole of a longer one goes. */
export interface OutputKeeping {
  /** maxOutputBytes: the most of a task's output the store keeps (head and tail). */
  maxBytes: number;
  /** The file that holds a task's whole output once it is over the cap. */
  file(taskId: string): string;
  /** Masks a worker's text as the store does; null: that worker's output stays raw. */
  mask(worker: string): ((text: string) => string) | null;
}

/** The controller's output keeping: the cap, the files under `outputsDir`, the store's masking. */
export function outputKeeping(
  maxBytes: number,
  paths: Pick<OrchPaths, "outputsDir">,
  masking: Masking,
): OutputKeeping {
  return {
    maxBytes,
    file: (id) => taskOutputPath(paths, id),
    // masked as the store masks, for every worker whose output is masked (its log filtered)
    mask: (w) => (masking.logFilter(w) ? (t) => masking.text(w, t) : null),
  };
}

/** A task's output gatherer as `keeping` asks (none: no cap, all in memory). */
export function newTaskOutput(
  keeping: OutputKeeping | undefined,
  taskId: string,
  worker: string,
): TaskOutput {
  return keeping
    ? new TaskOutput({
        taskId,
        maxBytes: keeping.maxBytes,
        file: keeping.file(taskId),
        mask: keeping.mask(worker),
      })
    : new TaskOutput({ taskId, maxBytes: Number.POSITIVE_INFINITY, file: "", mask: null });
}

/**
 * A text already whole in memory (a plugin's result, an interactive turn's answer) kept as a
 * task output is: itself within the cap, else capped and the whole of it (masked) in the file.
 */
export function keepText(
  keeping: OutputKeeping | undefined,
  taskId: string,
  worker: string,
  text: string,
): KeptOutput {
  if (!keeping || utf8ByteLength(text) <= keeping.maxBytes) return { text, fullBytes: null };
  const file = keeping.file(taskId);
  const mask = keeping.mask(worker);
  const whole = mask ? mask(text) : text;
  let error: string | null = null;
  try {
    ensurePrivateDir(dirname(file));
    writeFileSync(file, whole, { mode: 0o600 });
  } catch (e) {
    error = errorMessage(e);
    removeQuietly(file);
  }
  const capped = capText(text, keeping.maxBytes, (cut, total) =>
    error
      ? `\n[orch: output cut here: ${cut} of ${total} bytes not stored, and the full output could not be written: ${error.slice(0, 60)}]\n`
      : cutNote(cut, total, taskId),
  );
  return { text: capped.text, fullBytes: error ? null : utf8ByteLength(whole) };
}

/** A task's output as it is stored: the text (capped) and, when it was cut, the full file's size. */
export interface KeptOutput {
  text: string;
  /** Bytes of the full output in its file when the stored text was cut; null when it was not. */
  fullBytes: number | null;
}

/**
 * One task's output while it runs, fed the raw pane text between its markers. Up to the cap
 * it is only held (the common case costs one array push per chunk); past it, the text is
 * cleaned and masked as it comes and written to the task's output file, and only its head and
 * tail stay in memory: the controller never holds much more than the cap of one task's output.
 *
 * @example
 * const out = new TaskOutput({ taskId, maxBytes: 1 << 20, file, mask: (s) => masking.text(w, s) });
 * out.push(chunk); // ...
 * const { text, fullBytes } = out.finish(); // text: what the store keeps
 */
export class TaskOutput {
  private held: string[] = [];
  private heldLength = 0;
  private spill: {
    fd: number | null;
    error: string | null;
    written: number;
    cleaner: StreamCleaner;
    masker: StreamMasker | null;
    kept: HeadTail;
  } | null = null;
  private done = false;
  private carry = "";
  private kept: KeptOutput | null = null;

  constructor(private readonly o: TaskOutputOptions) {}

  get taskId(): string {
    return this.o.taskId;
  }

  /** Raw pane text of the task (escapes and all). */
  push(piece: string): void {
    if (this.done || !piece) return;
    // a surrogate pair cut between two pieces is written whole, with the next one
    let raw = this.carry + piece;
    this.carry = "";
    const last = raw.charCodeAt(raw.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.carry = raw.slice(-1);
      raw = raw.slice(0, -1);
    }
    if (this.spill) {
      this.feed(this.spill.cleaner.push(raw));
      return;
    }
    this.held.push(raw);
    this.heldLength += raw.length;
    // raw text is never shorter than its cleaned form: under the cap in characters, the
    // cleaned output may still be over it in bytes, which finish() sees
    if (this.heldLength > this.o.maxBytes) this.startSpill(null);
  }

  /**
   * The output to store; the file (if any) is complete and closed. Later calls give the same
   * (a finish the store could not take is written again with it).
   */
  finish(): KeptOutput {
    this.kept ??= this.finishOnce();
    return this.kept;
  }

  private finishOnce(): KeptOutput {
    if (this.carry) {
      const lone = this.carry;
      this.carry = "";
      this.held.push(lone);
      if (this.spill) this.feed(this.spill.cleaner.push(lone));
    }
    this.done = true;
    if (!this.spill) {
      const text = cleanOutput(this.held.join(""));
      this.held = [];
      if (utf8ByteLength(text) <= this.o.maxBytes) return { text, fullBytes: null };
      this.startSpill(text);
    }
    const s = this.spill!;
    this.feed(s.cleaner.flush());
    this.write(s.masker ? s.masker.flush() : "");
    this.close();
    if (s.error) removeQuietly(this.o.file);
    const { text, cut } = s.kept.text((cut, total) =>
      s.error
        ? `\n[orch: output cut here: ${cut} of ${total} bytes not stored, and the full output could not be written: ${s.error.slice(0, 60)}]\n`
        : cutNote(cut, total, this.o.taskId),
    );
    // held past the cap in raw characters (escapes and all) but within it once cleaned: whole
    if (!cut) removeQuietly(this.o.file);
    return { text, fullBytes: s.error || !cut ? null : s.written };
  }

  /** Drops what was gathered (the task was not found finished): closes and removes the file. */
  discard(): void {
    this.done = true;
    this.held = [];
    if (!this.spill) return;
    this.close();
    removeQuietly(this.o.file);
  }

  /** Opens the file and sends it what was held; `cleaned`: the whole output, already cleaned. */
  private startSpill(cleaned: string | null): void {
    let fd: number | null = null;
    let error: string | null = null;
    try {
      ensurePrivateDir(dirname(this.o.file));
      fd = openSync(this.o.file, "w", 0o600);
    } catch (e) {
      error = errorMessage(e);
    }
    this.spill = {
      fd,
      error,
      written: 0,
      cleaner: new StreamCleaner(),
      masker: this.o.mask ? new StreamMasker(this.o.mask) : null,
      kept: new HeadTail(this.o.maxBytes),
    };
    const held = this.held;
    this.held = [];
    this.heldLength = 0;
    if (cleaned !== null) this.feed(cleaned);
    else for (const raw of held) this.feed(this.spill.cleaner.push(raw));
  }

  /** Cleaned text: into the kept head and tail, and (masked) into the file. */
  private feed(cleaned: string): void {
    if (!cleaned) return;
    const s = this.spill!;
    s.kept.push(cleaned);
    this.write(s.masker ? s.masker.push(cleaned) : cleaned);
  }

  private write(text: string): void {
    const s = this.spill!;
    if (!text || s.fd === null) return;
    try {
      s.written += writeSync(s.fd, text);
    } catch (e) {
      // a full disk: the stored head and tail still are what the cap keeps, the note says why
      s.error = errorMessage(e);
      this.close();
    }
  }

  private close(): void {
    const s = this.spill;
    if (s?.fd == null) return;
    try {
      closeSync(s.fd);
    } catch {
      // closing a file we wrote: nothing to do about a failure here
    }
    s.fd = null;
  }
}

/** Removes a file if it is there; one that cannot be removed stays (prune finds it later). */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // e.g. a parent that is not a folder: there is no file to remove
  }
}
