import type { JsonValue, ToolCall } from "../types.js";

/** Parses a model's tool-call arguments; text that is not a JSON object is kept and reported, never thrown. */
export function parseToolArguments(raw: unknown): Pick<ToolCall, "arguments" | "raw_arguments" | "arguments_error"> {
  if (typeof raw !== "string") {
    if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) return { arguments: raw as JsonValue };
    return { arguments: null, raw_arguments: JSON.stringify(raw ?? null), arguments_error: "arguments are not a JSON object" };
  }
  if (raw.trim() === "") return { arguments: {} };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return { arguments: parsed as JsonValue };
    return { arguments: null, raw_arguments: raw, arguments_error: "arguments are not a JSON object" };
  } catch (error) {
    return { arguments: null, raw_arguments: raw, arguments_error: `arguments are not valid JSON: ${(error as Error).message}` };
  }
}
