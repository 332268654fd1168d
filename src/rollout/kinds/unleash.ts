/**
 * Unleash: a flag's gradual-rollout (`flexibleRollout`) strategy in one environment, via the Admin API
 * (https://docs.getunleash.io/reference/api/unleash). modelgate owns up to two strategies on the flag in
 * that environment, titled `modelgate:percent` (rollout p, no constraint) and `modelgate:tenants`
 * (rollout 100, constraint `tenant IN [...]`, present only while tenants are on); both carry one strategy
 * variant, `candidate`, whose JSON payload is the candidate's `{model, prompt_sha256}`. A request outside
 * them sees the flag off: the application serves the baseline. Set = the percent strategy's `rollout`
 * (and the flag on in that environment); rollback = rollout 0, the tenant strategy removed, the flag off
 * there. An untitled unconstrained flexibleRollout strategy a person made is adopted as the percent one;
 * any other active strategy would enable the flag behind modelgate's back and is named as found.
 */
import type { Actuator, ActuatorFactory, CallRecord, LiveState, Split } from "../actuator.js";
import { readToken, send } from "../http.js";
import { payloadJson, toPayload } from "../payload.js";
import { refusal } from "../refusal.js";
import { makeSplit } from "../split.js";

type Json = Record<string, unknown>;
interface Strategy {
  id: string;
  name: string;
  title?: string | null;
  disabled?: boolean;
  constraints?: Array<{ contextName: string; operator: string; values?: string[]; inverted?: boolean }>;
  parameters?: Record<string, string>;
  variants?: Array<{ name: string; payload?: { type: string; value: string } }>;
  segments?: number[];
}

const percentTitle = "modelgate:percent";
const tenantsTitle = "modelgate:tenants";

export const createUnleash: ActuatorFactory<"unleash"> = (spec, context): Actuator => {
  const base = spec.url.replace(/\/+$/, "").replace(/\/api$/, "");
  const enc = encodeURIComponent;
  const featureUrl = `${base}/api/admin/projects/${enc(spec.project)}/features/${enc(spec.flag)}`;
  const envUrl = `${featureUrl}/environments/${enc(spec.environment)}`;
  const secretHeaders = () => ({ authorization: readToken(context.env, spec.token_env, "unleash") });
  const call = (c: CallRecord) => send(c, { fetch: context.fetch, secretHeaders: secretHeaders(), accept: c.method === "GET" ? [404] : [] });

  /** The flag's strategies in the environment, sorted into modelgate's two and the rest. */
  const classify = (feature: Json) => {
    const environments = (feature.environments ?? []) as Array<{ name: string; enabled: boolean; strategies: Strategy[] }>;
    const environment = environments.find((e) => e.name === spec.environment);
    if (!environment)
      throw refusal(
        `unleash flag ${spec.flag}: no environment ${JSON.stringify(spec.environment)} in project ${spec.project} (found ${environments.map((e) => e.name).join(", ") || "none"})`,
      );
    const strategies = environment.strategies ?? [];
    const isTenantRule = (s: Strategy) =>
      s.constraints?.length === 1 && s.constraints[0]?.contextName === "tenant" && s.constraints[0]?.operator === "IN";
    const flexible = (s: Strategy) => s.name === "flexibleRollout";
    const percent =
      strategies.find((s) => s.id === context.ids.percentStrategy) ??
      strategies.find((s) => s.title === percentTitle) ??
      (context.ids.percentStrategy === undefined
        ? strategies.find((s) => flexible(s) && !s.title && (s.constraints ?? []).length === 0 && !s.disabled)
        : undefined);
    const tenants =
      strategies.find((s) => s.id === context.ids.tenantStrategy) ??
      strategies.find((s) => s.title === tenantsTitle) ??
      (context.ids.tenantStrategy === undefined ? strategies.find((s) => flexible(s) && !s.title && isTenantRule(s) && !s.disabled) : undefined);
    const others = strategies.filter((s) => s !== percent && s !== tenants && !s.disabled);
    return { environment, percent, tenants, others };
  };

  const read = async () => {
    const { status, body } = await call({ method: "GET", url: featureUrl });
    return status === 404 ? null : (body as Json);
  };

  return {
    kind: "unleash",
    readable: true,
    describe: `unleash flag ${spec.flag} (project ${spec.project}, environment ${spec.environment}) at ${base}`,
    async read(): Promise<LiveState> {
      const feature = await read();
      if (feature === null) return { split: null, others: [], raw: null };
      const { environment, percent, tenants, others } = classify(feature);
      const rollout = percent ? Number(percent.parameters?.rollout) : 0;
      const tenantOn = tenants && !tenants.disabled && Number(tenants.parameters?.rollout) === 100 ? (tenants.constraints?.[0]?.values ?? []) : [];
      const variant = percent?.variants?.find((v) => v.name === "candidate") ?? percent?.variants?.[0];
      const ids: Record<string, string> = {};
      if (percent) ids.percentStrategy = percent.id;
      if (tenants) ids.tenantStrategy = tenants.id;
      return {
        split: makeSplit(environment.enabled, percent && !percent.disabled ? rollout : 0, tenantOn),
        candidate: variant?.payload ? toPayload(variant.payload.value) : null,
        others: others.map(
          (s) => `strategy ${s.name}${s.title ? ` "${s.title}"` : ""} (${s.id}) also enables the flag in ${spec.environment}: it is not modelgate's`,
        ),
        ids,
        raw: { enabled: environment.enabled, strategies: environment.strategies },
      };
    },
    async prepare(_live, desired) {
      const feature = await read();
      const found = feature === null ? null : classify(feature);
      const split: Split = desired.split;
      const calls: CallRecord[] = [];
      if (feature === null)
        calls.push({
          method: "POST",
          url: `${base}/api/admin/projects/${enc(spec.project)}/features`,
          body: { name: spec.flag, type: "release", description: `modelgate canary ${context.planName}` },
        });
      const variants = [
        {
          name: "candidate",
          weight: 1000,
          weightType: "variable",
          stickiness: "default",
          payload: { type: "json", value: payloadJson(context.candidate) },
        },
      ];
      const strategyBody = (existing: Strategy | undefined, title: string, rollout: number, constraints: Strategy["constraints"]) => ({
        name: "flexibleRollout",
        title: existing?.title || title,
        constraints,
        parameters: {
          rollout: String(rollout),
          stickiness: existing?.parameters?.stickiness ?? "default",
          groupId: existing?.parameters?.groupId ?? spec.flag,
        },
        variants,
        segments: existing?.segments ?? [],
        disabled: false,
      });
      const percent = found?.percent;
      calls.push(
        percent
          ? {
              method: "PUT",
              url: `${envUrl}/strategies/${enc(percent.id)}`,
              body: strategyBody(percent, percentTitle, split.percent, percent.constraints ?? []),
            }
          : { method: "POST", url: `${envUrl}/strategies`, body: strategyBody(undefined, percentTitle, split.percent, []) },
      );
      const tenantStrategy = found?.tenants;
      const tenantConstraint = [{ contextName: "tenant", operator: "IN", values: split.tenants, caseInsensitive: false, inverted: false }];
      if (split.tenants.length > 0)
        calls.push(
          tenantStrategy
            ? {
                method: "PUT",
                url: `${envUrl}/strategies/${enc(tenantStrategy.id)}`,
                body: strategyBody(tenantStrategy, tenantsTitle, 100, tenantConstraint),
              }
            : { method: "POST", url: `${envUrl}/strategies`, body: strategyBody(undefined, tenantsTitle, 100, tenantConstraint) },
        );
      else if (tenantStrategy) calls.push({ method: "DELETE", url: `${envUrl}/strategies/${enc(tenantStrategy.id)}` });
      const enabled = found?.environment.enabled ?? false;
      if (split.on !== enabled) calls.push({ method: "POST", url: `${envUrl}/${split.on ? "on" : "off"}` });
      const ids: Record<string, string> = {};
      return {
        effect: { calls },
        after: makeSplit(split.on, split.percent, split.tenants),
        ids,
        async apply() {
          for (const c of calls) {
            const { body } = await call(c);
            const id = (body as { id?: unknown } | null)?.id;
            if (c.method === "POST" && c.url.endsWith("/strategies") && typeof id === "string")
              ids[(c.body as { title: string }).title === tenantsTitle ? "tenantStrategy" : "percentStrategy"] = id;
          }
        },
      };
    },
  };
};
