/** How a run describes its variants in the report: a configured variant, or a side answered by recorded traffic. */
import { displayName } from "../paths.js";
import { endpointHost } from "../providers/index.js";
import type { EvalCase, Side, VariantInfo, VariantSpec } from "../types.js";

/**
 * A recorded side in the report: provider `recorded`, the model(s) the traffic's arms name (one, or
 * the most common first), the prompt hash the lines carry when they agree.
 */
export function recordedInfo(cases: Iterable<EvalCase>, side: Side): VariantInfo {
  const models = recordedModels();
  for (const testCase of cases) countRecordedModels(testCase, models);
  return recordedInfoFrom(models[side]);
}

/** How many recorded arms each model answered, per side (filled by `countRecordedModels`, case by case). */
export function recordedModels(): Record<Side, Map<string, number>> {
  return { baseline: new Map(), candidate: new Map() };
}

export function countRecordedModels(testCase: EvalCase, models: Record<Side, Map<string, number>>): void {
  for (const side of ["baseline", "candidate"] as const) {
    const model = testCase.traffic?.arms[side]?.model;
    if (model !== undefined) models[side].set(model, (models[side].get(model) ?? 0) + 1);
  }
}

export function recordedInfoFrom(models: Map<string, number>): VariantInfo {
  const byUse = [...models.entries()].sort((a, b) => b[1] - a[1]).map(([model]) => model);
  return { name: "recorded", provider: "recorded", model: byUse.join(", ") || "(none recorded)", prompt_sha256: null, params: {} };
}

export function variantInfo(spec: VariantSpec, env: NodeJS.ProcessEnv): VariantInfo {
  return {
    name: spec.name,
    provider: spec.provider,
    model: spec.model,
    base_url_host: endpointHost(spec, env),
    prompt_sha256: spec.prompt?.sha256 ?? null,
    ...(spec.prompt ? { prompt_path: spec.prompt.path === "(inline)" ? "(inline)" : displayName(spec.prompt.path) } : {}),
    params: spec.params,
    ...(spec.reasoning ? { reasoning: spec.reasoning } : {}),
    ...(spec.thinking ? { thinking: spec.thinking } : {}),
    ...(spec.stream ? { stream: true } : {}),
    ...(spec.provider === "azure"
      ? { deployment: spec.deployment ?? spec.model, ...(spec.api_version ? { api_version: spec.api_version } : {}) }
      : {}),
  };
}
