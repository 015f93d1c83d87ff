/**
 * A fake model API on 127.0.0.1 for running the real agent CLIs offline. It speaks
 *
 * - Anthropic Messages (Claude Code): `HEAD /`, `POST /v1/messages[?beta=true]` (SSE when
 *   `stream: true`, a JSON message otherwise), `POST /v1/messages/count_tokens`;
 * - OpenAI Responses (Codex CLI): `POST /v1/responses` (SSE), `GET /v1/models`;
 *
 * and answers anything else with a harmless `200 {}` so a CLI never hangs on a side call.
 *
 * Main vs side requests (`isMain`): a model request is "main" when it offers the model tools.
 * - claude: a non-empty `tools` array. Its side calls (the session-title request the TUI sends
 *   with each first prompt, concurrently; `output_config.format` json_schema `{title}`) carry no
 *   tools.
 * - codex: a non-empty `tools` array (or, for the gpt-6 "responses-lite" models, an
 *   `additional_tools` input item), and no structured output: its session-title request is a
 *   turn of its own with `text.format` json_schema `{title}` and a tool list.
 * Side requests get a short harmless answer (JSON matching the schema when one is asked for),
 * never go through `script`, never count for `lastUserText()` or `turnEnds`, and are never
 * slowed down or failed on purpose.
 *
 * Default reply policy (see `defaultScript`), on the last user message of a main request:
 * - it is a tool result -> text `DONE: <first non-empty line of the tool output>`;
 * - `ERROR: <status>` -> an HTTP error as the vendor sends it (429: rate limit, with retry-after);
 * - `RUN: <shell command>` (to the end of that line) -> a tool call running it through the
 *   agent's shell tool (claude: `Bash` `{command, description}`; codex 0.169.0: `exec_command`
 *   `{cmd}`, or whichever shell tool the request offers, see `shellToolCall`);
 * - `ESCALATE: <shell command>` -> the same, but codex is asked to run it outside its sandbox
 *   (`sandbox_permissions: "require_escalated"`), which makes it show its approval prompt;
 * - `REPLY: <text>` (to the end of the prompt) -> exactly that text;
 * - otherwise `ok: <first 40 chars of the prompt>`;
 * - `SLOW: <ms>` anywhere -> the reply stream starts that many ms late (combines with the above).
 */

export type ApiKind = "anthropic" | "openai";

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** The query string including `?`, or "". */
  query: string;
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text when it is not JSON, or null when empty. */
  body: unknown;
  /** Epoch ms (performance.timeOrigin + performance.now()). */
  at: number;
  api: ApiKind | null;
  /** A main model request (it offers tools), not a side call: see the file comment. */
  main: boolean;
}

export interface ReplyContext {
  api: ApiKind;
  request: RecordedRequest;
  /** The text of the last user message (system reminders left out), or null. */
  userText: string | null;
  /** The latest user prompt text of the conversation (skipping tool-result messages). */
  promptText: string | null;
  /** When the last user message carries a tool result: its output text. */
  toolResult: string | null;
  /** Names of the tools the request offers. */
  toolNames: string[];
}

export type Reply =
  | { kind: "text"; text: string; delayMs?: number }
  /** Run a shell command through the agent's own shell tool. */
  | {
      kind: "shell";
      command: string;
      description?: string;
      /** codex: ask to run outside the sandbox (`sandbox_permissions: "require_escalated"`), which needs approval. */
      escalate?: boolean;
      delayMs?: number;
    }
  /** Any tool call, with the exact input / arguments object. */
  | { kind: "tool"; name: string; input: Record<string, unknown>; delayMs?: number }
  | { kind: "error"; status: number; retryAfterSec?: number; message?: string; delayMs?: number };

export type ReplyScript = (ctx: ReplyContext) => Reply | Promise<Reply>;

export interface ReplyRecord {
  at: number;
  api: ApiKind;
  main: boolean;
  reply: Reply;
}

export interface FakeModelApi {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Every model reply sent, side requests included, in order of completion. */
  readonly replies: ReplyRecord[];
  /**
   * Epoch-ms timestamps (performance.timeOrigin + performance.now()) of when each main reply
   * that ends the agent's turn (a text reply, not a tool call or an error) was closed.
   */
  readonly turnEnds: number[];
  /** Model requests only (`/v1/messages`, `/v1/responses`), main ones when `main` is true. */
  modelRequests(main?: boolean): RecordedRequest[];
  /**
   * The text of the last user prompt of the last main request, or null: the last user message
   * that is not a tool result, without claude's `<system-reminder>` blocks or codex's
   * `<environment_context>` messages — exactly what was typed or pasted.
   */
  lastUserText(): string | null;
  /** Replaces the reply script (e.g. between phases of a test). */
  setScript(script: ReplyScript): void;
  /** Resolves when `pred` holds for the recorded requests, or rejects after `timeoutMs`. */
  waitFor(pred: (api: FakeModelApi) => boolean, timeoutMs: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

/** `ok: <first 40 chars>`, `REPLY:`, `RUN:`, `SLOW:`, `ERROR:`: see the file comment. */
export const defaultScript: ReplyScript = (ctx) => {
  if (ctx.toolResult !== null) {
    const line =
      stripCodexExecHeader(ctx.toolResult)
        .split("\n")
        .find((l) => l.trim() !== "") ?? "";
    return { kind: "text", text: `DONE: ${line.trim()}` };
  }
  const prompt = ctx.userText ?? "";
  const slow = /SLOW:\s*(\d+)/.exec(prompt);
  const delayMs = slow ? Number(slow[1]) : 0;
  const err = /ERROR:\s*(\d{3})/.exec(prompt);
  if (err) return { kind: "error", status: Number(err[1]), retryAfterSec: 1, delayMs };
  const run = /(RUN|ESCALATE):[ \t]*(.+)/.exec(prompt);
  if (run) return { kind: "shell", command: run[2]!.trim(), escalate: run[1] === "ESCALATE", delayMs };
  const reply = /REPLY: ?([\s\S]*)$/.exec(prompt);
  if (reply) return { kind: "text", text: reply[1]!, delayMs };
  return { kind: "text", text: `ok: ${prompt.slice(0, 40)}`, delayMs };
};

/** Codex's exec tools return `...\nOutput:\n<output>`; shell tools may return JSON {output}. */
function stripCodexExecHeader(out: string): string {
  const i = out.indexOf("Output:\n");
  if (i >= 0) return out.slice(i + "Output:\n".length);
  try {
    const j = JSON.parse(out) as { output?: unknown };
    if (typeof j.output === "string") return j.output;
  } catch {
    // plain text
  }
  return out;
}

export async function startFakeModelApi(script: ReplyScript = defaultScript): Promise<FakeModelApi> {
  const requests: RecordedRequest[] = [];
  const replies: ReplyRecord[] = [];
  const turnEnds: number[] = [];
  let current = script;
  let seq = 0;
  const nextId = () => `${++seq}`.padStart(6, "0");

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
      let body: unknown = null;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        headers[k] = v;
      });
      const api: ApiKind | null =
        url.pathname === "/v1/messages" ? "anthropic" : url.pathname === "/v1/responses" ? "openai" : null;
      const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
      const main = api !== null && isMain(api, b);
      const rec: RecordedRequest = {
        method: req.method,
        path: url.pathname,
        query: url.search,
        headers,
        body,
        at: now(),
        api,
        main,
      };
      requests.push(rec);

      if (req.method === "HEAD") return new Response(null, { status: 200 });
      if (url.pathname === "/v1/messages/count_tokens") {
        return Response.json({ input_tokens: Math.max(1, Math.ceil(text.length / 4)) });
      }
      if (req.method === "GET" && url.pathname === "/v1/models") {
        // Codex asks for its own model catalog shape ({models: [...]}); an empty list makes
        // it fall back to its built-in model info. OpenAI's shape ({data}) is there too.
        return Response.json({ object: "list", data: [], models: [] });
      }
      if (api === null) return Response.json({});

      const ctx = context(api, rec, b);
      let reply: Reply;
      if (main) {
        try {
          reply = await current(ctx);
        } catch (e) {
          reply = { kind: "text", text: `fake-model-api script error: ${String(e)}` };
        }
      } else {
        reply = sideReply(ctx);
      }
      if (reply.delayMs) await Bun.sleep(reply.delayMs);
      const done = (final: boolean) => {
        const t = now();
        replies.push({ at: t, api, main, reply });
        if (main && final) turnEnds.push(t);
      };
      if (reply.kind === "error") {
        done(false);
        return errorResponse(api, reply, String(b.model ?? "the model"));
      }
      const final = reply.kind === "text";
      const stream = b.stream === true;
      if (api === "anthropic") {
        const msg = anthropicMessage(reply, ctx, String(b.model ?? "claude-fake"), nextId());
        if (!stream) {
          done(final);
          return Response.json(msg, { headers: { "request-id": `req_${nextId()}` } });
        }
        return sse(anthropicEvents(msg), () => done(final), { "request-id": `req_${nextId()}` });
      }
      const events = openaiEvents(reply, ctx, String(b.model ?? "gpt-fake"), nextId());
      if (!stream) {
        const completed = events.at(-1)!.data as { response: unknown };
        done(final);
        return Response.json(completed.response);
      }
      return sse(events, () => done(final), { "x-request-id": `req_${nextId()}` });
    },
  });
  const port = server.port!;

  const api: FakeModelApi = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    replies,
    turnEnds,
    modelRequests(onlyMain) {
      return requests.filter((r) => r.api !== null && (onlyMain === undefined || r.main === onlyMain));
    },
    lastUserText() {
      const last = requests.filter((r) => r.main).at(-1);
      if (!last?.api) return null;
      return context(last.api, last, last.body as Record<string, unknown>).promptText;
    },
    setScript(s) {
      current = s;
    },
    async waitFor(pred, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(api)) {
        if (Date.now() > deadline) {
          const seen = requests.map((r) => `${r.method} ${r.path}${r.main ? " (main)" : ""}`).join(", ");
          throw new Error(
            `fake model API: timed out after ${timeoutMs} ms waiting for ${what}; seen: ${seen}`,
          );
        }
        await Bun.sleep(50);
      }
    },
    async stop() {
      await server.stop(true);
    },
  };
  return api;
}

// ---------------------------------------------------------------- request parsing

type Json = Record<string, unknown>;

/** See the file comment: tools offered, and for codex not a structured-output (title) call. */
function isMain(api: ApiKind, b: Json): boolean {
  if (api === "anthropic") return Array.isArray(b.tools) && b.tools.length > 0;
  const format = ((b.text as Json | undefined)?.format as Json | undefined)?.type;
  if (format === "json_schema") return false;
  const input = (Array.isArray(b.input) ? b.input : []) as Json[];
  return (Array.isArray(b.tools) && b.tools.length > 0) || input.some((i) => i.type === "additional_tools");
}

function context(api: ApiKind, request: RecordedRequest, b: Json): ReplyContext {
  const toolNames = Array.isArray(b.tools)
    ? (b.tools as Json[]).map((t) => String(t.name ?? t.type ?? "")).filter(Boolean)
    : [];
  const base = { api, request, toolNames };
  return api === "anthropic" ? { ...base, ...anthropicUser(b) } : { ...base, ...openaiUser(b) };
}

const isReminder = (t: string) => t.trimStart().startsWith("<system-reminder>");

function anthropicUser(b: Json): Pick<ReplyContext, "userText" | "promptText" | "toolResult"> {
  const msgs = (Array.isArray(b.messages) ? b.messages : []) as Json[];
  const users = msgs.filter((m) => m.role === "user");
  const textOf = (m: Json | undefined): string | null => {
    if (!m) return null;
    if (typeof m.content === "string") return m.content;
    if (!Array.isArray(m.content)) return null;
    const texts = (m.content as Json[])
      .filter((c) => c.type === "text" && typeof c.text === "string" && !isReminder(c.text as string))
      .map((c) => c.text as string);
    return texts.length ? texts.at(-1)! : null;
  };
  const toolOf = (m: Json | undefined): string | null => {
    if (!m || !Array.isArray(m.content)) return null;
    const tr = (m.content as Json[]).filter((c) => c.type === "tool_result").at(-1);
    if (!tr) return null;
    if (typeof tr.content === "string") return tr.content;
    if (Array.isArray(tr.content)) {
      return (tr.content as Json[])
        .filter((c) => c.type === "text")
        .map((c) => String(c.text))
        .join("\n");
    }
    return "";
  };
  const last = users.at(-1);
  const toolResult = toolOf(last);
  let promptText: string | null = null;
  for (let i = users.length - 1; i >= 0; i--) {
    if (toolOf(users[i]) === null) {
      promptText = textOf(users[i]);
      if (promptText !== null) break;
    }
  }
  return { userText: toolResult === null ? textOf(last) : null, promptText, toolResult };
}

function openaiUser(b: Json): Pick<ReplyContext, "userText" | "promptText" | "toolResult"> {
  const input = (Array.isArray(b.input) ? b.input : []) as Json[];
  const textOf = (m: Json): string | null => {
    if (typeof m.content === "string") return m.content;
    if (!Array.isArray(m.content)) return null;
    const texts = (m.content as Json[])
      .filter((c) => (c.type === "input_text" || c.type === "text") && typeof c.text === "string")
      .map((c) => c.text as string);
    return texts.length ? texts.at(-1)! : null;
  };
  // Codex prepends user-role context messages (AGENTS.md, <environment_context>, ...): the prompt
  // is the last user message that is not one of those.
  const contextTags =
    "environment_context|user_instructions|INSTRUCTIONS|permissions|turn_aborted|user_shell_command|skill|subagent_notification";
  const contextRe = new RegExp(`^\\s*(<(${contextTags})\\b|# AGENTS\\.md instructions)`);
  const isContext = (t: string) => contextRe.test(t);
  let promptText: string | null = null;
  let promptIdx = -1;
  for (let i = input.length - 1; i >= 0; i--) {
    const m = input[i]!;
    if (m.type !== undefined && m.type !== "message") continue;
    if (m.role !== "user") continue;
    const t = textOf(m);
    if (t !== null && !isContext(t)) {
      promptText = t;
      promptIdx = i;
      break;
    }
  }
  const last = input.at(-1);
  let toolResult: string | null = null;
  let lastOut = -1;
  input.forEach((m, i) => {
    if (m.type === "function_call_output" || m.type === "custom_tool_call_output") lastOut = i;
  });
  if (lastOut > promptIdx && last && lastOut === input.length - 1) {
    const out = input[lastOut]!.output;
    toolResult =
      typeof out === "string"
        ? out
        : Array.isArray(out)
          ? (out as Json[]).map((c) => String(c.text ?? "")).join("\n")
          : JSON.stringify(out ?? "");
  }
  return { userText: toolResult === null ? promptText : null, promptText, toolResult };
}

/** A short answer for side requests; JSON matching the schema when the request asks for one. */
function sideReply(ctx: ReplyContext): Reply {
  const b = ctx.request.body as Json;
  // codex: text.format (json_schema); claude: output_config.format (json_schema).
  const format = ((b.text as Json | undefined)?.format ?? (b.output_config as Json | undefined)?.format) as
    | Json
    | undefined;
  const schema = format?.schema as Json | undefined;
  if (schema && typeof schema.properties === "object" && schema.properties) {
    const obj: Json = {};
    for (const [k, v] of Object.entries(schema.properties as Record<string, Json>)) {
      obj[k] =
        v.type === "string" ? "Fake session" : v.type === "boolean" ? false : v.type === "number" ? 0 : null;
    }
    return { kind: "text", text: JSON.stringify(obj) };
  }
  const sys = JSON.stringify(b.system ?? b.instructions ?? "");
  if (/title/i.test(sys) && /json/i.test(sys)) return { kind: "text", text: '{"title": "Fake session"}' };
  if (/title/i.test(sys)) return { kind: "text", text: "Fake session" };
  return { kind: "text", text: "ok" };
}

// ---------------------------------------------------------------- responses

interface SseEvent {
  event: string;
  data: unknown;
}

function sse(events: SseEvent[], onClose: () => void, headers: Record<string, string>): Response {
  const enc = new TextEncoder();
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      for (const [i, e] of events.entries()) {
        // A tiny gap between events, as a real stream has; keeps text deltas visible as such.
        if (i > 0) await Bun.sleep(2);
        if (cancelled) return; // the client went away (e.g. the user pressed Esc)
        ctrl.enqueue(enc.encode(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`));
      }
      // Every event is out: the turn is over now, whether or not the client waits for the
      // close (Codex hangs up as soon as it has read response.completed).
      onClose();
      if (!cancelled) ctrl.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      ...headers,
    },
  });
}

function errorResponse(api: ApiKind, r: Extract<Reply, { kind: "error" }>, model: string): Response {
  const retry = String(r.retryAfterSec ?? 1);
  const reset = new Date(Date.now() + (r.retryAfterSec ?? 1) * 1000).toISOString();
  if (api === "anthropic") {
    const type =
      r.status === 429
        ? "rate_limit_error"
        : r.status === 529
          ? "overloaded_error"
          : r.status === 401
            ? "authentication_error"
            : r.status >= 500
              ? "api_error"
              : "invalid_request_error";
    const message =
      r.message ??
      (r.status === 429
        ? "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."
        : `fake error ${r.status}`);
    return Response.json(
      { type: "error", error: { type, message }, request_id: "req_fake_error" },
      {
        status: r.status,
        headers: {
          "retry-after": retry,
          "request-id": "req_fake_error",
          ...(r.status === 429
            ? {
                "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "0",
                "anthropic-ratelimit-requests-reset": reset,
              }
            : {}),
        },
      },
    );
  }
  const message =
    r.message ??
    (r.status === 429
      ? `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 50, Used 50, Requested 1. Please try again in ${retry}s.`
      : `fake error ${r.status}`);
  return Response.json(
    {
      error: {
        message,
        type: r.status === 429 ? "requests" : "server_error",
        param: null,
        code: r.status === 429 ? "rate_limit_exceeded" : null,
      },
    },
    {
      status: r.status,
      headers: {
        "retry-after": retry,
        "x-request-id": "req_fake_error",
        ...(r.status === 429
          ? {
              "x-ratelimit-limit-requests": "50",
              "x-ratelimit-remaining-requests": "0",
              "x-ratelimit-reset-requests": `${retry}s`,
            }
          : {}),
      },
    },
  );
}

function chunks(s: string, n = 3): string[] {
  if (s.length <= 8) return [s];
  const size = Math.ceil(s.length / n);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: Json[];
  stop_reason: "end_turn" | "tool_use";
  stop_sequence: null;
  usage: Json;
}

function anthropicMessage(reply: Reply, ctx: ReplyContext, model: string, id: string): AnthropicMessage {
  const inputTokens = tokens(JSON.stringify(ctx.request.body ?? "").slice(0, 400_000));
  let content: Json[];
  let stop: "end_turn" | "tool_use" = "end_turn";
  if (reply.kind === "text") {
    content = [{ type: "text", text: reply.text }];
  } else if (reply.kind === "shell" || reply.kind === "tool") {
    const input =
      reply.kind === "shell"
        ? { command: reply.command, description: reply.description ?? `Run ${reply.command}`.slice(0, 60) }
        : reply.input;
    content = [
      { type: "tool_use", id: `toolu_fake${id}`, name: reply.kind === "shell" ? "Bash" : reply.name, input },
    ];
    stop = "tool_use";
  } else {
    content = [];
  }
  const out = tokens(JSON.stringify(content));
  return {
    id: `msg_fake${id}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      input_tokens: inputTokens,
      output_tokens: out,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

function anthropicEvents(msg: AnthropicMessage): SseEvent[] {
  const ev: SseEvent[] = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          ...msg,
          content: [],
          stop_reason: null,
          usage: { ...msg.usage, output_tokens: 1 },
        },
      },
    },
  ];
  msg.content.forEach((block, index) => {
    if (block.type === "text") {
      ev.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { type: "text", text: "" } },
      });
      ev.push({ event: "ping", data: { type: "ping" } });
      for (const c of chunks(String(block.text))) {
        ev.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "text_delta", text: c } },
        });
      }
    } else {
      ev.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { ...block, input: {} } },
      });
      for (const c of chunks(JSON.stringify(block.input))) {
        ev.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: c } },
        });
      }
    }
    ev.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  ev.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: msg.stop_reason, stop_sequence: null },
      usage: { output_tokens: msg.usage.output_tokens },
    },
  });
  ev.push({ event: "message_stop", data: { type: "message_stop" } });
  return ev;
}

/**
 * Codex's shell tool, from the tools the request offers: `exec_command` `{cmd}` (unified exec),
 * `shell_command` `{command: string}`, or `shell` `{command: [argv]}`.
 */
export function shellToolCall(
  toolNames: string[],
  command: string,
  escalate = false,
): { name: string; args: Json } {
  const esc = escalate
    ? { sandbox_permissions: "require_escalated", justification: `Do you want to run ${command}?` }
    : {};
  if (toolNames.includes("exec_command")) return { name: "exec_command", args: { cmd: command, ...esc } };
  if (toolNames.includes("shell_command")) return { name: "shell_command", args: { command, ...esc } };
  if (toolNames.includes("shell"))
    return { name: "shell", args: { command: ["bash", "-lc", command], ...esc } };
  return { name: "exec_command", args: { cmd: command, ...esc } };
}

function openaiEvents(reply: Reply, ctx: ReplyContext, model: string, id: string): SseEvent[] {
  const respId = `resp_fake${id}`;
  const created = Math.floor(Date.now() / 1000);
  const base = { id: respId, object: "response", created_at: created, model };
  const ev: SseEvent[] = [
    {
      event: "response.created",
      data: { type: "response.created", response: { ...base, status: "in_progress", output: [] } },
    },
  ];
  let item: Json;
  if (reply.kind === "text") {
    const itemId = `msg_fake${id}`;
    ev.push({
      event: "response.output_item.added",
      data: {
        type: "response.output_item.added",
        output_index: 0,
        item: { id: itemId, type: "message", role: "assistant", status: "in_progress", content: [] },
      },
    });
    ev.push({
      event: "response.content_part.added",
      data: {
        type: "response.content_part.added",
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [] },
      },
    });
    for (const c of chunks(reply.text)) {
      ev.push({
        event: "response.output_text.delta",
        data: {
          type: "response.output_text.delta",
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta: c,
        },
      });
    }
    ev.push({
      event: "response.output_text.done",
      data: {
        type: "response.output_text.done",
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        text: reply.text,
      },
    });
    item = {
      id: itemId,
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: reply.text, annotations: [] }],
    };
  } else {
    const call =
      reply.kind === "shell"
        ? shellToolCall(ctx.toolNames, reply.command, reply.escalate)
        : reply.kind === "tool"
          ? { name: reply.name, args: reply.input }
          : { name: "noop", args: {} };
    const args = JSON.stringify(call.args);
    const itemId = `fc_fake${id}`;
    const callId = `call_fake${id}`;
    ev.push({
      event: "response.output_item.added",
      data: {
        type: "response.output_item.added",
        output_index: 0,
        item: {
          id: itemId,
          type: "function_call",
          status: "in_progress",
          call_id: callId,
          name: call.name,
          arguments: "",
        },
      },
    });
    ev.push({
      event: "response.function_call_arguments.delta",
      data: { type: "response.function_call_arguments.delta", item_id: itemId, output_index: 0, delta: args },
    });
    ev.push({
      event: "response.function_call_arguments.done",
      data: {
        type: "response.function_call_arguments.done",
        item_id: itemId,
        output_index: 0,
        arguments: args,
      },
    });
    item = {
      id: itemId,
      type: "function_call",
      status: "completed",
      call_id: callId,
      name: call.name,
      arguments: args,
    };
  }
  ev.push({
    event: "response.output_item.done",
    data: { type: "response.output_item.done", output_index: 0, item },
  });
  const input = tokens(JSON.stringify(ctx.request.body ?? "").slice(0, 400_000));
  const output = tokens(JSON.stringify(item));
  ev.push({
    event: "response.completed",
    data: {
      type: "response.completed",
      response: {
        ...base,
        status: "completed",
        output: [item],
        usage: {
          input_tokens: input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: input + output,
        },
      },
    },
  });
  return ev;
}
