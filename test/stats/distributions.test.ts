import { describe, expect, test } from "vitest";
import {
  binomialCdf,
  binomialLogCdf,
  logGamma,
  normalCdf,
  normalQuantile,
  regularizedBeta,
  tCdf,
  tQuantile,
  tTwoSidedP,
  zForConfidence,
} from "../../src/stats/index.js";

// Reference values: scipy 1.17 (scipy.stats.norm / t / binom, scipy.special.betainc / gammaln).
const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe("normalCdf", () => {
  test.each([
    { x: 0, expected: 0.5 },
    { x: 1, expected: 0.8413447460685429 },
    { x: -1, expected: 0.15865525393145707 },
    { x: 1.96, expected: 0.9750021048517795 },
    { x: -1.96, expected: 0.024997895148220435 },
    { x: 3, expected: 0.9986501019683699 },
    { x: -5, expected: 2.866515718791933e-7 },
    { x: -8, expected: 6.22096057427174e-16 },
    { x: -10, expected: 7.61985302416047e-24 },
    { x: -20, expected: 2.7536241186061556e-89 },
    { x: 6, expected: 0.9999999990134123 },
  ])("Φ($x) = $expected (relative 1e-12, tails included)", ({ x, expected }) => {
    expect(relativeError(normalCdf(x), expected)).toBeLessThan(1e-12);
  });
});

describe("normalQuantile", () => {
  test.each([
    { p: 0.5, expected: 0 },
    { p: 0.975, expected: 1.959963984540054 },
    { p: 0.025, expected: -1.9599639845400545 },
    { p: 0.9, expected: 1.2815515655446004 },
    { p: 0.999, expected: 3.090232306167813 },
    { p: 1e-10, expected: -6.361340902404056 },
    { p: 1e-5, expected: -4.264890793922825 },
    { p: 0.3, expected: -0.5244005127080409 },
    { p: 0.99999, expected: 4.264890793923841 },
    { p: 1e-300, expected: -37.0470962993612 },
  ])("Φ⁻¹($p) = $expected (absolute 1e-9)", ({ p, expected }) => {
    expect(Math.abs(normalQuantile(p) - expected)).toBeLessThan(1e-9);
  });

  test("edges", () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.2)).toBeNaN();
    expect(zForConfidence(0.95)).toBe(1.959963984540054);
    expect(zForConfidence(0.9)).toBeCloseTo(1.6448536269514722, 12);
  });

  // Stops at 5: above it Φ(x) is within 1e-7 of 1 and a double cannot hold it precisely enough to invert.
  test("round-trips through normalCdf across the range", () => {
    for (let x = -12; x <= 5; x += 0.37) {
      expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThan(1e-9);
    }
  });
});

describe("Student t", () => {
  test.each([
    { p: 0.975, df: 10, expected: 2.228138851986274 },
    { p: 0.975, df: 1, expected: 12.706204736174694 },
    { p: 0.975, df: 2, expected: 4.302652729749462 },
    { p: 0.975, df: 30, expected: 2.0422724563012378 },
    { p: 0.995, df: 5, expected: 4.032142983555228 },
    { p: 0.95, df: 3, expected: 2.3533634348018233 },
    { p: 0.975, df: 100, expected: 1.9839715185235518 },
    { p: 0.975, df: 1000, expected: 1.9623390808264083 },
    { p: 0.025, df: 7, expected: -2.3646242515927844 },
    { p: 0.9999, df: 4, expected: 13.033671720896821 },
    { p: 0.975, df: 1.5, expected: 6.016663104427929 },
  ])("t quantile p=$p, df=$df → $expected", ({ p, df, expected }) => {
    expect(relativeError(tQuantile(p, df), expected)).toBeLessThan(1e-10);
  });

  test.each([
    { t: 2, df: 5, expected: 0.9490302605850708 },
    { t: -1.5, df: 3, expected: 0.11529193262241147 },
    { t: 0, df: 9, expected: 0.5 },
    { t: 10, df: 2, expected: 0.9950737714883372 },
    { t: -30, df: 1, expected: 0.010606402405535426 },
    { t: 2.5, df: 200, expected: 0.9933884136791497 },
    { t: 1, df: 0.5, expected: 0.698878389158678 },
  ])("t CDF t=$t, df=$df → $expected", ({ t, df, expected }) => {
    expect(relativeError(tCdf(t, df), expected)).toBeLessThan(1e-12);
  });

  test("two-sided p is symmetric and equals 2·tail", () => {
    expect(tTwoSidedP(-2, 5)).toBeCloseTo(2 * (1 - 0.9490302605850708), 14);
    expect(tTwoSidedP(0, 5)).toBe(1);
  });
});

describe("special functions", () => {
  test.each([
    { x: 0.3, a: 2.5, b: 0.5, expected: 0.018927124071945658 },
    { x: 0.45, a: 50, b: 60, expected: 0.4642352914306031 },
    { x: 0.999, a: 0.5, b: 0.5, expected: 0.9798649583666235 },
    { x: 0.5, a: 1e-3, b: 2, expected: 0.9998067465369478 },
  ])("I_$x($a, $b) = $expected", ({ x, a, b, expected }) => {
    expect(relativeError(regularizedBeta(x, a, b), expected)).toBeLessThan(1e-12);
  });

  test.each([
    { x: 0.5, expected: 0.5723649429247 },
    { x: 100000.5, expected: 1051293.4654351394 },
    { x: 1e-8, expected: 18.42068073818021 },
  ])("ln Γ($x) = $expected", ({ x, expected }) => {
    expect(relativeError(logGamma(x), expected)).toBeLessThan(1e-13);
  });
});

describe("binomial CDF in log space", () => {
  test.each([
    { k: 3, n: 10, p: 0.3, logCdf: -0.4313819902707921 },
    { k: 0, n: 10, p: 0.5, logCdf: -6.931471805599453 },
    { k: 49000, n: 100000, p: 0.5, logCdf: -22.767836095797712 },
    { k: 45000, n: 100000, p: 0.5, logCdf: -505.11006571053395 },
    { k: 29, n: 100000, p: 0.001, logCdf: -37.39550120212664 },
    { k: 99990, n: 100000, p: 0.9999, logCdf: -0.6123480672468952 },
  ])("ln P(X ≤ $k; n=$n, p=$p) = $logCdf", ({ k, n, p, logCdf }) => {
    expect(relativeError(binomialLogCdf(k, n, p), logCdf)).toBeLessThan(1e-11);
  });

  test("probability scale, and out-of-range k", () => {
    expect(binomialCdf(3, 10, 0.3)).toBeCloseTo(0.6496107184000002, 14);
    // Far below any double: underflows to 0 on the probability scale but stays finite in logs.
    expect(binomialCdf(45000, 100000, 0.5)).toBeCloseTo(4.300170822856397e-220, 230);
    expect(binomialLogCdf(-1, 10, 0.5)).toBe(Number.NEGATIVE_INFINITY);
    expect(binomialLogCdf(10, 10, 0.5)).toBe(0);
  });
});
