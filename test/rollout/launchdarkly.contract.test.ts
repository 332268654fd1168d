/**
 * LaunchDarkly contract test: a fake of the REST API v2 on 127.0.0.1 that holds a flag and applies
 * semantic patches the way launchdarkly/ld-openapi's "Update feature flag" describes them
 * (`Content-Type: application/json; domain-model=launchdarkly.semanticpatch`, `environmentKey`,
 * `instructions`: updateFallthroughVariationOrRollout with `rolloutWeights` by variation _id in
 * thousandths of a percent that must sum to 100000, addRule / removeRule, turnFlagOn). It refuses any
 * patch that breaks that contract, as LaunchDarkly answers 400.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { applyDecision } from "../../src/rollout/apply.js";
import { readAudit } from "../../src/rollout/audit.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { baselinePayload, candidatePayload, makeRolloutPlan, rejection } from "./rollout-fixtures.js";

const token = "api-0123456789-launchdarkly-token";
// biome-ignore lint/suspicious/noExplicitAny: a fake of a JSON API reads loosely typed bodies
type Json = Record<string, any>;

function makeFlag(): Json {
  return {
    key: "support-model",
    variations: [
      { _id: "var-base", value: baselinePayload },
      { _id: "var-cand", value: candidatePayload },
    ],
    environments: { production: { on: false, fallthrough: { variation: 0 }, rules: [] as Json[], offVariation: 0 } },
  };
}

async function body(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return text;
}

/** Applies one semantic patch to the flag, or returns why LaunchDarkly would answer 400. */
function applyPatch(flag: Json, patch: Json): string | undefined {
  const environment = flag.environments[patch.environmentKey];
  if (!environment) return `unknown environmentKey ${patch.environmentKey}`;
  if (!Array.isArray(patch.instructions) || patch.instructions.length === 0) return "instructions: required";
  const index = (id: string) => flag.variations.findIndex((v: Json) => v._id === id);
  for (const instruction of patch.instructions) {
    switch (instruction.kind) {
      case "turnFlagOn":
        environment.on = true;
        break;
      case "updateFallthroughVariationOrRollout": {
        const weights = Object.entries(instruction.rolloutWeights ?? {}) as Array<[string, number]>;
        const sum = weights.reduce((total, [, w]) => total + w, 0);
        if (sum !== 100000) return `rolloutWeights must sum to 100000, got ${sum}`;
        if (weights.some(([id, w]) => index(id) < 0 || !Number.isInteger(w) || w < 0)) return "rolloutWeights: unknown variation or bad weight";
        environment.fallthrough = {
          rollout: { variations: weights.map(([id, weight]) => ({ variation: index(id), weight })), bucketBy: instruction.rolloutBucketBy },
        };
        break;
      }
      case "addRule":
        if (index(instruction.variationId) < 0) return "addRule: unknown variationId";
        if (!instruction.clauses?.every((c: Json) => c.op === "in" && typeof c.attribute === "string" && Array.isArray(c.values)))
          return "addRule: bad clause";
        environment.rules.push({
          _id: `rule-${environment.rules.length + 1}`,
          description: instruction.description,
          variation: index(instruction.variationId),
          clauses: instruction.clauses.map((c: Json, i: number) => ({ _id: `clause-${i}`, ...c })),
        });
        break;
      case "removeRule":
        if (!environment.rules.some((r: Json) => r._id === instruction.ruleId)) return "removeRule: unknown ruleId";
        environment.rules = environment.rules.filter((r: Json) => r._id !== instruction.ruleId);
        break;
      default:
        return `unknown instruction kind ${instruction.kind}`;
    }
  }
  return undefined;
}

/** What the flag serves a context: rules first, then the fallthrough rollout (share of the candidate). */
function candidateShare(flag: Json, tenant?: string): number {
  const environment = flag.environments.production;
  if (!environment.on) return environment.offVariation === 1 ? 1 : 0;
  const rule = environment.rules.find((r: Json) => r.clauses.every((c: Json) => c.attribute === "tenant" && c.values.includes(tenant)));
  if (rule) return rule.variation === 1 ? 1 : 0;
  const { fallthrough } = environment;
  if (fallthrough.rollout) return (fallthrough.rollout.variations.find((v: Json) => v.variation === 1)?.weight ?? 0) / 100000;
  return fallthrough.variation === 1 ? 1 : 0;
}

let server: Server | undefined;
afterEach(() => server?.close());

async function startFake() {
  const state = { flag: makeFlag(), patches: [] as Json[] };
  server = createServer(async (request, response) => {
    const send = (status: number, value: unknown) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (request.headers.authorization !== token) return send(401, { code: "unauthorized" });
    const url = new URL(request.url ?? "/", "http://x");
    if (url.pathname !== "/api/v2/flags/default/support-model") return send(404, { code: "not_found" });
    if (request.method === "GET") return send(200, state.flag);
    if (request.method !== "PATCH") return send(405, {});
    if (request.headers["content-type"] !== "application/json; domain-model=launchdarkly.semanticpatch")
      return send(400, { message: "not a semantic patch" });
    const patch = JSON.parse(await body(request));
    const next = structuredClone(state.flag);
    const problem = applyPatch(next, patch);
    if (problem) return send(400, { code: "invalid_request", message: problem });
    state.flag = next;
    state.patches.push(patch);
    return send(200, state.flag);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const plan = makeRolloutPlan(tempFolderForTest("modelgate-ld-"), {
    kind: "launchdarkly",
    url,
    token_env: "LD_API_TOKEN",
    project: "default",
    flag: "support-model",
    environment: "production",
  });
  return { state, plan };
}

const env = { LD_API_TOKEN: token };

describe("launchdarkly actuator (contract: ld-openapi semantic patch)", () => {
  test("percentage steps are fallthrough weights in thousandths summing to 100000; the flag is turned on once", async () => {
    const { state, plan } = await startFake();
    for (const percent of [5, 25, 50, 100]) {
      await applyDecision({ plan, decision: "set", window: null, target: { percent, tenants: [] }, env });
      expect(candidateShare(state.flag)).toBe(percent / 100);
    }
    expect(state.patches[0]?.instructions[0]).toEqual({ kind: "turnFlagOn" });
    expect(state.patches[1]?.instructions).toEqual([
      {
        kind: "updateFallthroughVariationOrRollout",
        rolloutWeights: { "var-cand": 25000, "var-base": 75000 },
        rolloutBucketBy: "key",
        rolloutContextKind: "user",
      },
    ]);
  });

  test("a tenant stage is a rule on `tenant` serving the candidate; rollback gives all weight to the baseline and removes it", async () => {
    const { state, plan } = await startFake();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 0, tenants: ["internal"] }, env });
    expect([candidateShare(state.flag, "internal"), candidateShare(state.flag, "beta")]).toEqual([1, 0]);
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 0, tenants: ["beta", "internal"] }, env });
    expect([candidateShare(state.flag, "internal"), candidateShare(state.flag, "beta")]).toEqual([1, 1]);
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env });
    expect([candidateShare(state.flag, "internal"), candidateShare(state.flag, "other")]).toEqual([1, 0.25]);
    await applyDecision({ plan, decision: "rollback", window: null, env });
    expect([candidateShare(state.flag, "internal"), candidateShare(state.flag, "other")]).toEqual([0, 0]);
    expect(state.flag.environments.production.rules).toEqual([]);
    expect(JSON.stringify(readAudit(plan.stateDir))).not.toContain(token);
  });

  test("a variation that is not the plan's candidate model + prompt is refused; a hand edit is refused", async () => {
    const { state, plan } = await startFake();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env });
    state.flag.environments.production.fallthrough.rollout.variations = [
      { variation: 0, weight: 50000 },
      { variation: 1, weight: 50000 },
    ];
    const edited = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env }));
    expect([edited.exitCode, edited.message.includes("found 50%, but modelgate last wrote 5%")]).toEqual([3, true]);
    state.flag.variations[1].value = { model: candidatePayload.model, prompt_sha256: "e".repeat(64) };
    const payload = await rejection(() =>
      applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env, force: true }),
    );
    expect(payload.exitCode).toBe(3);
    expect(payload.message).toContain("no variation carries the plan's candidate");
  });

  test("a missing token is an input error naming the variable (exit 2)", async () => {
    const { plan } = await startFake();
    const error = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: {} }));
    expect([error.exitCode, error.message.includes("$LD_API_TOKEN")]).toEqual([2, true]);
  });
});
