/** How a run describes its variants in the report: a configured variant, or a side answered by recorded traffic. */
import { displayName } from "../paths.js";
import { endpointHost } from "../providers/index.js";
import type { EvalCase, Side, VariantInfo, VariantSpec } from "../types.js";

/**
 * A recorded side in the report: provider `recorded`, the model(s) the traffic's arms name (one, or
 * the most common first), the prompt hash the lines carry when they agree.
 */
export function recordedInfo(cases: EvalCase[], side: Side): VariantInfo {
  const models = new Map<string, number>();
  for (const testCase of cases) {
    const model = testCase.traffic?.arms[side]?.model;
    if (model !== undefined) models.set(model, (models.get(model) ?? 0) + 1);
  }
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
