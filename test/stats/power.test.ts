import { describe, expect, test } from "vitest";
import {
  casesNeededForMean,
  casesNeededForProportion,
  casesNeededFromInterval,
  newcombePairedDiffCI,
  type PairedCounts,
  pairedDelta,
} from "../../src/stats/index.js";

describe("casesNeededForMean", () => {
  test("is (z·sd / (delta − bound))², rounded up", () => {
    // (1.959964 · 1 / 0.2)² = 96.04 → 97
    expect(casesNeededForMean({ sd: 1, delta: 0.1, bound: -0.1 })).toBe(97);
    expect(casesNeededForMean({ sd: 1, delta: -0.3, bound: -0.1 })).toBe(97);
  });

  test("null when the effect sits on the bound or the spread is unknown", () => {
    expect(casesNeededForMean({ sd: 1, delta: -0.1, bound: -0.1 })).toBeNull();
    expect(casesNeededForMean({ sd: Number.NaN, delta: 0, bound: -0.1 })).toBeNull();
  });

  test("never fewer than two cases", () => {
    expect(casesNeededForMean({ sd: 0, delta: 0.5, bound: 0 })).toBe(2);
  });
});

describe("casesNeededForProportion", () => {
  test("inconclusive at n=40 asks for more cases, and that many would settle it", () => {
    // 2 regressions, 1 improvement, max_drop 10 points: estimate −0.025 is inside the bound,
    // but the interval at n=40 reaches below −0.10.
    const observed: PairedCounts = { a: 30, b: 2, c: 1, d: 7 };
    const bound = -0.1;
    expect(newcombePairedDiffCI(observed)[0]).toBeLessThan(bound);
    const needed = casesNeededForProportion({ b: 2, c: 1, n: 40, bound });
    expect(needed).toBeGreaterThan(40);
    // Scale the table to that size: the real interval then clears the bound (roughly: it is an estimate).
    const scale = (needed ?? 0) / 40;
    const scaled = { a: 30 * scale, b: 2 * scale, c: 1 * scale, d: 7 * scale };
    expect(pairedDelta(scaled)).toBeCloseTo(-0.025, 12);
    expect(newcombePairedDiffCI(scaled)[0]).toBeGreaterThan(bound - 0.01);
  });

  test("no discordant cases yet is not read as certainty", () => {
    expect(casesNeededForProportion({ b: 0, c: 0, n: 40, bound: -0.05 })).toBeGreaterThan(2);
  });

  test("null on the bound or with no cases", () => {
    expect(casesNeededForProportion({ b: 4, c: 0, n: 40, bound: -0.1 })).toBeNull();
    expect(casesNeededForProportion({ b: 0, c: 0, n: 0, bound: -0.1 })).toBeNull();
  });
});

describe("casesNeededFromInterval", () => {
  test("scales the half-width facing the bound by 1/√n", () => {
    // Half-width 0.1 at n=100 on the lower side; to fit in a gap of 0.05 needs 4× the cases.
    expect(casesNeededFromInterval({ n: 100, delta: 0, ci: [-0.1, 0.3], bound: -0.05 })).toBe(400);
    // The bound above the estimate uses the upper half-width.
    expect(casesNeededFromInterval({ n: 100, delta: 0, ci: [-0.1, 0.3], bound: 0.6 })).toBe(25);
    expect(casesNeededFromInterval({ n: 100, delta: 0.6, ci: [-0.1, 0.3], bound: 0.6 })).toBeNull();
  });
});
