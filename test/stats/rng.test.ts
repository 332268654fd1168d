import { describe, expect, test } from "vitest";
import { createRng, mean, stdev } from "../../src/stats/index.js";

const draw = (seed: number, count: number) => {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => rng.next());
};

describe("createRng", () => {
  test("is deterministic for a seed and differs between nearby seeds", () => {
    expect(draw(42, 5)).toEqual(draw(42, 5));
    expect(draw(1, 5)).not.toEqual(draw(2, 5));
  });

  test("uniforms lie in [0, 1) with mean ½ and variance 1/12", () => {
    const values = draw(7, 100_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean(values)).toBeCloseTo(0.5, 2);
    expect(stdev(values) ** 2).toBeCloseTo(1 / 12, 2);
  });

  test("int(n) covers 0..n−1 evenly", () => {
    const rng = createRng(3);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const k = rng.int(10);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  test("normal() has mean 0 and sd 1", () => {
    const rng = createRng(11);
    const values = Array.from({ length: 50_000 }, () => rng.normal());
    expect(mean(values)).toBeCloseTo(0, 1);
    expect(stdev(values)).toBeCloseTo(1, 1);
  });
});
