import { describe, expect, test } from "vitest";
import { mean, quantile, sortedCopy, stdev, variance } from "../../src/stats/index.js";

// Expected values from numpy 2.4: np.quantile(sorted(a), q) (default method "linear"), np.std(a, ddof=1).
describe("quantile matches numpy's default (linear)", () => {
  test.each([
    { values: [1, 2, 3, 4], q: 0.25, expected: 1.75 },
    { values: [10, 20, 30, 40, 50], q: 0.9, expected: 46 },
    { values: [7], q: 0.5, expected: 7 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q: 0.95, expected: 9.549999999999999 },
    { values: [3, 1, 4, 1, 5, 9, 2, 6], q: 0.5, expected: 3.5 },
    { values: [0, 1], q: 0.333, expected: 0.333 },
    { values: [5, 1, 3], q: 0, expected: 1 },
    { values: [5, 1, 3], q: 1, expected: 5 },
  ])("q=$q of $values → $expected", ({ values, q, expected }) => {
    expect(quantile(sortedCopy(values), q)).toBe(expected);
  });

  test("empty input or q outside [0, 1] gives NaN", () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([1, 2], 1.5)).toBeNaN();
  });
});

describe("mean, variance, stdev", () => {
  test("match numpy", () => {
    const values = [2.5, 3.1, 4.7, 1.2, 0.3];
    expect(mean(values)).toBeCloseTo(2.36, 14);
    expect(stdev(values)).toBeCloseTo(1.7052858997833766, 14);
  });

  test("stay accurate with a large offset (latencies in ms since epoch)", () => {
    const values = [1, 2, 3, 4].map((v) => 1e9 + v);
    expect(variance(values)).toBeCloseTo(5 / 3, 6);
  });

  test("undefined cases are NaN, not exceptions", () => {
    expect(mean([])).toBeNaN();
    expect(stdev([4])).toBeNaN();
  });

  test("sortedCopy sorts numerically and leaves the input alone", () => {
    const input = [10, 9, 100, 1];
    expect(Array.from(sortedCopy(input))).toEqual([1, 9, 10, 100]);
    expect(input).toEqual([10, 9, 100, 1]);
  });
});
