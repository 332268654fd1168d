/**
 * A crash between making a change and auditing it (SPEC §11): the record's `pending` entry and the live
 * state say whether the change was made; the next run audits it as recovered (once) and does not act
 * twice for the same window, or acts afresh if it was never made.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { applyDecision } from "../../src/rollout/apply.js";
import { readAudit } from "../../src/rollout/audit.js";
import { createActuator } from "../../src/rollout/index.js";
import { readRecord, recordPath, writeRecord } from "../../src/rollout/record.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { makeRolloutPlan } from "./rollout-fixtures.js";

const window = { start: "2025-01-01T00:15:00.000Z", end: "2025-01-01T00:30:00.000Z" };

function setup() {
  const dir = tempFolderForTest("modelgate-recovery-");
  const path = join(dir, "flags.json");
  const plan = makeRolloutPlan(dir, { kind: "flagd", path, flag: "f" });
  return { path, plan };
}

/** Does what applyDecision does up to the crash: pending written, change made (or not), nothing audited. */
async function crashAfterPending(plan: ReturnType<typeof setup>["plan"], percent: number, made: boolean) {
  const identity = `flagd ${(plan.actuator as { path: string }).path}#f`;
  const record = readRecord(plan.stateDir, identity);
  const actuator = createActuator(plan.actuator, {
    planName: plan.name,
    planSha256: plan.sha256,
    baseline: plan.baseline,
    candidate: plan.candidate,
    env: {},
    fetch,
    ids: {},
    lastWritten: record.written,
  });
  const live = await actuator.read();
  const prepared = await actuator.prepare(live, { split: { on: true, percent, tenants: [] }, decision: "promote", window });
  writeRecord(plan.stateDir, {
    ...record,
    pending: {
      decision: "promote",
      window,
      before: live.split,
      after: prepared.after,
      effect: prepared.effect,
      forced: false,
      started_at: "2025-01-01T00:32:00.000Z",
    },
  });
  if (made) await prepared.apply();
}

describe("crash recovery", () => {
  test("made but not audited: the restart audits it once as recovered and does not act again", async () => {
    const { path, plan } = setup();
    await applyDecision({
      plan,
      decision: "promote",
      window: { start: "2025-01-01T00:00:00.000Z", end: window.start },
      target: { percent: 5, tenants: [] },
      env: {},
    });
    await crashAfterPending(plan, 25, true);
    const file = readFileSync(path, "utf8");
    const result = await applyDecision({ plan, decision: "promote", window, target: { percent: 25, tenants: [] }, env: {} });
    expect(result.status).toBe("already-done");
    expect(readFileSync(path, "utf8")).toBe(file);
    const audit = readAudit(plan.stateDir);
    expect(audit.map((e) => [e.after.percent, e.recovered ?? false])).toEqual([
      [5, false],
      [25, true],
    ]);
    expect(JSON.parse(readFileSync(recordPath(plan.stateDir), "utf8"))).toMatchObject({ pending: null, written: { percent: 25 } });
    expect((await applyDecision({ plan, decision: "promote", window, target: { percent: 25, tenants: [] }, env: {} })).status).toBe("already-done");
    expect(readAudit(plan.stateDir)).toHaveLength(2);
  });

  test("pending but never made: the restart acts, and audits one change", async () => {
    const { plan } = setup();
    await applyDecision({
      plan,
      decision: "promote",
      window: { start: "2025-01-01T00:00:00.000Z", end: window.start },
      target: { percent: 5, tenants: [] },
      env: {},
    });
    await crashAfterPending(plan, 25, false);
    const result = await applyDecision({ plan, decision: "promote", window, target: { percent: 25, tenants: [] }, env: {} });
    expect(result.status).toBe("applied");
    expect(readAudit(plan.stateDir).map((e) => [e.after.percent, e.recovered ?? false])).toEqual([
      [5, false],
      [25, false],
    ]);
  });

  test("a torn last audit line (kill -9 mid-write) is not an entry, and the next entry is whole", async () => {
    const { plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: {} });
    writeFileSync(join(plan.stateDir, "audit.jsonl"), `${readFileSync(join(plan.stateDir, "audit.jsonl"), "utf8")}{"time":"20`);
    expect(readAudit(plan.stateDir)).toHaveLength(1);
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {} });
    expect(readAudit(plan.stateDir).map((e) => e.after.percent)).toEqual([5, 25]);
  });
});
