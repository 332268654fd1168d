import { describe, expect, test } from "vitest";
import { clusteredMeanDiff, pairedTInterval } from "../../src/stats/index.js";

// Reference: scipy.stats.ttest_1samp(diffs, 0) with .confidence_interval() (scipy 1.17).
describe("pairedTInterval", () => {
  test("matches scipy's one-sample t test on the differences", () => {
    const result = pairedTInterval([0.1, -0.2, 0.35, 0.05, 0.2, 0.15, -0.05, 0.3]);
    expect(result.n).toBe(8);
    expect(result.delta).toBeCloseTo(0.1125, 14);
    expect(result.se).toBeCloseTo(0.06391260774347599, 14);
    expect(result.p).toBeCloseTo(0.12176388027567875, 12);
    expect(result.ci?.[0]).toBeCloseTo(-0.03862930225276012, 12);
    expect(result.ci?.[1]).toBeCloseTo(0.2636293022527601, 12);
  });

  test.each([
    { name: "no pairs", diffs: [], expected: { delta: null, se: null, ci: null, p: null, n: 0 } },
    { name: "one pair", diffs: [0.4], expected: { delta: 0.4, se: null, ci: null, p: null, n: 1 } },
    { name: "identical zero differences (no interval: it would collapse)", diffs: [0, 0, 0], expected: { delta: 0, se: 0, ci: null, p: 1, n: 3 } },
    { name: "identical non-zero differences (undecided, not certain)", diffs: [2, 2], expected: { delta: 2, se: 0, ci: null, p: null, n: 2 } },
  ])("$name: no NaN", ({ diffs, expected }) => {
    expect(pairedTInterval(diffs)).toEqual(expected);
  });
});

describe("clusteredMeanDiff", () => {
  test("uses one difference of per-case means per case (scipy on those differences)", () => {
    const result = clusteredMeanDiff([[1.0, 1.2, 0.9], [2.0], [0.5, 0.7]], [[1.5, 1.4, 1.1], [2.2], [0.4, 0.9]]);
    expect(result.n).toBe(3);
    expect(result.delta).toBeCloseTo(0.18333333333333335, 14);
    expect(result.se).toBeCloseTo(0.07264831572567784, 14);
    expect(result.p).toBeCloseTo(0.1276432557100413, 12);
    expect(result.ci?.[0]).toBeCloseTo(-0.12924714063545517, 12);
    expect(result.ci?.[1]).toBeCloseTo(0.49591380730212187, 12);
    expect(result.baseline).toBeCloseTo((1.0333333333333334 + 2 + 0.6) / 3, 12);
  });

  test("leaves out cases with no value on a side", () => {
    const result = clusteredMeanDiff([[1], [], [3]], [[2], [5], []]);
    expect(result).toMatchObject({ n: 1, delta: 1, baseline: 1, candidate: 2, ci: null });
  });

  test("empty input", () => {
    expect(clusteredMeanDiff([], [])).toMatchObject({ n: 0, delta: null, baseline: null, candidate: null });
  });
});
