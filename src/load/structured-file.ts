import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from "yaml";
import { readRegularFile } from "../contained-file.js";
import { UserError } from "../errors.js";
import { isObject, type Report, safeJson, typeName } from "../fields.js";
import type { Issue, JsonValue } from "../types.js";

/** A rubric or config beyond this size is refused: none is near it, and a YAML parse holds it all. */
const maxStructuredFileBytes = 4 * 1024 * 1024;

/** A parsed YAML/JSON file that can say on which line a field was written. */
export interface StructuredFile {
  path: string;
  displayPath: string;
  text: string;
  data: JsonValue;
  /** 1-based line of `checks[2].type`, when known */
  lineOf(field: string): number | undefined;
  /** A Report that files issues against this file with line numbers. */
  reporter(issues: Issue[]): Report;
}

/** Parses a `.yaml`/`.yml`/`.json` file (JSON is read by the YAML parser too, so both get line numbers). */
export function readStructuredFile(path: string, displayPath: string, what: string): StructuredFile {
  const read = readRegularFile(path, maxStructuredFileBytes);
  if (!read.ok) throw new UserError(`${displayPath}: cannot read ${what}: ${read.problem}`);
  const text = read.text;
  const lineCounter = new LineCounter();
  // logLevel "error": the library's own warnings never reach the console (stdout carries only reports).
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: "error" });
  if (document.errors.length > 0) {
    // prettyErrors stays off: its messages quote the source, which may hold a secret. The line comes
    // from the error's offset instead.
    const lines = document.errors.slice(0, 10).map((error) => {
      const line = error.linePos?.[0]?.line ?? (error.pos?.[0] !== undefined ? lineCounter.linePos(error.pos[0]).line : undefined);
      return `  ${displayPath}${line ? `:${line}` : ""}: ${error.message.split("\n")[0]}`;
    });
    throw new UserError(`invalid ${what}: cannot parse ${displayPath}\n${lines.join("\n")}`);
  }
  let data: JsonValue;
  try {
    data = safeJson(document.toJS({ maxAliasCount: 100 }));
  } catch (error) {
    // An alias that names no anchor, or aliases that expand past the cap: the line of that alias.
    const message = (error as Error).message;
    const line = /alias/i.test(message) ? aliasLine(document, message, lineCounter) : undefined;
    throw new UserError(`invalid ${what}: ${displayPath}${line === undefined ? "" : `:${line}`}: ${message.split("\n")[0]}`);
  }
  const lineOf = (field: string): number | undefined => {
    let node: unknown = document.contents;
    for (const key of fieldPath(field)) {
      let next: unknown;
      if (isMap(node)) next = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(key))?.value;
      else if (isSeq(node) && typeof key === "number") next = node.items[key];
      if (next === undefined || next === null) break;
      node = next;
    }
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const reporter =
    (issues: Issue[]): Report =>
    (field, message) => {
      const line = lineOf(field);
      issues.push({ file: displayPath, ...(line !== undefined ? { line } : {}), ...(field ? { field } : {}), message });
    };
  if (!isObject(data)) {
    throw new UserError(`invalid ${what}: ${displayPath}: expected a mapping of fields at the top level, got ${typeName(data)}`);
  }
  return { path, displayPath, text, data, lineOf, reporter };
}

/** The line of the alias an error names (`Unresolved alias …: name`), else of the first alias. */
function aliasLine(document: Document, message: string, lineCounter: LineCounter): number | undefined {
  const named = /: (\S+)$/.exec(message)?.[1];
  let first: number | undefined;
  let match: number | undefined;
  visit(document, {
    Alias(_, node) {
      const line = node.range ? lineCounter.linePos(node.range[0]).line : undefined;
      first ??= line;
      if (named !== undefined && node.source === named && match === undefined) match = line;
    },
  });
  return match ?? first;
}

/** `checks[2].when.tags` → ["checks", 2, "when", "tags"] */
function fieldPath(field: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) parts.push(Number(match[2]));
    else if (match[1] !== undefined) parts.push(match[1]);
  }
  return parts;
}
