import { isDeepStrictEqual } from "node:util";
import type { EvalCase, JsonValue, RunAgreement, ToolCall } from "../types.js";

/**
 * Whether the candidate answered a request as the baseline did (SPEC §9 `agreement.*`): the same tool
 * calls (names and arguments, in any order; call ids are random and ignored), and the same JSON (parsed,
 * so spacing and key order do not count). A measure applies only where it means something: tool calls
 * where the request offered tools, JSON where the baseline answered JSON. Undefined: neither applies.
 */
export function agreementOf(
  testCase: Pick<EvalCase, "tools">,
  baseline: { text: string; tool_calls: ToolCall[] },
  candidate: { text: string; tool_calls: ToolCall[] },
): RunAgreement | undefined {
  const agreement: RunAgreement = {};
  if ((testCase.tools?.length ?? 0) > 0) agreement.tool_calls = sameCalls(baseline.tool_calls, candidate.tool_calls);
  const baselineJson = parsedJson(baseline.text);
  if (baselineJson !== undefined) {
    const candidateJson = parsedJson(candidate.text);
    agreement.output_json = candidateJson !== undefined && isDeepStrictEqual(baselineJson, candidateJson);
  }
  return agreement.tool_calls === undefined && agreement.output_json === undefined ? undefined : agreement;
}

function sameCalls(a: ToolCall[], b: ToolCall[]): boolean {
  if (a.length !== b.length) return false;
  const key = (call: ToolCall) => JSON.stringify([call.name, sortedKeys(call.arguments ?? null)]);
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((value, index) => value === right[index]);
}

/** A value with object keys in sorted order, so two equal objects serialise alike. */
function sortedKeys(value: JsonValue | undefined): JsonValue {
  if (value === undefined || value === null || typeof value !== "object") return value ?? null;
  if (Array.isArray(value)) return value.map(sortedKeys);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}

/** The output as JSON when it is a JSON object or array (a bare string or number is not a JSON answer). */
function parsedJson(output: string): JsonValue | undefined {
  const text = output.trim();
  if (!text.startsWith("{") && !text.startsWith("[")) return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
