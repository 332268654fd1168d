import { jsonErrorMessage, parseJson, safeJson } from "../fields.js";
import type { JsonValue, ToolCall } from "../types.js";

/**
 * Longest tool-call argument text kept (characters of JSON). A model's arguments are untrusted: past this
 * they are an `arguments_error` on the call, so a flood cannot reach the checks, the report or the cache.
 */
export const maxArgumentChars = 1_000_000;
/** What is kept of arguments that were refused, so the report shows what came back without carrying all of it. */
const keptPrefixChars = 2_000;

type ParsedArguments = Pick<ToolCall, "arguments" | "raw_arguments" | "arguments_error">;

/**
 * Parses a model's tool-call arguments: OpenAI's JSON string or Anthropic's `tool_use.input` object,
 * with the limits model outputs get (nesting at most 200 levels, as `parseJson`; at most
 * `maxArgumentChars`). Anything else is kept and reported on the call, never thrown.
 */
export function parseToolArguments(raw: unknown): ParsedArguments {
  if (typeof raw !== "string") return fromObject(raw);
  if (raw.length > maxArgumentChars) return refused(raw, `arguments are ${raw.length} characters, over the limit of ${maxArgumentChars}`);
  if (raw.trim() === "") return { arguments: {} };
  try {
    const parsed = parseJson(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return { arguments: parsed };
    return { arguments: null, raw_arguments: raw, arguments_error: "arguments are not a JSON object" };
  } catch (error) {
    const reason = error instanceof RangeError ? error.message : `not valid JSON: ${jsonErrorMessage(error)}`;
    return refused(raw, `arguments are ${reason}`);
  }
}

/** An SDK-parsed `input` object: copied with the same nesting limit, then measured as the JSON it came as. */
function fromObject(raw: unknown): ParsedArguments {
  let copy: JsonValue;
  try {
    copy = safeJson(raw ?? null);
  } catch (error) {
    return { arguments: null, raw_arguments: "", arguments_error: `arguments are ${(error as Error).message}` };
  }
  const text = JSON.stringify(copy);
  if (text.length > maxArgumentChars) return refused(text, `arguments are ${text.length} characters, over the limit of ${maxArgumentChars}`);
  if (typeof copy === "object" && copy !== null && !Array.isArray(copy)) return { arguments: copy };
  return { arguments: null, raw_arguments: text, arguments_error: "arguments are not a JSON object" };
}

function refused(raw: string, reason: string): ParsedArguments {
  const kept = raw.length > keptPrefixChars ? `${raw.slice(0, keptPrefixChars)}…` : raw;
  return { arguments: null, raw_arguments: kept, arguments_error: reason };
}
