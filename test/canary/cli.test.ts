/**
 * `canary analyze`, `simulate`, `run` and `serve` through the real CLI on synthetic traffic with planted
 * truth (test/canary/traffic-fixture.ts): healthy canaries promote stage by stage, a 2% → 15%
 * schema-failure step is rolled back within two windows, re-runs decide exactly as before, and every
 * window leaves a §8 report with the `canary` object.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runModelgate } from "../support/run-cli.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { broken, healthy, planText, project, quiet, rubric, start, window, writeTrafficFile } from "./canary-project.js";
import { canaryTraffic } from "./traffic-fixture.js";

const decisionsOf = (stdout: string) => JSON.parse(stdout).windows.map((w: { decision: string }) => w.decision);

describe("canary simulate", () => {
  test("a healthy canary is promoted stage by stage and completes; the timeline says so (exit 0)", async () => {
    // 2 passing windows per stage, 3 stages: complete on the 6th window (a 7th, still open, is not analysed).
    const dir = project(Array(7).fill(healthy));
    const result = await runModelgate(["canary", "simulate", "--plan", "canary.yaml"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const rows = result.stdout.split("\n").filter((line) => /^06-12 /.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/).at(-1))).toEqual(["hold", "promote", "hold", "promote", "hold", "complete"]);
    expect(result.stdout).toMatch(/decision: complete/);
    for (const row of result.stdout.split("\n"))
      expect(row, row).toHaveProperty(
        "length",
        expect.toSatisfy((n: number) => n <= 80),
      );
    expect(existsSync(join(dir, ".modelgate"))).toBe(false); // simulate never touches the state
  });

  test("a 2% → 15% schema-failure step at 200 candidate requests a window is rolled back within two windows (exit 1)", async () => {
    const dir = project([healthy, healthy, healthy, broken, broken, broken, healthy]);
    const result = await runModelgate(["canary", "simulate", "--plan", "canary.yaml", "--json"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const decisions: string[] = decisionsOf(result.stdout);
    const rolledBackAt = decisions.indexOf("rollback");
    expect(rolledBackAt).toBeGreaterThanOrEqual(3);
    expect(rolledBackAt).toBeLessThanOrEqual(4);
    expect(decisions.slice(0, 3)).not.toContain("rollback");
    const failing = JSON.parse(result.stdout).windows[rolledBackAt];
    expect(failing.deciding_rule).toBe("format.pass_rate");
  });

  test("too little canary traffic is inconclusive: hold, never a rollback (exit 4)", async () => {
    const dir = project([quiet, quiet, quiet]);
    const result = await runModelgate(["canary", "simulate", "--plan", "canary.yaml", "--json"], { cwd: dir });
    expect(result.exitCode).toBe(4);
    const windows = JSON.parse(result.stdout).windows;
    expect(windows.map((w: { verdict: string }) => w.verdict)).toEqual(["inconclusive", "inconclusive"]);
    expect(windows[0].reason).toMatch(/fewer than min_requests 50/);
  });

  test("--format html writes a window report per window and a timeline that links to them", async () => {
    const dir = project([healthy, healthy, broken, healthy]);
    const result = await runModelgate(["canary", "simulate", "--plan", "canary.yaml", "--format", "html", "--out", "sim"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const html = readFileSync(join(dir, "sim", "timeline.html"), "utf8");
    expect(html).toContain('href="2026-06-12T10-30-00Z/report.html"');
    expect(html).toMatch(/class="d-rollback"/);
    expect(html).not.toMatch(/<script|https?:\/\//);
    const report = JSON.parse(readFileSync(join(dir, "sim", "2026-06-12T10-30-00Z", "report.json"), "utf8"));
    expect(report.canary).toMatchObject({
      name: "checkout",
      verdict: "fail",
      decision: "rollback",
      pairing: "unpaired",
      n: { baseline: 800, candidate: 200 },
    });
    expect(report.canary.method).toMatch(/Bonferroni/);
    const windowHtml = readFileSync(join(dir, "sim", "2026-06-12T10-30-00Z", "report.html"), "utf8");
    expect(windowHtml).toMatch(/<section id="canary"><h2>Canary checkout: rollback<\/h2>/);
    expect(windowHtml).toContain("Bonferroni");
  });
});

describe("canary analyze", () => {
  test("analyses each closed window once: a re-run adds nothing and exits by the same decision; --now holds back later windows", async () => {
    const dir = project([healthy, healthy, healthy, healthy]);
    const early = await runModelgate(["canary", "analyze", "--plan", "canary.yaml", "--now", "2026-06-12T10:31:00Z", "--json"], { cwd: dir });
    expect(early.exitCode).toBe(0); // the second window promoted 5% → 25%
    expect(decisionsOf(early.stdout)).toEqual(["hold", "promote"]);
    const rest = await runModelgate(["canary", "analyze", "--plan", "canary.yaml", "--json"], { cwd: dir });
    // The fourth window is still open at the latest ts: only the third is new.
    expect(decisionsOf(rest.stdout)).toEqual(["hold"]);
    expect(rest.exitCode).toBe(4);
    const again = await runModelgate(["canary", "analyze", "--plan", "canary.yaml"], { cwd: dir });
    expect(again.stdout).toMatch(/no new closed window \(3 analysed before\)/);
    expect(again.exitCode).toBe(4);
    const zero = await runModelgate(["canary", "analyze", "--plan", "canary.yaml", "--hold-exit-code", "0"], { cwd: dir });
    expect(zero.exitCode).toBe(0);

    // One analyze over everything decides exactly as the two in a row did (a killed analyze re-runs the same).
    const state = JSON.parse(readFileSync(join(dir, ".modelgate/canary/checkout/state.json"), "utf8"));
    const fresh = project([healthy, healthy, healthy, healthy]);
    await runModelgate(["canary", "analyze", "--plan", "canary.yaml"], { cwd: fresh });
    const once = JSON.parse(readFileSync(join(fresh, ".modelgate/canary/checkout/state.json"), "utf8"));
    const strip = (s: { windows: Array<Record<string, unknown>> }) => s.windows.map(({ rules, ...w }) => ({ ...w, rules: JSON.stringify(rules) }));
    expect(strip(once)).toEqual(strip(state));

    const reports = join(dir, "reports/canary/checkout/2026-06-12T10-15-00Z/report.json");
    const report = JSON.parse(readFileSync(reports, "utf8"));
    expect(report.canary).toMatchObject({ stage: "5%", next_stage: "25%", decision: "promote", verdict: "pass" });
    expect(report.canary.plan.sha256).toBe(state.plan_sha256);
    expect(report.cases).toHaveLength(1000);
    expect(report.metrics.candidate["format.pass_rate"]).toBeGreaterThan(0.9);
  });

  test("a rollback exits 1 and is terminal: later windows are not judged", async () => {
    const dir = project([healthy, broken, healthy, healthy]);
    const result = await runModelgate(["canary", "analyze", "--plan", "canary.yaml", "--json"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(decisionsOf(result.stdout)).toEqual(["hold", "rollback"]);
    const again = await runModelgate(["canary", "analyze", "--plan", "canary.yaml"], { cwd: dir });
    expect(again.exitCode).toBe(1);
  });

  test("a changed plan, a bad --now and a plan with problems are input errors (exit 2)", async () => {
    const dir = project([healthy, healthy]);
    await runModelgate(["canary", "analyze", "--plan", "canary.yaml"], { cwd: dir });
    writeFileSync(join(dir, "canary.yaml"), planText().replace("min_requests: 50", "min_requests: 40"));
    const changed = await runModelgate(["canary", "analyze", "--plan", "canary.yaml"], { cwd: dir });
    expect(changed.exitCode).toBe(2);
    expect(changed.stderr).toMatch(/started with another plan/);
    const now = await runModelgate(["canary", "analyze", "--plan", "canary.yaml", "--now", "yesterday"], { cwd: dir });
    expect(now.exitCode).toBe(2);
    expect(now.stderr).toMatch(/--now: expected an ISO 8601 time/);
    writeFileSync(join(dir, "bad.yaml"), planText().replace("window: 15m", "window: fifteen"));
    const bad = await runModelgate(["canary", "analyze", "--plan", "bad.yaml"], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:6: window: expected a duration/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  test("compare_within: a canary serving only the beta tenant is compared with beta's baseline traffic", async () => {
    // The baseline's enterprise traffic fails JSON far more often than its beta traffic; a canary on beta
    // that matches beta's baseline must not look better (or worse) because enterprise is mixed in.
    const dir = tempFolderForTest("mg-canary-within-");
    writeFileSync(join(dir, "live.yaml"), rubric);
    writeFileSync(
      join(dir, "canary.yaml"),
      planText().replace("min_requests: 50", "min_requests: 50\ncompare_within: [tenant]").replace("max_drop: 0.05", "max_drop: 0.01"),
    );
    writeFileSync(
      join(dir, "modelgate.config.yaml"),
      "variants:\n  stable: { provider: openai, model: a }\n  canary: { provider: openai, model: b }\n",
    );
    mkdirSync(join(dir, "traffic"));
    const beta = canaryTraffic({
      startMs: start,
      windowMs: window,
      seed: 3,
      models: { baseline: "a", candidate: "b" },
      windows: Array(3).fill({ baseline: { n: 600, badJson: 0.2 }, candidate: { n: 600, badJson: 0.2 }, tenants: ["beta"] }),
    });
    const enterprise = canaryTraffic({
      startMs: start,
      windowMs: window,
      seed: 4,
      models: { baseline: "a", candidate: "b" },
      windows: Array(3).fill({ baseline: { n: 600, badJson: 0.0 }, candidate: { n: 0, badJson: 0 }, tenants: ["enterprise"] }),
    });
    writeFileSync(join(dir, "traffic", "beta.jsonl"), beta);
    writeFileSync(join(dir, "traffic", "enterprise.jsonl"), enterprise.replaceAll('"id":"req-', '"id":"ent-'));
    const result = await runModelgate(["canary", "simulate", "--plan", "canary.yaml", "--json"], { cwd: dir });
    const verdicts = JSON.parse(result.stdout).windows.map((w: { verdict: string }) => w.verdict);
    expect(verdicts).not.toContain("fail");
    // Without compare_within the same traffic reads as a regression (beta's 20% failures against a pooled 10%).
    writeFileSync(join(dir, "pooled.yaml"), planText().replace("max_drop: 0.05", "max_drop: 0.01").replace("name: checkout", "name: pooled"));
    const pooled = await runModelgate(["canary", "simulate", "--plan", "pooled.yaml", "--json"], { cwd: dir });
    expect(JSON.parse(pooled.stdout).windows.map((w: { verdict: string }) => w.verdict)).toContain("fail");
  });
});

describe("canary run (flagd actuator)", () => {
  const flagd = "actuator: { kind: flagd, path: flags.json, flag: support-model }\n";
  const split = (dir: string) => JSON.parse(readFileSync(join(dir, "flags.json"), "utf8")).flags["support-model"].targeting.fractional;
  const audit = (dir: string) =>
    readFileSync(join(dir, ".modelgate/canary/checkout/audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));

  test("--once steps the split as windows close: start 5%, promote 25%, then roll back to 0; each change audited once", async () => {
    const dir = project([healthy, healthy, broken], flagd);
    writeTrafficFile(dir, [healthy]); // the first window only (still open: nothing to decide yet)
    const first = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir });
    expect(first.exitCode).toBe(4);
    expect(first.stdout).toMatch(/start: .* → 5%/);
    expect(split(dir)).toEqual([
      ["candidate", 5],
      ["baseline", 95],
    ]);

    writeTrafficFile(dir, [healthy, healthy, healthy]);
    const second = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir });
    expect(second.exitCode).toBe(0);
    expect(split(dir)).toEqual([
      ["candidate", 25],
      ["baseline", 75],
    ]);

    writeTrafficFile(dir, [healthy, healthy, broken, healthy]);
    const dry = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once", "--dry-run"], { cwd: dir });
    expect(dry.stdout).toMatch(/dry run: rollback .* would change 25% → 0%; nothing was changed/);
    expect(split(dir)).toEqual([
      ["candidate", 25],
      ["baseline", 75],
    ]);

    const third = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir });
    expect(third.exitCode).toBe(1);
    expect(split(dir)).toEqual([
      ["candidate", 0],
      ["baseline", 100],
    ]);
    const again = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir });
    expect(again.exitCode).toBe(1);
    expect(audit(dir).map((e) => [e.decision, e.after.percent])).toEqual([
      ["start", 5],
      ["promote", 25],
      ["rollback", 0],
    ]);
    for (const entry of audit(dir)) expect(entry.plan_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a decision made but not acted on (a crash in between) is acted on at the next start", async () => {
    const dir = project([healthy, broken, healthy], flagd);
    // analyze decides the rollback and records it; nothing acts on it.
    const decided = await runModelgate(["canary", "analyze", "--plan", "canary.yaml"], { cwd: dir });
    expect(decided.exitCode).toBe(1);
    expect(existsSync(join(dir, "flags.json"))).toBe(false);
    const run = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(split(dir)).toEqual([
      ["candidate", 0],
      ["baseline", 100],
    ]);
    expect(audit(dir).map((e) => e.decision)).toEqual(["rollback"]);
  });

  test("a split changed by hand is refused (exit 3) and left as found", async () => {
    const dir = project([healthy], flagd);
    await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir });
    const flags = JSON.parse(readFileSync(join(dir, "flags.json"), "utf8"));
    flags.flags["support-model"].targeting.fractional = [
      ["candidate", 60],
      ["baseline", 40],
    ];
    writeFileSync(join(dir, "flags.json"), JSON.stringify(flags));
    writeTrafficFile(dir, [healthy, healthy, healthy]);
    const refused = await runModelgate(["canary", "run", "--plan", "canary.yaml", "--once"], { cwd: dir });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/changed by hand/);
    expect(split(dir)).toEqual([
      ["candidate", 60],
      ["baseline", 40],
    ]);
  });
});
