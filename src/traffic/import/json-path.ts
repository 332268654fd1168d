import { parseJson } from "../../fields.js";
import type { JsonValue } from "../../types.js";

/** Reads a dotted path (`metadata.model_group`, `body.metadata.tenant`, `tags.0`) from a JSON value. */
export function readPath(value: unknown, path: string): JsonValue | undefined {
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current as JsonValue | undefined;
}

/** A plain-object view of a value (else undefined). */
export function asObject(value: unknown): Record<string, JsonValue> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, JsonValue>) : undefined;
}

/** A string field, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A finite number (or a numeric string, as OTLP JSON writes 64-bit integers), else undefined. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/**
 * A value that some exporters store as JSON text (Langfuse's ClickHouse export, OTel attributes): the
 * parsed value when the text is a JSON object or array, else the value itself.
 */
export function maybeJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trimStart();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return value;
  try {
    return parseJson(value);
  } catch {
    return value;
  }
}

/** A field value as tag text: strings as they are, numbers and booleans printed, anything else absent. */
export function tagText(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
