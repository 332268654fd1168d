import type { CheckBuildContext, CheckFactory, CheckSpec } from "../types.js";
import { checkOptions, passFail } from "./common.js";

/**
 * The budget: `max`, or the same number under the name a rubric may naturally give it (`value`,
 * `max_tokens` / `max_ms`); exactly one of them.
 */
function readMax(spec: CheckSpec, context: CheckBuildContext, alias: "max_tokens" | "max_ms"): number | undefined {
  const options = checkOptions(spec, context, { max: "number", value: "number", [alias]: "number" } as Record<string, "number">);
  const given = (["max", "value", alias] as const).filter((key) => options[key] !== undefined);
  if (given.length > 1) context.issue(given[1] ?? "max", `give the budget once (got ${given.join(" and ")})`);
  const key = given[0] ?? "max";
  const max = options[key] as number | undefined;
  if (max === undefined || !Number.isFinite(max) || max < 0) {
    context.issue(key, `required for a ${spec.type} check: a non-negative number (as \`max:\`)`);
    return undefined;
  }
  return max;
}

/** `max-tokens`: output tokens (as the provider reported them) within `max`. */
export const maxTokens: CheckFactory = (spec, context) => {
  const max = readMax(spec, context, "max_tokens");
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => max !== undefined,
    score: ({ usage, output }) => {
      if (output === null) return { status: "error", score: null, reason: "no output (the request failed)" };
      if (usage === null) return { status: "error", score: null, reason: "the provider reported no token usage" };
      const ok = usage.output_tokens <= (max ?? 0);
      return passFail(ok, `${usage.output_tokens} output tokens (max ${max})`);
    },
  };
};

/** `max-latency-ms`: the successful attempt's latency within `max`. */
export const maxLatencyMs: CheckFactory = (spec, context) => {
  const max = readMax(spec, context, "max_ms");
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => max !== undefined,
    score: ({ latency_ms, output }) => {
      if (output === null) return { status: "error", score: null, reason: "no output (the request failed)" };
      if (latency_ms === null) return { status: "skipped", score: null, reason: "no latency recorded for this response" };
      return passFail(latency_ms <= (max ?? 0), `${Math.round(latency_ms)} ms (max ${max} ms)`);
    },
  };
};
