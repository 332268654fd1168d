import type { JsonObject, VariantSpec } from "../types.js";

/**
 * OpenAI reasoning models reject any `temperature` but the default ("Unsupported value: 'temperature'
 * does not support 0 with this model"): the o-series and the gpt-5 family. Matched on the id after any
 * gateway prefix (`openai/o3-mini`, `azure/gpt-5-mini`). Leaving temperature out of a model that would
 * have taken it costs a little determinism; sending it to one that refuses it means the judge cannot
 * judge at all — so the families are matched broadly.
 */
const refusesTemperature = /^(?:o\d+(?:-|$)|gpt-5(?:[.-]|$))/;

/**
 * Params that turn on a model's reasoning, with which providers refuse a set temperature (Anthropic:
 * "temperature may only be set to 1 when thinking is enabled"; OpenAI `reasoning_effort` / `reasoning`).
 */
function enablesReasoning(params: JsonObject): boolean {
  if (params.reasoning_effort !== undefined || params.reasoning !== undefined) return true;
  const thinking = params.thinking;
  if (thinking === undefined || thinking === null || thinking === false) return false;
  return !(typeof thinking === "object" && !Array.isArray(thinking) && thinking.type === "disabled");
}

/** Whether the judge's model and params would take `temperature: 0` (see the two rules above). */
export function acceptsTemperature(spec: Pick<VariantSpec, "model" | "params">): boolean {
  const model = (spec.model.split("/").pop() ?? spec.model).toLowerCase();
  return !refusesTemperature.test(model) && !enablesReasoning(spec.params);
}

/**
 * The params a judge call sends (SPEC §2): the judge keeps its own variant's params; temperature 0 is
 * added only where the variant sets no temperature and the model accepts one. A variant that sets its
 * own sampling (`top_p`) keeps it alone — newer Claude models refuse temperature and top_p together.
 * `temperature: null` says "send no temperature" for a model modelgate does not recognise as refusing it.
 */
export function judgeParams(spec: Pick<VariantSpec, "model" | "params">): JsonObject {
  const { params } = spec;
  if (Object.hasOwn(params, "temperature")) {
    if (params.temperature !== null) return params;
    const { temperature: _omitted, ...rest } = params;
    return rest;
  }
  if (params.top_p !== undefined || !acceptsTemperature(spec)) return params;
  return { ...params, temperature: 0 };
}
