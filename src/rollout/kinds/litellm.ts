/**
 * LiteLLM proxy: the `model_list` deployments of one `model_name` in the proxy's config.yaml
 * (https://docs.litellm.ai/docs/proxy/configs). The router's simple-shuffle strategy
 * (litellm/router_strategy/simple_shuffle.py) reads `litellm_params.weight` — only if the group's first
 * deployment has one, a missing weight counting 0 — and `random.choices` raises when every weight is 0.
 * So every deployment of the group gets an explicit weight, never all zero: with nb baseline and nc
 * candidate deployments (told apart by `litellm_params.model`, `provider/<model>`), each candidate
 * weighs p·nb and each baseline (100-p)·nc. No targeting: a tenant stage is refused at plan validation.
 * The file is edited as a YAML document, so comments and the other groups stay as they are.
 */
import { isMap, isSeq, parseDocument } from "yaml";
import type { Actuator, ActuatorFactory, LiveState } from "../actuator.js";
import { fileDiff, readIfExists, writeAtomically } from "../file-change.js";
import { refusal } from "../refusal.js";
import { makeSplit } from "../split.js";

interface Deployment {
  index: number;
  arm: "baseline" | "candidate";
  weight: number | undefined;
}

export const createLitellm: ActuatorFactory<"litellm"> = (spec, context): Actuator => {
  const models = { baseline: context.baseline.model, candidate: context.candidate.model };
  const isModel = (value: unknown, model: string) => typeof value === "string" && (value === model || value.endsWith(`/${model}`));

  const parse = () => {
    const text = readIfExists(spec.path);
    if (text === null) throw refusal(`${spec.path}: no LiteLLM config there`);
    const document = parseDocument(text);
    if (document.errors.length > 0) throw refusal(`${spec.path}: not valid YAML: ${document.errors[0]?.message}`);
    const list = document.get("model_list");
    if (!isSeq(list)) throw refusal(`${spec.path}: no model_list`);
    const deployments: Deployment[] = [];
    const foreign: string[] = [];
    list.items.forEach((item, index) => {
      if (!isMap(item) || item.get("model_name") !== spec.model_name) return;
      const params = item.get("litellm_params", true);
      const model = isMap(params) ? (params.toJSON() as Record<string, unknown>).model : undefined;
      const weight = isMap(params) ? (params.toJSON() as Record<string, unknown>).weight : undefined;
      const arm = isModel(model, models.candidate) ? "candidate" : isModel(model, models.baseline) ? "baseline" : undefined;
      if (arm === undefined) foreign.push(String(model));
      else deployments.push({ index, arm, weight: typeof weight === "number" ? weight : undefined });
    });
    if (models.baseline === models.candidate)
      throw refusal(`litellm: baseline and candidate use the same model ${models.baseline}; deployments are told apart by model`);
    const count = (arm: string) => deployments.filter((d) => d.arm === arm).length;
    if (count("baseline") === 0 || count("candidate") === 0 || foreign.length > 0)
      throw refusal(
        `${spec.path}: model_name ${JSON.stringify(spec.model_name)} should have deployments of ${models.baseline} and ${models.candidate} only; found ${count("baseline")} and ${count("candidate")}${foreign.length > 0 ? ` and others: ${foreign.join(", ")}` : ""}`,
      );
    return { text, document, deployments };
  };

  const percentOf = (deployments: Deployment[]) => {
    // simple_shuffle: no weight on the first deployment → an unweighted pick; a missing weight counts 0
    if (deployments[0]?.weight === undefined) {
      const candidates = deployments.filter((d) => d.arm === "candidate").length;
      return Math.round((100 * candidates) / deployments.length);
    }
    const sum = (arm: string) => deployments.filter((d) => d.arm === arm).reduce((total, d) => total + (d.weight ?? 0), 0);
    const total = sum("baseline") + sum("candidate");
    if (total <= 0) throw refusal(`${spec.path}: every deployment of ${spec.model_name} has weight 0 (LiteLLM's router would fail every request)`);
    return Math.round((100 * sum("candidate")) / total);
  };

  return {
    kind: "litellm",
    readable: true,
    describe: `litellm model_name ${JSON.stringify(spec.model_name)} in ${spec.path}`,
    async read(): Promise<LiveState> {
      const { deployments, document } = parse();
      return { split: makeSplit(true, percentOf(deployments), []), others: [], raw: (document.toJSON() as { model_list?: unknown }).model_list };
    },
    async prepare(_live, desired) {
      const { text, document, deployments } = parse();
      const { percent } = desired.split;
      const nb = deployments.filter((d) => d.arm === "baseline").length;
      const nc = deployments.length - nb;
      for (const d of deployments)
        document.setIn(["model_list", d.index, "litellm_params", "weight"], d.arm === "candidate" ? percent * nb : (100 - percent) * nc);
      const after = document.toString();
      return {
        effect: { file: fileDiff(spec.path, text, after) },
        after: makeSplit(true, percent, []),
        async apply() {
          if (after !== text) writeAtomically(spec.path, after);
        },
      };
    },
  };
};
