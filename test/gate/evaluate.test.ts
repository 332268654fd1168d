import { describe, expect, test } from "vitest";
import { analyse } from "../../src/analyse.js";
import { everyRuleSkipped, gateExitCode } from "../../src/gate/evaluate.js";
import { falseFailWarning } from "../../src/gate/false-fail.js";
import { caseOutcome } from "../../src/score/outcome.js";
import { clopperPearson, holmAdjust, mcnemarGreater } from "../../src/stats/index.js";
import type { CaseRecord, CheckInfo, GatePolicy, GateRule } from "../../src/types.js";
import { makeCaseRun } from "../support/make-report.js";

const checks: CheckInfo[] = [{ id: "answer", type: "contains", category: "quality" }];

/** A draw that passes or fails the one check, or a request that failed (for error_rate). */
function draw(pass: boolean, options: { error?: boolean; score?: number } = {}) {
  return makeCaseRun({
    error: options.error ? { kind: "server", message: "503" } : null,
    checks: options.error ? {} : { answer: { status: pass ? "pass" : "fail", score: options.score ?? (pass ? 1 : 0), reason: "" } },
  });
}

/** n cases from per-case (baseline pass, candidate pass) pairs. */
function pairs(list: Array<[boolean, boolean]>, tags: (i: number) => string[] = () => []): CaseRecord[] {
  return list.map(([b, c], i) => {
    const baseline = [draw(b)];
    const candidate = [draw(c)];
    return { id: `c${i}`, tags: tags(i), baseline, candidate, outcome: caseOutcome(baseline, candidate) };
  });
}

/** `both` cases passing on both, then `down` regressions, `up` improvements, `neither` failing on both. */
function table(both: number, down: number, up: number, neither = 0): CaseRecord[] {
  const list: Array<[boolean, boolean]> = [
    ...Array.from({ length: both }, (): [boolean, boolean] => [true, true]),
    ...Array.from({ length: down }, (): [boolean, boolean] => [true, false]),
    ...Array.from({ length: up }, (): [boolean, boolean] => [false, true]),
    ...Array.from({ length: neither }, (): [boolean, boolean] => [false, false]),
  ];
  return pairs(list);
}

const rule = (metric: string, bound: GateRule["bound"], mode: GateRule["mode"] = "point", text = String(Object.values(bound)[0])): GateRule => ({
  metric,
  bound,
  bound_text: text,
  mode,
});

function gate(cases: CaseRecord[], rules: GateRule[], policy?: GatePolicy) {
  return analyse({ cases, checks, gate: rules, ...(policy ? { policy } : {}), falseFailReplications: 200 }).gate;
}

describe("reference values", () => {
  test("Clopper–Pearson matches R's binom.test", () => {
    // binom.test(0, 100)$conf.int; binom.test(5, 20)$conf.int
    expect(clopperPearson(0, 100)[1]).toBeCloseTo(0.03621669, 7);
    const [lo, hi] = clopperPearson(5, 20);
    expect(lo).toBeCloseTo(0.08657147, 7);
    expect(hi).toBeCloseTo(0.49104587, 7);
  });

  test("Holm matches R's p.adjust(…, 'holm'), nulls left out of the family", () => {
    const adjusted = holmAdjust([0.01, 0.04, null, 0.03, 0.02]);
    expect(adjusted[0]).toBeCloseTo(0.04, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeNull();
    expect(adjusted[3]).toBeCloseTo(0.06, 12);
    expect(adjusted[4]).toBeCloseTo(0.06, 12);
  });

  test("one-sided exact McNemar matches scipy's binomtest(b, b + c, alternative='greater')", () => {
    expect(mcnemarGreater(10, 2)).toBeCloseTo(79 / 4096, 12);
    expect(mcnemarGreater(1, 12)).toBeCloseTo(1 - 0.5 ** 13, 12);
    expect(mcnemarGreater(0, 0)).toBe(1);
  });
});

describe("the regressions rule (SPEC §6)", () => {
  test("1 regression against 12 improvements does not fail in significant mode: improvements never fail it", () => {
    const result = gate(table(80, 1, 12), [rule("regressions", { max: 0 }, "significant")]);
    expect(result.rules[0]?.verdict).toBe("pass");
    expect(result.rules[0]?.p_value).toBeCloseTo(1 - 0.5 ** 13, 9);
  });

  test("40 against 40 with max 5 is not significant; 40 against 5 is", () => {
    expect(gate(table(100, 40, 40), [rule("regressions", { max: 5 }, "significant")]).rules[0]?.verdict).toBe("pass");
    expect(gate(table(100, 40, 5), [rule("regressions", { max: 5 }, "significant")]).rules[0]?.verdict).toBe("fail");
  });

  test("point mode counts", () => {
    expect(gate(table(50, 1, 5), [rule("regressions", { max: 0 })]).verdict).toBe("fail");
  });
});

describe("verdicts", () => {
  test("evidence mode is three-valued: pass with evidence, fail with evidence, otherwise inconclusive (exit 4 under hold)", () => {
    const passes = gate(table(400, 0, 0, 100), [rule("pass_rate", { max_drop: 0.05 }, "evidence")]);
    expect(passes.verdict).toBe("pass");
    const fails = gate(table(300, 80, 5, 100), [rule("pass_rate", { max_drop: 0.05 }, "evidence")]);
    expect(fails.verdict).toBe("fail");
    const undecided = gate(table(30, 2, 1, 5), [rule("pass_rate", { max_drop: 0.05 }, "evidence")]);
    expect(undecided.verdict).toBe("inconclusive");
    // 2.4 points from the bound with a standard error of ~4.6: planned at a third of that gap
    expect(undecided.rules[0]?.cases_needed).toBeGreaterThan(1000);
    const further = gate(table(70, 4, 3, 23), [rule("pass_rate", { max_drop: 0.05 }, "evidence")]);
    expect(further.verdict).toBe("inconclusive");
    expect(further.rules[0]?.cases_needed).toBeGreaterThan(100);
    expect(further.rules[0]?.reason).toMatch(/~\d+ cases would settle it/);
    expect(gateExitCode(undecided)).toBe(4);
    expect(gateExitCode({ ...undecided, policy: { multiplicity: "holm", on_inconclusive: "fail" } })).toBe(1);
    expect(gateExitCode({ ...undecided, policy: { multiplicity: "holm", on_inconclusive: "pass" } })).toBe(0);
  });

  test("a segment with no case in the selection is skipped and the gate rests on the others; all skipped is detectable", () => {
    const cases = table(40, 0, 0);
    const result = gate(cases, [rule("pass_rate", { max_drop: 0.05 }), rule("segment.tenant:acme.pass_rate", { max_drop: 0.05 })]);
    expect(result.rules[1]?.verdict).toBe("skipped");
    expect(result.rules[1]?.reason).toMatch(/skipped: no selected case carries this tag/);
    expect(result.skipped).toBe(1);
    expect(result.verdict).toBe("pass");
    expect(everyRuleSkipped(result)).toBe(false);
    expect(everyRuleSkipped(gate(cases, [rule("segment.tenant:acme.pass_rate", { max_drop: 0.05 })]))).toBe(true);
  });

  test("one case decides nothing: significant does not fail, non-inferior does not pass", () => {
    const one = table(0, 1, 0);
    expect(gate(one, [rule("pass_rate", { max_drop: 0.02 }, "significant")]).rules[0]?.verdict).toBe("pass");
    expect(gate(one, [rule("pass_rate", { max_drop: 0.02 }, "non-inferior")]).rules[0]?.verdict).toBe("fail");
    const same = table(1, 0, 0);
    expect(gate(same, [rule("quality.score", { max_drop: 0.02 }, "non-inferior")]).rules[0]?.verdict).toBe("fail");
  });

  test("absolute bounds on a rare rate use the exact interval: 0 errors in 100 is not enough for max 1%", () => {
    const cases = table(100, 0, 0);
    const result = gate(cases, [rule("error_rate", { max: 0.01 }, "non-inferior")]);
    expect(result.rules[0]?.ci?.[1]).toBeCloseTo(0.03621669, 6);
    expect(result.rules[0]?.verdict).toBe("fail");
    const many = table(500, 0, 0);
    expect(gate(many, [rule("error_rate", { max: 0.01 }, "non-inferior")]).rules[0]?.verdict).toBe("pass");
  });

  test("relative bounds: a baseline of 0 with a candidate of 0 passes", () => {
    const cases = table(0, 0, 0, 30);
    const result = gate(cases, [rule("pass_rate", { max_drop: 0.1, relative: true }, "significant", "10%")]);
    expect(result.rules[0]?.verdict).toBe("pass");
  });

  test("Holm: the report keeps raw and adjusted p; the adjustment can keep a borderline rule from failing", () => {
    const cases = table(200, 12, 2, 20);
    const rules = [rule("pass_rate", { max_drop: 0 }, "significant"), rule("quality.pass_rate", { max_drop: 0 }, "significant")];
    const holm = gate(cases, rules);
    const none = gate(cases, rules, { multiplicity: "none", on_inconclusive: "hold" });
    const [raw, adjusted] = [holm.rules[0]?.p_value ?? 1, holm.rules[0]?.p_value_adjusted ?? 1];
    expect(adjusted).toBeCloseTo(Math.min(1, 2 * raw), 9);
    expect(none.rules[0]?.p_value_adjusted).toBeCloseTo(raw, 12);
    expect(raw).toBeLessThan(0.025);
    expect(adjusted).toBeGreaterThan(raw);
  });
});

describe("gate.false_fail_rate", () => {
  test("a point rule with a tight bound fails an unchanged candidate often and says so; significant rarely", () => {
    // A/A-like data: 10 flips each way among 100 cases.
    const cases = table(70, 10, 10, 10);
    const point = gate(cases, [rule("pass_rate", { max_drop: 0.02 })]);
    expect(point.false_fail_rate?.rate).toBeGreaterThan(0.2);
    expect(point.false_fail_rate?.driven_by).toEqual(["pass_rate 0.02"]);
    expect(falseFailWarning(point.false_fail_rate)).toMatch(/pass_rate 0\.02/);
    const significant = gate(cases, [rule("pass_rate", { max_drop: 0.02 }, "significant")]);
    expect(significant.false_fail_rate?.rate).toBeLessThan(0.05);
    expect(falseFailWarning(significant.false_fail_rate)).toBeUndefined();
    // seeded: the same run gives the same figure
    expect(gate(cases, [rule("pass_rate", { max_drop: 0.02 })]).false_fail_rate).toEqual(point.false_fail_rate);
  });
});
