import { suggest } from "../errors.js";
import { expected } from "../fields.js";
import type { CheckBuildContext, CheckResult, CheckSpec, JsonValue } from "../types.js";

/** Keys every check entry may carry; the registry handles them. */
export const commonKeys = ["id", "type", "category", "when", "description"];

type OptionKind = "string" | "number" | "boolean" | "array" | "object" | "any";

/**
 * Validates a check's own options: unknown keys (with "did you mean"), and each known key's JSON type.
 * Returns the options that are well-typed.
 */
export function checkOptions<T extends Record<string, OptionKind>>(
  spec: CheckSpec,
  context: CheckBuildContext,
  options: T,
): { [K in keyof T]?: JsonValue } {
  const known = [...commonKeys, ...Object.keys(options)];
  const result: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (commonKeys.includes(key) || value === undefined) continue;
    const kind = options[key];
    if (kind === undefined) {
      context.issue(key, `unknown option for a ${spec.type} check${suggest(key, known) || ` (known: ${Object.keys(options).join(", ") || "none"})`}`);
      continue;
    }
    const ok =
      kind === "any" ||
      (kind === "array"
        ? Array.isArray(value)
        : kind === "object"
          ? typeof value === "object" && value !== null && !Array.isArray(value)
          : typeof value === kind);
    if (!ok) context.issue(key, expected(kind === "array" ? "an array" : kind === "object" ? "an object" : `a ${kind}`, value));
    else result[key] = value;
  }
  return result as { [K in keyof T]?: JsonValue };
}

/** Reports a missing required option. */
export function requireOption(spec: CheckSpec, context: CheckBuildContext, key: string, what: string): void {
  if (spec[key] === undefined) context.issue(key, `required for a ${spec.type} check: ${what}`);
}

/** The draw has no output (the request failed): the check cannot be scored. */
export const noOutput: CheckResult = { status: "error", score: null, reason: "no output to score (the request failed)" };

export function passFail(pass: boolean, reason: string): CheckResult {
  return { status: pass ? "pass" : "fail", score: pass ? 1 : 0, reason };
}

/** A short, single-line excerpt of a model's output for reasons. */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat);
}
