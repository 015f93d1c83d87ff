/**
 * Claude Code's session transcript (JSONL, one record per line): the answer of the last turn
 * and what it cost, for a task's result.
 */
import { existsSync, readFileSync } from "node:fs";

export interface TurnSummary {
  text: string;
  sessionId?: string;
  stopReason?: string;
  tokens?: { input: number; output: number };
}

type Rec = {
  type?: string;
  sessionId?: string;
  message?: {
    role?: string;
    content?: unknown;
    stop_reason?: string | null;
    usage?: { input_tokens?: number; output_tokens?: number };
  };
};

/** True for a user record that is a prompt typed by the user (not a tool result). */
function isPrompt(r: Rec): boolean {
  if (r.type !== "user" || r.message?.role !== "user") return false;
  const c = r.message.content;
  if (typeof c === "string") return true;
  return Array.isArray(c) && c.some((b) => (b as { type?: string }).type === "text");
}

/**
 * The assistant's text after the last prompt in `jsonl`, with summed token usage.
 *
 * @example
 * lastTurn('{"type":"user","message":{"role":"user","content":"hi"}}\n{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"hello"}]}}');
 * // { text: "hello", tokens: { input: 0, output: 0 } }
 */
export function lastTurn(jsonl: string): TurnSummary {
  const recs: Rec[] = [];
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    try {
      recs.push(JSON.parse(line) as Rec);
    } catch {
      // a line being written right now
    }
  }
  let start = 0;
  for (let i = recs.length - 1; i >= 0; i--) {
    if (isPrompt(recs[i]!)) {
      start = i + 1;
      break;
    }
  }
  const texts: string[] = [];
  const tokens = { input: 0, output: 0 };
  let stopReason: string | undefined;
  let sessionId: string | undefined;
  for (const r of recs.slice(start)) {
    sessionId = r.sessionId ?? sessionId;
    if (r.type !== "assistant" || !r.message) continue;
    const c = r.message.content;
    if (Array.isArray(c)) {
      for (const b of c as { type?: string; text?: string }[])
        if (b.type === "text" && b.text) texts.push(b.text);
    }
    tokens.input += r.message.usage?.input_tokens ?? 0;
    tokens.output += r.message.usage?.output_tokens ?? 0;
    stopReason = r.message.stop_reason ?? stopReason;
  }
  return {
    text: texts.join("\n\n"),
    tokens,
    ...(sessionId ? { sessionId } : {}),
    ...(stopReason ? { stopReason } : {}),
  };
}

/** {@link lastTurn} of the transcript file, or null when it cannot be read. */
export function readLastTurn(path: string): TurnSummary | null {
  if (!existsSync(path)) return null;
  try {
    return lastTurn(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}
