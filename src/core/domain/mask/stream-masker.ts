import { maskLabel } from "./masker.ts";
import { PEM_BEGIN, PEM_END, PEM_RULE_NAME } from "./rules.ts";

/** A line longer than this is masked in parts, cut at whitespace (as the pane-log filter does). */
const MAX_LINE = 65_536;

/**
 * Masks text that arrives in chunks the way the pane-log filter does (src/core/runtime/mask-filter.ts):
 * whole lines at a time through `mask`, so a secret split between two chunks is whole by the
 * time it is masked; a PEM private key block is dropped from its BEGIN line to its END line,
 * however many chunks it spans.
 *
 * @example
 * const m = new StreamMasker((s) => masker.mask(s));
 * m.push("token=sk-ant-api03-abc"); // "" (the line is not over)
 * m.push("def\nok\n");             // "token=[MASKED:anthropic]\nok\n"
 * m.flush();                       // ""
 */
export class StreamMasker {
  private buf = "";
  private inPem = false;
  private readonly begin = new RegExp(PEM_BEGIN);
  private readonly end = new RegExp(PEM_END);

  constructor(private readonly mask: (text: string) => string) {}

  /** The masked text of the lines `chunk` completes. */
  push(chunk: string): string {
    this.buf += chunk;
    return this.drain(false);
  }

  /** The masked rest (the stream ended). */
  flush(): string {
    return this.drain(true);
  }

  private drain(eof: boolean): string {
    let out = "";
    while (this.buf.length > 0) {
      if (this.inPem) {
        const m = this.end.exec(this.buf);
        if (m) {
          this.buf = this.buf.slice(m.index + m[0].length);
          this.inPem = false;
          continue;
        }
        // an END line may be split: keep its possible start
        this.buf = eof ? "" : this.buf.slice(-64);
        return out;
      }
      let take = this.buf.lastIndexOf("\n") + 1;
      if (take === 0) {
        if (!eof && this.buf.length <= MAX_LINE) return out;
        take = this.buf.length;
        if (!eof) {
          const cut = this.buf.lastIndexOf(" ", this.buf.length - 1024);
          take = cut > 0 ? cut + 1 : this.buf.length - 1024;
        }
      }
      const part = this.buf.slice(0, take);
      const b = this.begin.exec(part);
      if (b) {
        out += this.mask(part.slice(0, b.index)) + maskLabel(PEM_RULE_NAME);
        this.buf = this.buf.slice(b.index + b[0].length);
        this.inPem = true;
        continue;
      }
      out += this.mask(part);
      this.buf = this.buf.slice(take);
    }
    return out;
  }
}
