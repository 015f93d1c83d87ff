/** Finds the line and column of a data path in a parsed YAML (or JSON) document. */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";
import type { DataPath } from "./types.ts";

/** A 1-based position in the source, or nulls when the document has no node to point at. */
export interface SourcePosition {
  line: number | null;
  column: number | null;
}

/**
 * The position of the node at `path` (its key instead when `atKey`), or of the nearest parent
 * that exists when the path goes further than the document.
 *
 * @example
 * ```ts
 * const lineCounter = new LineCounter();
 * const doc = parseDocument("steps:\n  - name: a\n", { lineCounter });
 * locate(doc, lineCounter, ["steps", 0, "name"], false); // { line: 2, column: 11 }
 * locate(doc, lineCounter, ["steps", 0, "text"], false); // { line: 2, column: 5 } (the step)
 * ```
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: DataPath,
  atKey: boolean,
): SourcePosition {
  let node = resolve(doc, doc.contents);
  let found: Node | null = node;
  for (let i = 0; i < path.length && node; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (isSeq(node) && typeof segment === "number") {
      node = resolve(doc, node.items[segment]);
    } else if (isMap(node)) {
      const pair = findPair(node.items, segment);
      if (pair && last && atKey && isNode(pair.key)) {
        found = pair.key;
        break;
      }
      node = pair ? resolve(doc, pair.value) : null;
    } else {
      node = null;
    }
    if (node) found = node;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return { line: null, column: null };
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function findPair(pairs: readonly Pair[], key: string | number): Pair | undefined {
  const wanted = String(key);
  return pairs.find((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key) === wanted);
}

function isNode(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

/** The node itself, or what an alias (`*name`) stands for; null for anything that is not a node. */
function resolve(doc: Document, value: unknown): Node | null {
  if (isAlias(value)) return (value.resolve(doc) as Node | undefined) ?? null;
  return isNode(value) ? value : null;
}
