/**
 * Unleash: modelgate drives a real Unleash server (started by scripts/ci-unleash.sh) through its Admin
 * API, and the real unleash-client sees each change within seconds: the share of user ids enabled
 * matches the percentage, the variant payload is the candidate's model + prompt, a tenant is enabled by
 * its constraint, rollback turns the flag off; a change by hand is refused; "150" is never sent.
 */

import type { Unleash } from "unleash-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ActuatorSpec } from "../../src/actuator-types.js";
import { applyDecision, readRollout } from "../../src/rollout/apply.js";
import { readAudit } from "../../src/rollout/audit.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { candidatePayload, makeRolloutPlan, rejection } from "./rollout-fixtures.js";
import { admin, adminToken, skipMessage, startClient, uniqueFlag, unleashUrl, within } from "./unleash-server.js";

if (!unleashUrl) console.warn(`test/rollout/unleash.test.ts skipped: ${skipMessage}`);

const env = { UNLEASH_ADMIN_TOKEN: adminToken };
const users = 2000;
const windowAt = (minute: number) => ({
  start: `2025-01-01T00:${String(minute).padStart(2, "0")}:00.000Z`,
  end: `2025-01-01T00:${String(minute + 15).padStart(2, "0")}:00.000Z`,
});

describe.skipIf(!unleashUrl)("unleash actuator against a real Unleash", () => {
  let client: Unleash;
  let stop = () => {};
  beforeAll(async () => {
    ({ client, stop } = await startClient());
  });
  afterAll(() => stop());

  const spec = (flag: string): ActuatorSpec => ({
    kind: "unleash",
    url: unleashUrl as string,
    token_env: "UNLEASH_ADMIN_TOKEN",
    project: "default",
    flag,
    environment: "production",
  });
  const share = (flag: string, properties: Record<string, string> = {}) => {
    let on = 0;
    for (let i = 0; i < users; i++) if (client.isEnabled(flag, { userId: `user-${i}`, properties })) on++;
    return on / users;
  };
  const near = (flag: string, percent: number) => () => Math.abs(share(flag) - percent / 100) < 0.04;

  test("5 → 25 → 50 → rollback: the real unleash-client sees each step within seconds", async () => {
    const flag = uniqueFlag();
    const plan = makeRolloutPlan(tempFolderForTest("modelgate-unleash-"), spec(flag));
    for (const [i, percent] of [5, 25, 50].entries()) {
      await applyDecision({ plan, decision: "promote", window: windowAt(i * 15), target: { percent, tenants: [] }, env });
      expect(await within(5000, near(flag, percent))).toBeLessThan(5000);
    }
    const variant = client.getVariant(flag, {
      userId: [...Array(users).keys()].map((i) => `user-${i}`).find((u) => client.isEnabled(flag, { userId: u })) ?? "",
    });
    expect(variant.name).toBe("candidate");
    expect(JSON.parse(String(variant.payload?.value))).toEqual(candidatePayload);
    await applyDecision({ plan, decision: "rollback", window: windowAt(45), env });
    await within(5000, () => share(flag) === 0);
    const feature = (await admin("GET", `/api/admin/projects/default/features/${flag}`)) as {
      environments: Array<{ name: string; enabled: boolean; strategies: Array<{ parameters: { rollout: string } }> }>;
    };
    const production = feature.environments.find((e) => e.name === "production");
    expect(production?.enabled).toBe(false);
    expect(production?.strategies.map((s) => s.parameters.rollout)).toEqual(["0"]);
    const audit = readAudit(plan.stateDir);
    expect(audit.map((e) => [e.decision, e.window?.start, e.before.split?.percent ?? null, e.after.percent, e.after.on])).toEqual([
      ["promote", windowAt(0).start, null, 5, true],
      ["promote", windowAt(15).start, 5, 25, true],
      ["promote", windowAt(30).start, 25, 50, true],
      ["rollback", windowAt(45).start, 50, 0, false],
    ]);
    expect(JSON.stringify(audit)).not.toContain(adminToken);
    // The same window's decision again (a restart): nothing is done twice.
    expect((await applyDecision({ plan, decision: "rollback", window: windowAt(45), env })).status).toBe("already-done");
  });

  test("a tenant stage is a constraint on `tenant`; a percentage stage keeps it", async () => {
    const flag = uniqueFlag();
    const plan = makeRolloutPlan(tempFolderForTest("modelgate-unleash-"), spec(flag));
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 0, tenants: ["internal"] }, env });
    await within(5000, () => share(flag, { tenant: "internal" }) === 1 && share(flag, { tenant: "beta" }) === 0);
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env });
    await within(5000, () => share(flag, { tenant: "internal" }) === 1 && Math.abs(share(flag, { tenant: "beta" }) - 0.25) < 0.04);
    expect((await readRollout(plan, env)).live.split).toEqual({ on: true, percent: 25, tenants: ["internal"] });
  });

  test("a rollout changed by hand in Unleash is refused (exit 3, naming it); --force acts and records it", async () => {
    const flag = uniqueFlag();
    const plan = makeRolloutPlan(tempFolderForTest("modelgate-unleash-"), spec(flag));
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env });
    const feature = (await admin("GET", `/api/admin/projects/default/features/${flag}`)) as {
      environments: Array<{ name: string; strategies: Array<Record<string, unknown> & { id: string; parameters: Record<string, string> }> }>;
    };
    const strategy = feature.environments.find((e) => e.name === "production")?.strategies[0];
    if (!strategy) throw new Error("no strategy written");
    const { id, ...rest } = strategy;
    await admin("PUT", `/api/admin/projects/default/features/${flag}/environments/production/strategies/${id}`, {
      ...rest,
      parameters: { ...strategy.parameters, rollout: "80" },
    });
    const error = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env }));
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain("found 80%, but modelgate last wrote 5%");
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env, force: true });
    await within(5000, near(flag, 25));
    const last = readAudit(plan.stateDir).at(-1);
    expect([last?.forced, last?.before.split?.percent, last?.expected?.percent]).toEqual([true, 80, 5]);
  });

  test("percent 150 is refused and nothing is sent; --dry-run prints the calls and changes nothing", async () => {
    const flag = uniqueFlag();
    const plan = makeRolloutPlan(tempFolderForTest("modelgate-unleash-"), spec(flag));
    const error = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 150, tenants: [] }, env }));
    expect(error.exitCode).toBe(2);
    const dry = await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env, dryRun: true });
    const calls = dry.effect && "calls" in dry.effect ? dry.effect.calls : [];
    expect(calls.map((c) => `${c.method} ${c.url.replace(unleashUrl as string, "")}`)).toEqual([
      "POST /api/admin/projects/default/features",
      `POST /api/admin/projects/default/features/${flag}/environments/production/strategies`,
      `POST /api/admin/projects/default/features/${flag}/environments/production/on`,
    ]);
    expect(JSON.stringify(calls)).not.toContain(adminToken);
    expect((await readRollout(plan, env)).live.split).toBeNull();
  });
});
