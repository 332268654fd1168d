/**
 * LiteLLM contract test (no LiteLLM runs here: it is Python). It follows the router's simple-shuffle
 * pick, BerriAI/litellm `litellm/router_strategy/simple_shuffle.py`: the weight is read from
 * `litellm_params.weight`, only when the group's FIRST deployment has one; a missing weight counts 0;
 * weights are divided by their sum and `random.choices` raises when they are all zero. `weightedShare`
 * below is that logic; the config modelgate writes must give the set share under it, keep comments and
 * other groups, and never make every weight zero.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { applyDecision } from "../../src/rollout/apply.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { makeRolloutPlan, rejection } from "./rollout-fixtures.js";

interface Deployment {
  model_name: string;
  litellm_params: { model: string; weight?: number };
}

/** simple_shuffle.py's weighted pick, as the share each deployment of `group` gets; throws where it would. */
function weightedShare(config: { model_list: Deployment[] }, group: string): number[] {
  const healthy = config.model_list.filter((d) => d.model_name === group);
  if (healthy[0]?.litellm_params.weight === undefined) return healthy.map(() => 1 / healthy.length); // random.choice
  const weights = healthy.map((d) => d.litellm_params.weight ?? 0);
  const total = weights.reduce((a, b) => a + b, 0);
  const normalised = weights.map((w) => (total === 0 ? 0 : w / total)); // safe_divide(weight, total, 0)
  if (normalised.every((w) => w === 0)) throw new Error("ValueError: Total of weights must be greater than zero"); // random.choices
  return normalised;
}

const configText = `# proxy config, hand-written
model_list:
  - model_name: support          # the deployment group modelgate splits
    litellm_params:
      model: openai/gpt-4o-2024-08-06
      api_key: os.environ/OPENAI_API_KEY
  - model_name: support
    litellm_params:
      model: azure/gpt-4o-2024-08-06
      api_base: https://example.invalid
  - model_name: support
    litellm_params:
      model: openai/gpt-4o-2025-01-21
  - model_name: embeddings
    litellm_params:
      model: openai/text-embedding-3-small
      weight: 7
router_settings:
  routing_strategy: simple-shuffle
`;

function setup() {
  const dir = tempFolderForTest("modelgate-litellm-");
  const path = join(dir, "config.yaml");
  writeFileSync(path, configText);
  return { path, plan: makeRolloutPlan(dir, { kind: "litellm", path, model_name: "support" }) };
}

const candidateShare = (path: string) => {
  const config = parse(readFileSync(path, "utf8"));
  const shares = weightedShare(config, "support");
  return shares[2] ?? 0;
};

describe("litellm actuator (contract: router_strategy/simple_shuffle.py)", () => {
  test("before modelgate writes, no weights: an unweighted pick over three deployments", () => {
    const { path } = setup();
    expect(candidateShare(path)).toBeCloseTo(1 / 3);
  });

  test.each([0, 5, 25, 50, 100])("set %i percent: the candidate deployment gets that share, no group is all zero", async (percent) => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent, tenants: [] }, env: {} });
    expect(candidateShare(path)).toBeCloseTo(percent / 100, 10);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("# proxy config, hand-written");
    expect(text).toContain("# the deployment group modelgate splits");
    const config = parse(text);
    expect(config.model_list[3].litellm_params.weight).toBe(7);
    expect(config.model_list.slice(0, 3).every((d: Deployment) => typeof d.litellm_params.weight === "number")).toBe(true);
  });

  test("rollback: candidate weight 0, the baselines carry everything (never all zero)", async () => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 50, tenants: [] }, env: {} });
    await applyDecision({ plan, decision: "rollback", window: null, env: {} });
    expect(candidateShare(path)).toBe(0);
    expect(
      parse(readFileSync(path, "utf8"))
        .model_list.slice(0, 3)
        .map((d: Deployment) => d.litellm_params.weight),
    ).toEqual([100, 100, 0]);
  });

  test("a hand-set weight is refused; a tenant stage is refused; weights all zero are named", async () => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: {} });
    writeFileSync(path, readFileSync(path, "utf8").replace("weight: 10", "weight: 90"));
    const refused = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {} }));
    expect(refused.exitCode).toBe(3);
    expect(refused.message).toMatch(/found \d+%, but modelgate last wrote 5%/);
    const tenants = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: ["beta"] }, env: {} }));
    expect(tenants.exitCode).toBe(2);
    writeFileSync(
      path,
      readFileSync(path, "utf8")
        .replace(/weight: \d+/g, "weight: 0")
        .replace("weight: 0\nrouter", "weight: 7\nrouter"),
    );
    const zero = await rejection(() =>
      applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {}, force: true }),
    );
    expect(zero.message).toContain("weight 0");
  });
});
