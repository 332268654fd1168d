import { describe, expect, test } from "vitest";
import { mcnemarExact } from "../../src/stats/index.js";

// Reference: scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue (scipy 1.17); R's binom.test agrees.
// The exact test only looks at the discordant cells: b regressions, c improvements.
describe("mcnemarExact", () => {
  test.each([
    { b: 0, c: 0, expected: 1 },
    { b: 1, c: 9, expected: 0.021484375 },
    { b: 9, c: 1, expected: 0.021484375 },
    { b: 10, c: 25, expected: 0.016673847800120715 },
    { b: 5, c: 5, expected: 1 },
    { b: 0, c: 10, expected: 0.001953125 },
    { b: 3, c: 0, expected: 0.25 },
    { b: 40, c: 60, expected: 0.05688793364098089 },
    { b: 100, c: 130, expected: 0.05561357778139238 },
    { b: 480, c: 520, expected: 0.2174482932041415 },
  ])("b=$b, c=$c → $expected", ({ b, c, expected }) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(expected, 13);
  });

  test("b=1, c=9 equals the binomial formula 2·(C(10,0) + C(10,1))/2¹⁰", () => {
    expect(mcnemarExact(1, 9)).toBeCloseTo((2 * (1 + 10)) / 1024, 15);
  });

  test("stays finite and monotone with tens of thousands of discordant cases", () => {
    const weak = mcnemarExact(49_500, 50_500);
    const strong = mcnemarExact(45_000, 55_000);
    expect(weak).toBeGreaterThan(0);
    expect(weak).toBeLessThan(0.01);
    expect(strong).toBeLessThan(weak);
  });

  test("rejects counts that are not non-negative integers", () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 3)).toThrow(RangeError);
  });
});
