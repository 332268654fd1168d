/**
 * End to end against the real Unleash (scripts/ci-unleash.sh): synthetic canary traffic, healthy and
 * then with a 2% → 15% schema-failure step, arrives window by window; `canary run --once` at each close
 * steps the real rollout 5 → 25 → 50 and then rolls back, and the real unleash-client sees each change
 * within seconds. The audit log holds exactly those four changes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Unleash } from "unleash-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readAudit } from "../../src/rollout/audit.js";
import { canaryTraffic, type WindowProfile } from "../canary/traffic-fixture.js";
import { runModelgate } from "../support/run-cli.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { adminToken, skipMessage, startClient, uniqueFlag, unleashUrl, within } from "./unleash-server.js";

if (!unleashUrl) console.warn(`test/rollout/unleash-canary-run.test.ts skipped: ${skipMessage}`);

const healthy: WindowProfile = { baseline: { n: 600, badJson: 0.02 }, candidate: { n: 200, badJson: 0.02 } };
const regressed: WindowProfile = { baseline: { n: 600, badJson: 0.02 }, candidate: { n: 200, badJson: 0.15 } };

describe.skipIf(!unleashUrl)("canary run against a real Unleash", () => {
  let client: Unleash;
  let stop = () => {};
  beforeAll(async () => {
    ({ client, stop } = await startClient());
  });
  afterAll(() => stop());

  test("5 → 25 → 50, then the regression is rolled back; the unleash-client sees every step", async () => {
    const flag = uniqueFlag();
    const dir = tempFolderForTest("modelgate-canary-run-");
    writeFileSync(
      join(dir, "modelgate.config.yaml"),
      "variants:\n  stable: { provider: openai, model: gpt-4o-2024-08-06 }\n  canary: { provider: openai, model: gpt-4o-2025-01-21 }\n",
    );
    writeFileSync(join(dir, "live.yaml"), "name: live\nchecks:\n  - { id: format, type: is-json, category: format }\n");
    writeFileSync(
      join(dir, "canary.yaml"),
      `name: e2e
rubric: live.yaml
baseline: stable
candidate: canary
traffic: traffic/*.jsonl
window: 15m
window_lag: 0m
min_requests: 50
stages: [{ percent: 5 }, { percent: 25 }, { percent: 50 }, { percent: 100 }]
promote: { consecutive: 1, rules: [{ metric: format.pass_rate, min: 0.9 }] }
rollback: { windows: 1, rules: [{ metric: format.pass_rate, max_drop: 0.02, mode: significant }] }
max_duration: 1d
actuator: { kind: unleash, url: "${unleashUrl}", token_env: UNLEASH_ADMIN_TOKEN, project: default, flag: ${flag}, environment: production }
`,
    );
    mkdirSync(join(dir, "traffic"));
    const users = 2000;
    const share = () => {
      let on = 0;
      for (let i = 0; i < users; i++) if (client.isEnabled(flag, { userId: `user-${i}` })) on++;
      return on / users;
    };
    // Step k: windows 0..k-1 have closed (a line of window k exists, so "now" is inside it).
    const closedWindows = [healthy, healthy, regressed];
    const expected = [
      { percent: 5, exit: 4 },
      { percent: 25, exit: 0 },
      { percent: 50, exit: 0 },
      { percent: 0, exit: 1 },
    ];
    for (const [k, want] of expected.entries()) {
      writeFileSync(
        join(dir, "traffic", "live.traffic.jsonl"),
        canaryTraffic({ startMs: Date.parse("2026-06-12T10:00:00Z"), windowMs: 900_000, windows: [...closedWindows.slice(0, k), healthy], seed: 11 }),
      );
      const step = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir, env: { UNLEASH_ADMIN_TOKEN: adminToken } });
      expect(step.exitCode, `${step.stdout}${step.stderr}`).toBe(want.exit);
      expect(await within(5000, () => Math.abs(share() - want.percent / 100) < 0.04), `${want.percent}%: share ${share()}`).toBeLessThan(5000);
    }
    const audit = readAudit(join(dir, ".modelgate/canary/e2e"));
    expect(audit.map((e) => [e.decision, e.after.percent])).toEqual([
      ["start", 5],
      ["promote", 25],
      ["promote", 50],
      ["rollback", 0],
    ]);
    expect(JSON.stringify(audit)).not.toContain(adminToken);
  });
});
