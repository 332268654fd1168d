/**
 * `modelgate plan` from stated rates (SPEC §6: "from a pilot run, or from rates stated on the command
 * line"): the per-rule n for 80% power, the gate's false-fail rate at --n, and the inputs it refuses.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { planFromRates } from "../../src/gate/plan.js";
import { clopperPearson, createRng } from "../../src/stats/index.js";
import type { GateRule } from "../../src/types.js";
import { runModelgate } from "../support/run-cli.js";
import { tempFolderForTest } from "../support/temp-folder.js";

const rule = (metric: string, bound: GateRule["bound"], mode: GateRule["mode"] = "point"): GateRule => ({
  metric,
  bound,
  bound_text: String(Object.values(bound)[0]),
  mode,
});
const policy = { multiplicity: "holm", on_inconclusive: "hold" } as const;
const isRate = (metric: string) => metric.endsWith("_rate");

describe("planFromRates", () => {
  test("a point rule on a noisy rate fails an unchanged candidate often; the same rule in significant mode rarely", () => {
    const plan = (mode: GateRule["mode"]) =>
      planFromRates({ rates: [{ metric: "pass_rate", rate: 0.9 }], n: 200, rules: [rule("pass_rate", { max_drop: 0.02 }, mode)], policy, isRate });
    const point = plan("point");
    expect(point.false_fail_rate?.rate).toBeGreaterThan(0.2);
    expect(point.false_fail_rate?.driven_by).toEqual(["pass_rate 0.02"]);
    expect(plan("significant").false_fail_rate?.rate).toBeLessThan(0.07);
    // both sides equal at 90%: the tested delta is 0, and the n for 80% power at a 2-point margin is in the thousands
    expect(point.rules[0]?.estimate).toBe(0);
    expect(point.rules[0]?.cases_needed).toBeGreaterThan(2000);
  });

  test("rules without a stated rate, or not on a rate, are named and left out", () => {
    const plan = planFromRates({
      rates: [{ metric: "pass_rate", rate: 0.9 }],
      n: 100,
      rules: [rule("pass_rate", { max_drop: 0.05 }), rule("error_rate", { max: 0.02 }), rule("latency.p95_ms", { max: 3000 })],
      policy,
      isRate,
    });
    expect(plan.rules.map((entry) => entry.rule.metric)).toEqual(["pass_rate"]);
    expect(plan.unplanned.map(({ rule, reason }) => [rule.metric, reason])).toEqual([
      ["error_rate", "no rate stated (--rate error_rate=…)"],
      ["latency.p95_ms", "not a rate: plan it from a pilot run (--from)"],
    ]);
  });

  test("the quoted n settles a non-inferior rare-rate rule at least 70% of the time when the truth is off the bound", () => {
    const truth = 0.005;
    const [entry] = planFromRates({
      rates: [{ metric: "error_rate", rate: truth }],
      n: 200,
      rules: [rule("error_rate", { max: 0.02 }, "non-inferior")],
      policy,
      isRate,
    }).rules;
    const n = entry?.cases_needed ?? 0;
    expect(n).toBeGreaterThan(200);
    // re-run at n: errors ~ Binomial(n, truth); the rule passes when the exact upper bound is within 0.02
    const rng = createRng(7);
    let settled = 0;
    for (let r = 0; r < 400; r++) {
      let errors = 0;
      for (let i = 0; i < n; i++) if (rng.next() < truth) errors++;
      if (clopperPearson(errors, n, 0.95)[1] <= 0.02) settled++;
    }
    expect(settled / 400).toBeGreaterThanOrEqual(0.7);
  });
});

describe("modelgate plan --rate", () => {
  const project = () => {
    const dir = tempFolderForTest("plan-rates-");
    writeFileSync(
      join(dir, "rubric.yaml"),
      [
        "name: planned",
        "checks:",
        "  - { id: fact, type: contains, value: x, category: quality }",
        "gate:",
        "  - { metric: pass_rate, max_drop: 0.02 }",
        "  - { metric: error_rate, max: 0.02, mode: non-inferior }",
        "  - { metric: latency.p95_ms, max: 3000 }",
      ].join("\n"),
    );
    return dir;
  };

  test("prints each rule's n and the gate's false-fail rate at --n, and names what it could not plan", async () => {
    const cwd = project();
    const result = await runModelgate(["plan", "--rubric", "rubric.yaml", "--rate", "pass_rate=0.9", "--rate", "error_rate=0.5%", "--n", "400"], {
      cwd,
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("from stated rates at n=400");
    expect(result.stdout).toMatch(/pass_rate max_drop 0\.02 \(point\): n=400, .* needs ~\d+ cases/);
    expect(result.stdout).toMatch(/error_rate max 0\.02 \(non-inferior\): n=400/);
    expect(result.stdout).toContain("latency.p95_ms max 3000 (point): not planned, not a rate");
    expect(result.stdout).toMatch(/false-fail rate of this gate \(of the planned rules\) at n=400: \d+\.\d%/);
  });

  test.each([
    [["--rate", "pass_rate=0.9"], /--rate needs --n N/],
    [["--rate", "pass_rate=1.5", "--n", "100"], /--rate pass_rate=1\.5: expected metric=rate with a rate from 0 to 1/],
    [
      ["--rate", "pass_ratee=0.9", "--n", "100"],
      /no gate rule of the rubric is on pass_ratee \(its rules are on: pass_rate, error_rate, latency\.p95_ms\)/,
    ],
    [["--rate", "pass_rate=0.9", "--n", "1.5"], /--n 1\.5: expected a whole number/],
    [["--rate", "pass_rate=0.9", "--n", "100", "--from", "run.json"], /either a pilot run \(--from\) or stated rates/],
    [[], /needs a pilot run \(--from <report\.json>.*\) or the rates you expect/],
  ])("%j is an input error (exit 2)", async (args, message) => {
    const result = await runModelgate(["plan", "--rubric", "rubric.yaml", ...args], { cwd: project() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
