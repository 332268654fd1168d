/**
 * flagd: the file modelgate writes, read by the real flagd evaluator (@openfeature/flagd-core): the
 * share of targeting keys served the candidate matches the percentage, a listed tenant always gets it,
 * rollback gives everyone the baseline; a hand edit is refused; --dry-run changes nothing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FlagdCore } from "@openfeature/flagd-core";
import { describe, expect, test } from "vitest";
import { applyDecision, readRollout } from "../../src/rollout/apply.js";
import { readAudit } from "../../src/rollout/audit.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { baselinePayload, candidatePayload, makeRolloutPlan, rejection } from "./rollout-fixtures.js";

const flag = "support-model";

function setup() {
  const dir = tempFolderForTest("modelgate-flagd-");
  const path = join(dir, "flags.json");
  writeFileSync(path, JSON.stringify({ flags: { other: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" } } }, null, 2));
  return { dir, path, plan: makeRolloutPlan(dir, { kind: "flagd", path, flag }) };
}

/** How many of `n` targeting keys the real evaluator serves the candidate payload. */
function candidateShare(path: string, n: number, context: Record<string, string> = {}): number {
  const core = new FlagdCore();
  core.setConfigurations(readFileSync(path, "utf8"));
  let candidate = 0;
  for (let i = 0; i < n; i++) {
    const result = core.resolveObjectEvaluation(flag, {}, { targetingKey: `user-${i}`, ...context });
    if ((result.value as { model?: string }).model === candidatePayload.model) candidate++;
    else expect(result.value).toEqual(baselinePayload);
  }
  return candidate / n;
}

describe("flagd actuator", () => {
  test.each([5, 25, 50, 100])("set %i percent: the real evaluator serves the candidate to that share of targeting keys", async (percent) => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent, tenants: [] }, env: {} });
    // 4,000 keys: the binomial standard deviation is at most 0.8 points; 4 points is 5 of them.
    expect(Math.abs(candidateShare(path, 4000) - percent / 100)).toBeLessThan(0.04);
    const other = JSON.parse(readFileSync(path, "utf8")).flags.other;
    expect(other).toEqual({ state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" });
  });

  test("tenant stage: a listed tenant always gets the candidate; a percentage stage keeps it on; rollback turns all off", async () => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 0, tenants: ["internal"] }, env: {} });
    expect(candidateShare(path, 500, { tenant: "internal" })).toBe(1);
    expect(candidateShare(path, 500, { tenant: "beta" })).toBe(0);
    await applyDecision({
      plan,
      decision: "promote",
      window: { start: "2025-01-01T00:00:00Z", end: "2025-01-01T00:15:00Z" },
      target: { percent: 25, tenants: [] },
      env: {},
    });
    expect(candidateShare(path, 500, { tenant: "internal" })).toBe(1);
    expect(Math.abs(candidateShare(path, 4000, { tenant: "beta" }) - 0.25)).toBeLessThan(0.04);
    await applyDecision({ plan, decision: "rollback", window: { start: "2025-01-01T00:15:00Z", end: "2025-01-01T00:30:00Z" }, env: {} });
    expect(candidateShare(path, 500, { tenant: "internal" })).toBe(0);
    expect(candidateShare(path, 500)).toBe(0);
    const written = JSON.parse(readFileSync(path, "utf8")).flags[flag];
    expect(written.defaultVariant).toBe("baseline");
    expect(written.targeting).toEqual({
      fractional: [
        ["candidate", 0],
        ["baseline", 100],
      ],
    });
    const audit = readAudit(plan.stateDir);
    expect(audit.map((e) => [e.decision, e.after.percent, e.after.tenants])).toEqual([
      ["set", 0, ["internal"]],
      ["promote", 25, ["internal"]],
      ["rollback", 0, []],
    ]);
  });

  test("a hand edit of the split is refused (exit 3, naming what was found); --force acts and records it", async () => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: {} });
    const document = JSON.parse(readFileSync(path, "utf8"));
    document.flags[flag].targeting.fractional = [
      ["candidate", 40],
      ["baseline", 60],
    ];
    writeFileSync(path, JSON.stringify(document));
    const error = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {} }));
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain("found 40%, but modelgate last wrote 5%");
    expect((await readRollout(plan, {})).problems).toHaveLength(1);
    const forced = await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {}, force: true });
    expect(forced.forced).toBe(true);
    const last = readAudit(plan.stateDir).at(-1);
    expect(last?.forced).toBe(true);
    expect(last?.before.split?.percent).toBe(40);
    expect(last?.expected?.percent).toBe(5);
  });

  test("a candidate variant that is not the plan's model + prompt is refused", async () => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: {} });
    const document = JSON.parse(readFileSync(path, "utf8"));
    document.flags[flag].variants.candidate.prompt_sha256 = "d".repeat(64);
    writeFileSync(path, JSON.stringify(document));
    const error = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {} }));
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain("the candidate carries");
  });

  test("--dry-run shows the file diff and changes nothing (no file, no record, no audit)", async () => {
    const { path, plan } = setup();
    const before = readFileSync(path, "utf8");
    const result = await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {}, dryRun: true });
    expect(result.status).toBe("dry-run");
    expect(result.effect && "file" in result.effect ? result.effect.file.diff : "").toMatch(/\+\s+"candidate",\n\+\s+25\n/);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readAudit(plan.stateDir)).toEqual([]);
  });

  test.each([[150], [-1], [2.5], [Number.NaN]])("percent %s is refused before anything is read", async (percent) => {
    const { plan } = setup();
    const error = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent, tenants: [] }, env: {} }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("expected an integer from 0 to 100");
  });
});
