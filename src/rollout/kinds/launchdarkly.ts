/**
 * LaunchDarkly: a flag's fallthrough (default rule) percentage rollout in one environment, changed by
 * semantic patch (PATCH /api/v2/flags/{project}/{flag} with `Content-Type: application/json;
 * domain-model=launchdarkly.semanticpatch`; launchdarkly/ld-openapi, "Update feature flag"). Weights are
 * in thousandths of a percent and sum to 100000. The flag's variations must include the baseline's and
 * the candidate's `{model, prompt_sha256}` as JSON values (told apart by value). Tenants are one rule
 * (description `modelgate: tenants`) with the clause `tenant in [...]` serving the candidate. Rollback:
 * all weight to the baseline variation and the tenant rule removed.
 */
import type { Actuator, ActuatorFactory, CallRecord, LiveState } from "../actuator.js";
import { readToken, send } from "../http.js";
import { samePayload, toPayload } from "../payload.js";
import { refusal } from "../refusal.js";
import { makeSplit } from "../split.js";

type Json = Record<string, unknown>;
interface Variation {
  _id: string;
  value: unknown;
  name?: string;
}
interface Rule {
  _id: string;
  description?: string;
  variation?: number;
  rollout?: unknown;
  clauses?: Array<{ _id?: string; attribute: string; op: string; values: unknown[]; negate?: boolean; contextKind?: string }>;
}
interface Rollout {
  variations: Array<{ variation: number; weight: number }>;
}

export const semanticPatchType = "application/json; domain-model=launchdarkly.semanticpatch";
const ruleDescription = "modelgate: tenants";
/** The whole of a LaunchDarkly rollout, in thousandths of a percent. */
export const fullWeight = 100_000;

export const createLaunchdarkly: ActuatorFactory<"launchdarkly"> = (spec, context): Actuator => {
  const base = spec.url.replace(/\/+$/, "").replace(/\/api\/v2$/, "");
  const flagUrl = `${base}/api/v2/flags/${encodeURIComponent(spec.project)}/${encodeURIComponent(spec.flag)}`;
  const secretHeaders = () => ({ authorization: readToken(context.env, spec.token_env, "launchdarkly") });

  const fetchFlag = async () => {
    const { body } = await send(
      { method: "GET", url: `${flagUrl}?env=${encodeURIComponent(spec.environment)}` },
      { fetch: context.fetch, secretHeaders: secretHeaders() },
    );
    const flag = body as Json;
    const variations = (flag.variations ?? []) as Variation[];
    const environment = (flag.environments as Record<string, Json> | undefined)?.[spec.environment];
    if (!environment) throw refusal(`launchdarkly flag ${spec.flag}: no environment ${JSON.stringify(spec.environment)}`);
    const find = (arm: "baseline" | "candidate") => {
      const index = variations.findIndex((v) => samePayload(toPayload(v.value), context[arm]));
      if (index < 0)
        throw refusal(
          `launchdarkly flag ${spec.flag}: no variation carries the plan's ${arm} ${JSON.stringify(context[arm])} (found ${variations.map((v) => JSON.stringify(v.value)).join(", ")}); model and prompt must flip together`,
        );
      return index;
    };
    return { environment, variations, baselineIndex: find("baseline"), candidateIndex: find("candidate") };
  };

  const splitOf = (environment: Json, baselineIndex: number, candidateIndex: number) => {
    const fallthrough = (environment.fallthrough ?? {}) as { variation?: number; rollout?: Rollout };
    let percent: number;
    if (fallthrough.rollout) {
      const weights = fallthrough.rollout.variations ?? [];
      const total = weights.reduce((sum, w) => sum + w.weight, 0);
      const foreign = weights.filter((w) => w.weight > 0 && w.variation !== baselineIndex && w.variation !== candidateIndex);
      if (total !== fullWeight || foreign.length > 0)
        throw refusal(
          `launchdarkly flag ${spec.flag}: the fallthrough rollout is not baseline/candidate summing to ${fullWeight}: ${JSON.stringify(weights)}`,
        );
      percent = (100 * weights.filter((w) => w.variation === candidateIndex).reduce((sum, w) => sum + w.weight, 0)) / fullWeight;
    } else percent = fallthrough.variation === candidateIndex ? 100 : 0;
    const rules = (environment.rules ?? []) as Rule[];
    const ours = rules.find((r) => r.description === ruleDescription);
    const tenants = ours?.variation === candidateIndex ? ((ours.clauses?.[0]?.values ?? []) as string[]) : [];
    const others = rules
      .filter((r) => r !== ours)
      .map((r) => `rule ${r._id}${r.description ? ` "${r.description}"` : ""} targets part of the traffic: it is not modelgate's`);
    return { split: makeSplit(environment.on === true, percent, tenants), ours, others };
  };

  return {
    kind: "launchdarkly",
    readable: true,
    describe: `launchdarkly flag ${spec.flag} (project ${spec.project}, environment ${spec.environment})`,
    async read(): Promise<LiveState> {
      const { environment, variations, baselineIndex, candidateIndex } = await fetchFlag();
      const { split, others } = splitOf(environment, baselineIndex, candidateIndex);
      return {
        split,
        baseline: toPayload(variations[baselineIndex]?.value),
        candidate: toPayload(variations[candidateIndex]?.value),
        others,
        raw: { on: environment.on, fallthrough: environment.fallthrough, rules: environment.rules },
      };
    },
    async prepare(_live, desired) {
      const { environment, variations, baselineIndex, candidateIndex } = await fetchFlag();
      const { ours } = splitOf(environment, baselineIndex, candidateIndex);
      const candidateId = (variations[candidateIndex] as Variation)._id;
      const baselineId = (variations[baselineIndex] as Variation)._id;
      const { percent, tenants } = desired.split;
      const instructions: Json[] = [];
      // A rollback leaves the flag on: with it off LaunchDarkly serves the off variation, not the split.
      if (environment.on !== true && desired.decision !== "rollback") instructions.push({ kind: "turnFlagOn" });
      instructions.push({
        kind: "updateFallthroughVariationOrRollout",
        rolloutWeights: { [candidateId]: percent * 1000, [baselineId]: (100 - percent) * 1000 },
        rolloutBucketBy: "key",
        rolloutContextKind: "user",
      });
      const sameTenants = ours && JSON.stringify([...(ours.clauses?.[0]?.values ?? [])].sort()) === JSON.stringify(tenants);
      if (ours && !sameTenants) instructions.push({ kind: "removeRule", ruleId: ours._id });
      if (tenants.length > 0 && !sameTenants)
        instructions.push({
          kind: "addRule",
          description: ruleDescription,
          clauses: [{ contextKind: "user", attribute: "tenant", op: "in", negate: false, values: tenants }],
          variationId: candidateId,
        });
      const call: CallRecord = {
        method: "PATCH",
        url: flagUrl,
        headers: { "content-type": semanticPatchType },
        body: { environmentKey: spec.environment, comment: `modelgate ${context.planName}: ${desired.decision}`, instructions },
      };
      return {
        effect: { calls: [call] },
        after: makeSplit(desired.decision === "rollback" ? environment.on === true : true, percent, tenants),
        async apply() {
          await send(call, { fetch: context.fetch, secretHeaders: secretHeaders(), contentType: semanticPatchType });
        },
      };
    },
  };
};
