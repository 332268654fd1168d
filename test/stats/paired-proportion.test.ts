import { describe, expect, test } from "vitest";
import { type Interval, newcombePairedDiffCI, type PairedCounts, pairedCounts, pairedDelta, wilsonInterval } from "../../src/stats/index.js";

// Cells: a both pass, b baseline pass & candidate fail (regression), c baseline fail & candidate pass
// (improvement), d both fail. delta = candidate − baseline = (c − b) / n.
const table = (a: number, b: number, c: number, d: number): PairedCounts => ({ a, b, c, d });

describe("newcombePairedDiffCI (Newcombe 1998, Stat Med 17:2635, method 10)", () => {
  // Published values are for baseline − candidate (p1 − p2, rows − columns); ours is the mirror image.
  test.each([
    {
      name: "Cavo et al. 2012 (Fagerland, Lydersen & Laake 2017, ch. 8: −0.0621, −0.1186 to −0.0046)",
      counts: table(59, 6, 16, 80),
      delta: 0.0621,
      ci: [0.0046, 0.1186] as Interval,
    },
    {
      name: "Newcombe's own worked example 36/12/2/0 (0.0569 to 0.3404 for p1 − p2)",
      counts: table(36, 2, 12, 0),
      delta: 0.2,
      ci: [0.0569, 0.3404] as Interval,
    },
  ])("$name", ({ counts, delta, ci }) => {
    const [lo, hi] = newcombePairedDiffCI(counts);
    expect(pairedDelta(counts)).toBeCloseTo(delta, 4);
    expect(lo).toBeCloseTo(ci[0], 4);
    expect(hi).toBeCloseTo(ci[1], 4);
  });

  test("swapping baseline and candidate mirrors the interval", () => {
    const [lo, hi] = newcombePairedDiffCI(table(12, 9, 2, 11));
    const [mirrorLo, mirrorHi] = newcombePairedDiffCI(table(12, 2, 9, 11));
    expect(mirrorLo).toBeCloseTo(-hi, 14);
    expect(mirrorHi).toBeCloseTo(-lo, 14);
    // Cross-checked against an independent Python transcription of method 10 (scipy z quantile).
    expect(lo).toBeCloseTo(-0.37197623506799227, 12);
    expect(hi).toBeCloseTo(-0.01601749853971568, 12);
  });

  test.each([
    { name: "empty table", counts: table(0, 0, 0, 0), expected: [-1, 1] as Interval },
    { name: "all pass on both sides", counts: table(40, 0, 0, 0), expected: [-0.08762160119728646, 0.08762160119728646] as Interval },
    { name: "all fail on both sides", counts: table(0, 0, 0, 7), expected: [-0.35433043506668743, 0.35433043506668743] as Interval },
    { name: "all concordant, mixed", counts: table(20, 0, 0, 20), expected: [-0.046803205338226274, 0.046803205338226274] as Interval },
  ])("$name gives a finite, symmetric interval around 0", ({ counts, expected }) => {
    const [lo, hi] = newcombePairedDiffCI(counts);
    expect(Number.isFinite(lo) && Number.isFinite(hi)).toBe(true);
    expect(lo).toBeCloseTo(expected[0], 12);
    expect(hi).toBeCloseTo(expected[1], 12);
  });

  test("a narrower z gives a narrower interval, always inside [−1, 1] and around the estimate", () => {
    const counts = table(5, 0, 30, 0);
    const wide = newcombePairedDiffCI(counts);
    const narrow = newcombePairedDiffCI(counts, 1.0);
    expect(narrow[0]).toBeGreaterThan(wide[0]);
    expect(narrow[1]).toBeLessThan(wide[1]);
    expect(wide[0]).toBeGreaterThanOrEqual(-1);
    expect(wide[1]).toBeLessThanOrEqual(1);
    expect(wide[0]).toBeLessThan(pairedDelta(counts));
    expect(wide[1]).toBeGreaterThan(pairedDelta(counts));
  });
});

describe("wilsonInterval", () => {
  test("matches scipy: binomtest(23, 60).proportion_ci(method='wilson')", () => {
    const [lo, hi] = wilsonInterval(23, 60);
    expect(lo).toBeCloseTo(0.27088272374082023, 13);
    expect(hi).toBeCloseTo(0.5098240417590008, 13);
  });

  test("no trials gives the whole range", () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});

describe("pairedCounts", () => {
  test("tallies the 2×2 table case by case", () => {
    const baseline = [true, true, false, false, true];
    const candidate = [true, false, true, false, true];
    expect(pairedCounts(baseline, candidate)).toEqual({ a: 2, b: 1, c: 1, d: 1 });
  });

  test("refuses unpaired inputs", () => {
    expect(() => pairedCounts([true], [true, false])).toThrow(RangeError);
  });
});
