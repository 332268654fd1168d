import { describeValue, suggest } from "./errors.js";
import type { JsonObject, JsonValue } from "./types.js";

/** Reports a problem at a field path (`expected.tool_calls[0].name`). */
export type Report = (field: string, message: string) => void;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** `expected a string, got a number 42`; `required: a model id` when the value is absent. */
export function expected(what: string, value: unknown): string {
  if (value === undefined) return `required: ${what}`;
  if (value === null) return `expected ${what}, got null`;
  return `expected ${what}, got ${typeName(value)} ${describeValue(value)}`;
}

/** Field names people use for credentials; their values must never be echoed back. */
const secretFieldPattern = /^(api[_-]?key|apikey|key|token|secret|password|auth|authorization|auth[_-]?token|access[_-]?token|bearer)$/i;

/** Whether a key names a credential (`api_key`, `apiKey`, `token`, ...). */
export function isSecretField(key: string): boolean {
  return secretFieldPattern.test(key);
}

/** The message for a credential written into a file (SPEC §2: keys come only from the environment). */
export const secretFieldMessage =
  "unknown field: API keys never go in files; set OPENAI_API_KEY or ANTHROPIC_API_KEY in the environment, " +
  "or name another variable with api_key_env: <NAME> (remove the key from this file, and rotate it if it was committed)";

/**
 * Flags keys that are not in `known`. A credential-like key (`api_key`) is always an error, and its value
 * is never shown. A key one typo away from a known one is an error (it silently
 * drops data otherwise); any other unknown key goes to `warn` when given, else is an error too.
 */
export function checkKeys(object: JsonObject, known: readonly string[], prefix: string, report: Report, warn?: Report): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const hint = suggest(key, known);
    const field = prefix ? `${prefix}.${key}` : key;
    if (isSecretField(key)) report(field, secretFieldMessage);
    else if (hint || !warn) report(field, `unknown field${hint || ` (known: ${known.join(", ")})`}`);
    else warn(field, `unknown field, ignored (known: ${known.join(", ")})`);
  }
}

export function optionalString(object: JsonObject, key: string, field: string, report: Report): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    report(field, expected("a string", value));
    return undefined;
  }
  return value;
}

export function optionalNumber(
  object: JsonObject,
  key: string,
  field: string,
  report: Report,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  const what = range.integer ? "an integer" : "a number";
  if (typeof value !== "number" || !Number.isFinite(value) || (range.integer && !Number.isInteger(value))) {
    report(field, expected(what, value));
    return undefined;
  }
  if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    const bounds = range.max === undefined ? `>= ${range.min}` : range.min === undefined ? `<= ${range.max}` : `from ${range.min} to ${range.max}`;
    report(field, `expected ${what} ${bounds}, got ${value}`);
    return undefined;
  }
  return value;
}

export function optionalBoolean(object: JsonObject, key: string, field: string, report: Report): boolean | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    report(field, expected("true or false", value));
    return undefined;
  }
  return value;
}

export function optionalEnum<T extends string>(object: JsonObject, key: string, allowed: readonly T[], field: string, report: Report): T | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const hint = typeof value === "string" ? suggest(value, allowed) : "";
    report(field, `expected one of ${allowed.join(" | ")}, got ${describeValue(value)}${hint}`);
    return undefined;
  }
  return value as T;
}

export function optionalStringArray(object: JsonObject, key: string, field: string, report: Report): string[] | undefined {
  const value: JsonValue | undefined = object[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    report(field, expected("an array of strings", value));
    return undefined;
  }
  const strings: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === "string") strings.push(item);
    else report(`${field}[${index}]`, expected("a string", item));
  });
  return strings;
}

/** "file not found" for ENOENT, else the error code (EACCES, EISDIR, ...). */
export function readErrorMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "is a folder, expected a file";
  if (code === "ENOTREG") return "not a regular file (a FIFO, device or socket); expected a file";
  return `cannot read: ${code ?? (error as Error).message}`;
}

/**
 * JSON.parse's message without the echo of the input it adds on newer Node versions
 * (`Unexpected token 'o', "not json" is not valid JSON`): a line may hold anything, a secret too.
 */
export function jsonErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Nesting deeper than this is refused: code that walks values recursively would overflow the stack. */
const maxNesting = 200;

/**
 * `JSON.parse` for text from users and models, refusing nesting deeper than 200 levels. Its objects need
 * no copy: JSON.parse creates every key as a plain own property, `__proto__` included (the copy
 * `safeJson` makes is for values built by other parsers, which may assign keys).
 */
export function parseJson(text: string): JsonValue {
  const value = JSON.parse(text) as JsonValue;
  checkNesting(value, 0);
  return value;
}

function checkNesting(value: unknown, depth: number): void {
  if (depth > maxNesting) throw new RangeError(`nesting deeper than ${maxNesting} levels`);
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkNesting(value[i], depth + 1);
    return;
  }
  for (const key in value) checkNesting((value as Record<string, unknown>)[key], depth + 1);
}

/** Copies a parsed value into objects with no prototype games: `__proto__` stays a plain key. */
export function safeJson(value: unknown, depth = 0): JsonValue {
  if (depth > maxNesting) throw new RangeError(`nesting deeper than ${maxNesting} levels`);
  if (Array.isArray(value)) return value.map((item) => safeJson(item, depth + 1));
  if (isObject(value)) {
    const copy: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, key, { value: safeJson(item, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value as JsonValue;
}
