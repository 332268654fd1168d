/**
 * Portkey gateway: a config file (https://portkey.ai/docs/product/ai-gateway/configs) the application
 * sends in `x-portkey-config`. The split is a `loadbalance` strategy over two targets told apart by
 * `override_params.model` (the plan's baseline and candidate models); their weights are 100-p and p.
 * A tenant stage makes the top level `conditional` (https://portkey.ai/docs/product/ai-gateway/conditional-routing):
 * requests whose `x-portkey-metadata` has a listed `tenant` go to the candidate, the rest to the
 * loadbalance split. Everything else in a target (provider, custom_host, keys) is kept as the team wrote it.
 */
import type { Actuator, ActuatorFactory, LiveState } from "../actuator.js";
import { fileDiff, readIfExists, writeAtomically } from "../file-change.js";
import { refusal } from "../refusal.js";
import { makeSplit } from "../split.js";

type Json = Record<string, unknown>;
const candidateName = "modelgate-candidate";
const splitName = "modelgate-split";

interface Parsed {
  text: string;
  config: Json;
  baseline: Json;
  candidate: Json;
  percent: number;
  tenants: string[];
}

export const createPortkey: ActuatorFactory<"portkey"> = (spec, context): Actuator => {
  const models = { baseline: context.baseline.model, candidate: context.candidate.model };
  const parse = (): Parsed => {
    const text = readIfExists(spec.path);
    if (text === null)
      throw refusal(
        `${spec.path}: no Portkey config there; write one with a loadbalance target for ${models.baseline} and one for ${models.candidate}`,
      );
    let config: Json;
    try {
      config = JSON.parse(text) as Json;
    } catch (error) {
      throw refusal(`${spec.path}: not a JSON Portkey config: ${(error as Error).message}`);
    }
    const strategy = (config.strategy ?? {}) as Json;
    let split: Json = config;
    let tenants: string[] = [];
    if (strategy.mode === "conditional") {
      const conditions = (strategy.conditions ?? []) as Json[];
      const byTenant = conditions.find((c) => c.then === candidateName);
      const query = (byTenant?.query as Json | undefined)?.["metadata.tenant"] as Json | undefined;
      const found = ((config.targets ?? []) as Json[]).find((t) => t.name === splitName);
      if (!byTenant || !Array.isArray(query?.$in) || !found || strategy.default !== splitName || conditions.length !== 1)
        throw refusal(`${spec.path}: a conditional config that is not the shape modelgate writes (conditions: ${JSON.stringify(conditions)})`);
      tenants = query.$in as string[];
      split = found;
    } else if (strategy.mode !== "loadbalance")
      throw refusal(`${spec.path}: strategy.mode is ${JSON.stringify(strategy.mode)}; modelgate sets the weights of a "loadbalance" config`);
    const targets = (split.targets ?? []) as Json[];
    const modelOf = (t: Json) => (t.override_params as Json | undefined)?.model;
    const pick = (arm: "baseline" | "candidate") => {
      const matches = targets.filter((t) => modelOf(t) === models[arm]);
      if (matches.length !== 1)
        throw refusal(
          `${spec.path}: expected one target with override_params.model ${JSON.stringify(models[arm])} (the plan's ${arm}), found ${matches.length} among models ${JSON.stringify(targets.map(modelOf))}`,
        );
      return matches[0] as Json;
    };
    if (models.baseline === models.candidate)
      throw refusal(`portkey: baseline and candidate use the same model ${models.baseline}; targets are told apart by model`);
    const baseline = pick("baseline");
    const candidate = pick("candidate");
    if (targets.length !== 2)
      throw refusal(`${spec.path}: the loadbalance has ${targets.length} targets; modelgate splits exactly baseline and candidate`);
    const weight = (t: Json) => (typeof t.weight === "number" ? t.weight : 1); // the gateway's default weight is 1
    const total = weight(baseline) + weight(candidate);
    if (total <= 0) throw refusal(`${spec.path}: every target has weight 0`);
    return { text, config, baseline, candidate, percent: Math.round((100 * weight(candidate)) / total), tenants };
  };

  return {
    kind: "portkey",
    readable: true,
    describe: `portkey config ${spec.path}`,
    async read(): Promise<LiveState> {
      const parsed = parse();
      return { split: makeSplit(true, parsed.percent, parsed.tenants), others: [], raw: parsed.config };
    },
    async prepare(_live, desired) {
      const parsed = parse();
      const { percent, tenants } = desired.split;
      const strip = ({ name: _n, weight: _w, ...rest }: Json) => rest;
      const loadbalance = [
        { ...strip(parsed.baseline), weight: 100 - percent },
        { ...strip(parsed.candidate), weight: percent },
      ];
      const { strategy: _s, targets: _t, ...rest } = parsed.config;
      const config =
        tenants.length === 0
          ? { ...rest, strategy: { mode: "loadbalance" }, targets: loadbalance }
          : {
              ...rest,
              strategy: {
                mode: "conditional",
                // biome-ignore lint/suspicious/noThenProperty: Portkey's conditional-routing schema names the target `then`
                conditions: [{ query: { "metadata.tenant": { $in: tenants } }, then: candidateName }],
                default: splitName,
              },
              targets: [
                { name: candidateName, ...strip(parsed.candidate) },
                { name: splitName, strategy: { mode: "loadbalance" }, targets: loadbalance },
              ],
            };
      const after = `${JSON.stringify(config, null, 2)}\n`;
      return {
        effect: { file: fileDiff(spec.path, parsed.text, after) },
        after: makeSplit(true, percent, tenants),
        async apply() {
          if (after !== parsed.text) writeAtomically(spec.path, after);
        },
      };
    },
  };
};
