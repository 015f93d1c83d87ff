/** Reads a step's text template into literal text and `{{ ... }}` placeholders. */
import { STEP_NAME } from "./schema.ts";

/** What a placeholder stands for before filters. */
export type TemplateValue =
  | { kind: "project" }
  | { kind: "step"; name: string; field: StepField }
  | { kind: "literal"; text: string };

/** The parts of a step the templates can read. */
export type StepField = "output" | "outputs" | "status";

/** The filters a placeholder can pipe its value through, in order. */
export type TemplateFilter = "shell" | "json" | "trim";

/** A piece of a template: text as is, or a placeholder. */
export type TemplatePart =
  | { kind: "text"; text: string }
  | { kind: "placeholder"; value: TemplateValue; filters: TemplateFilter[] };

/** What {@link parseTemplate} returns: the parts, and one message per bad placeholder. */
export interface ParsedTemplate {
  parts: TemplatePart[];
  errors: string[];
}

/** Bad placeholders reported per template; a text full of `{{` would otherwise give thousands. */
const MAX_ERRORS = 20;
const FILTERS: readonly TemplateFilter[] = ["shell", "json", "trim"];
const FIELDS: readonly StepField[] = ["outputs", "output", "status"];
const SPACES = /[ \t]*/y;
const WORD = /[A-Za-z0-9_.-]*/y;
const JSON_STRING = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const EXPECTED_VALUE =
  'expected project, steps.NAME.output, steps.NAME.outputs, steps.NAME.status or a "quoted" string';
const LITERAL_HINT = 'write {{ "{{" }} for a literal "{{"';

/**
 * Splits a template into text and placeholders: `{{ project }}`, `{{ steps.NAME.output }}`,
 * `{{ steps.NAME.outputs }}`, `{{ steps.NAME.status }}` or `{{ "a JSON string" }}`, each
 * optionally followed by filters (`| shell`, `| json`, `| trim`). Spaces and tabs inside the
 * braces are optional. NAME is everything allowed in step names up to the last `.output`,
 * `.outputs` or `.status`. A `{{` that does not start a valid placeholder is an error; `}}`
 * alone is just text. A literal `{{` is written `{{ "{{" }}`. In a run of three or more `{`
 * the last two open the placeholder, the others are text.
 *
 * @example
 * ```ts
 * parseTemplate("cd {{ project | shell }}").parts;
 * // [{ kind: "text", text: "cd " }, { kind: "placeholder", value: { kind: "project" }, filters: ["shell"] }]
 * parseTemplate("{{ nope }}").errors;
 * // ['{{ nope }}: unknown placeholder "nope"; expected project, steps.NAME.output, ...']
 * ```
 */
export function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: string[] = [];
  let text = "";
  let at = 0;
  for (let open = template.indexOf("{{"); open !== -1; open = template.indexOf("{{", at)) {
    // In a run of three or more braces the last two open the placeholder: `{{{ project }}` is "{" + it.
    while (template[open + 2] === "{") open++;
    text += template.slice(at, open);
    const read = readPlaceholder(template, open + 2);
    if (typeof read === "string") {
      errors.push(`${snippet(template, open)}: ${read}`);
      if (errors.length === MAX_ERRORS) {
        errors.push(`more than ${MAX_ERRORS} bad placeholders; the rest are not checked`);
        break;
      }
      text += "{{";
      at = open + 2;
      continue;
    }
    if (text !== "") parts.push({ kind: "text", text });
    text = "";
    parts.push(read.part);
    at = read.end;
  }
  text += template.slice(at);
  if (text !== "") parts.push({ kind: "text", text });
  return { parts, errors };
}

/** Reads the inside of a placeholder starting at `pos` (just after `{{`): the part and where it ends, or why not. */
function readPlaceholder(s: string, pos: number): { part: TemplatePart; end: number } | string {
  let at = skip(s, pos, SPACES);
  let value: TemplateValue | string;
  if (s[at] === '"') {
    JSON_STRING.lastIndex = at;
    const literal = JSON_STRING.exec(s);
    if (!literal) return `unterminated or invalid "quoted" string; ${LITERAL_HINT}`;
    value = { kind: "literal", text: JSON.parse(literal[0]) as string };
    at += literal[0].length;
  } else {
    const word = match(s, at, WORD);
    value = readValue(word);
    at += word.length;
  }
  if (typeof value === "string") return value;
  const filters: TemplateFilter[] = [];
  at = skip(s, at, SPACES);
  while (s[at] === "|") {
    at = skip(s, at + 1, SPACES);
    const name = match(s, at, WORD);
    if (!(FILTERS as readonly string[]).includes(name)) {
      return `unknown filter ${JSON.stringify(name)}; expected one of ${FILTERS.join(", ")}`;
    }
    filters.push(name as TemplateFilter);
    at = skip(s, at + name.length, SPACES);
  }
  if (!s.startsWith("}}", at))
    return `expected "}}" to close the placeholder, or "| filter"; ${LITERAL_HINT}`;
  return { part: { kind: "placeholder", value, filters }, end: at + 2 };
}

/** What a placeholder's word names, or why it names nothing. */
function readValue(word: string): TemplateValue | string {
  if (word === "project") return { kind: "project" };
  if (word === "") return `"{{" does not start a placeholder; ${LITERAL_HINT}`;
  if (!word.startsWith("steps.")) return `unknown placeholder ${JSON.stringify(word)}; ${EXPECTED_VALUE}`;
  const rest = word.slice("steps.".length);
  const field = FIELDS.find((f) => rest.endsWith(`.${f}`));
  if (!field)
    return `${JSON.stringify(word)}: expected steps.NAME.output, steps.NAME.outputs or steps.NAME.status`;
  const name = rest.slice(0, -(field.length + 1));
  if (!STEP_NAME.test(name)) return `${JSON.stringify(word)}: ${JSON.stringify(name)} is not a step name`;
  return { kind: "step", name, field };
}

function match(s: string, at: number, re: RegExp): string {
  re.lastIndex = at;
  return re.exec(s)?.[0] ?? "";
}

function skip(s: string, at: number, re: RegExp): number {
  return at + match(s, at, re).length;
}

/** The placeholder as written, for messages: up to its `}}` or the end of the line, at most 60 characters. */
function snippet(s: string, open: number): string {
  const window = s.slice(open, open + 61);
  const close = window.indexOf("}}", 2);
  let text = close === -1 ? window : window.slice(0, close + 2);
  const newline = text.indexOf("\n");
  if (newline !== -1) text = text.slice(0, newline);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
