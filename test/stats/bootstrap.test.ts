import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type BootstrapResult,
  bootstrapMeanDiff,
  bootstrapPooledMeanDiff,
  bootstrapQuantileDiff,
  createRng,
  gatheredOf,
  type Interval,
  mean,
  meanOf,
  pairedBootstrap,
  pooledMeanOf,
  pooledQuantileOf,
  pooledSumOf,
  quantile,
  sortedCopy,
} from "../../src/stats/index.js";

/** Per-case clusters of `size` values drawn by `value`. */
function makeClusters(seed: number, cases: number, size: (i: number) => number, value: (r: ReturnType<typeof createRng>) => number) {
  const rng = createRng(seed);
  return Array.from({ length: cases }, (_, i) => Array.from({ length: size(i) }, () => value(rng)));
}

/** The interval of a result that must have one. */
function ciOf(result: BootstrapResult): Interval {
  if (result.ci === null) throw new Error("expected an interval");
  return result.ci;
}

/** Gathers a weighted resample the slow, obvious way. */
function gather(clusters: number[][], weights: Uint32Array): number[] {
  return clusters.flatMap((values, i) => Array.from({ length: weights[i] ?? 0 }, () => values).flat());
}

const weightsArbitrary = (n: number) => fc.uint32Array({ minLength: n, maxLength: n, max: 4 });

describe("weighted statistics equal the statistic of the gathered resample", () => {
  const clusters = makeClusters(
    5,
    30,
    (i) => i % 4,
    (rng) => Math.round(rng.next() * 1000) / 10,
  );

  test.each([0, 0.05, 0.5, 0.9, 0.95, 0.99, 1])("pooledQuantileOf(%s)", (q) => {
    const stat = pooledQuantileOf(q)(clusters);
    fc.assert(
      fc.property(weightsArbitrary(clusters.length), (weights) => {
        const values = gather(clusters, weights);
        const expected = values.length === 0 ? Number.NaN : quantile(sortedCopy(values), q);
        expect(stat(weights)).toEqual(expected);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("pooledMeanOf and gatheredOf(mean)", () => {
    const pooled = pooledMeanOf(clusters);
    const gathered = gatheredOf(mean)(clusters);
    fc.assert(
      fc.property(weightsArbitrary(clusters.length), (weights) => {
        const values = gather(clusters, weights);
        if (values.length === 0) return expect(pooled(weights)).toBeNaN();
        expect(pooled(weights)).toBeCloseTo(mean(values), 10);
        expect(gathered(weights)).toBeCloseTo(mean(values), 10);
      }),
      { seed: 43, numRuns: 200 },
    );
  });

  test("pooledSumOf counts each case as often as drawn", () => {
    expect(pooledSumOf([[1, 2], [10], []])(Uint32Array.of(2, 1, 5))).toBe(16);
  });

  test("meanOf weights one value per case", () => {
    expect(meanOf([1, 2, 10])(Uint32Array.of(2, 0, 1))).toBe(4);
  });
});

describe("pairedBootstrap", () => {
  const base = Array.from({ length: 200 }, (_, i) => (i * 7919) % 100);
  const cand = base.map((v, i) => v + 5 + ((i * 31) % 7) - 3);

  test("is deterministic for a seed and reports the observed point estimates", () => {
    const first = bootstrapMeanDiff(base, cand, { seed: 9 });
    expect(bootstrapMeanDiff(base, cand, { seed: 9 })).toEqual(first);
    expect(first.baseline).toBeCloseTo(mean(base), 12);
    expect(first.candidate).toBeCloseTo(mean(cand), 12);
    expect(first.delta).toBeCloseTo(mean(cand) - mean(base), 12);
    expect(first.resamples).toBe(2000);
    expect(first.n).toBe(200);
    expect(bootstrapMeanDiff(base, cand, { seed: 10 }).ci).not.toEqual(first.ci);
  });

  test("pairing: a constant shift has a tight interval however spread the cases are", () => {
    const shifted = base.map((v) => v + 5);
    const result = bootstrapMeanDiff(base, shifted);
    expect(result.ci?.[0]).toBeCloseTo(5, 10);
    expect(result.ci?.[1]).toBeCloseTo(5, 10);
    expect(result.p).toBeCloseTo(2 / 2001, 12);
  });

  test("identical sides give delta 0, a zero-width interval and p = 1", () => {
    const result = bootstrapMeanDiff(base, base);
    expect(result).toMatchObject({ delta: 0, ci: [0, 0], p: 1 });
  });

  test("a narrower confidence gives a narrower interval", () => {
    const wide = bootstrapMeanDiff(base, cand, { confidence: 0.99 });
    const narrow = bootstrapMeanDiff(base, cand, { confidence: 0.8 });
    expect(ciOf(narrow)[0]).toBeGreaterThan(ciOf(wide)[0]);
    expect(ciOf(narrow)[1]).toBeLessThan(ciOf(wide)[1]);
  });

  test("no cases, or a statistic undefined on the sample, gives nulls rather than NaN", () => {
    expect(bootstrapMeanDiff([], [])).toMatchObject({ delta: null, ci: null, p: null, n: 0, resamples: 0 });
    expect(bootstrapQuantileDiff([[], []], [[], []], 0.95)).toMatchObject({ baseline: null, delta: null, ci: null });
  });

  test("skips resamples where the statistic is undefined (only empty cases drawn)", () => {
    // One case in two has latency samples; a few resamples of 2 cases draw only the empty one.
    const result = bootstrapQuantileDiff([[100], []], [[150], []], 0.5, { resamples: 500 });
    expect(result.delta).toBe(50);
    expect(result.resamples).toBeLessThan(500);
    expect(result.resamples).toBeGreaterThan(300);
    expect(result.ci).toEqual([50, 50]);
  });

  test("refuses unpaired inputs", () => {
    expect(() => pairedBootstrap({ baseline: [1, 2], candidate: [1] }, meanOf)).toThrow(RangeError);
  });

  test("accepts any statistic: the gathered median agrees with the weighted one", () => {
    const baseClusters = makeClusters(
      1,
      100,
      () => 3,
      (rng) => 100 + 50 * rng.next(),
    );
    const candClusters = makeClusters(
      2,
      100,
      () => 3,
      (rng) => 120 + 50 * rng.next(),
    );
    const median = (values: readonly number[]) => quantile(sortedCopy(values), 0.5);
    const gathered = pairedBootstrap({ baseline: baseClusters, candidate: candClusters }, gatheredOf(median), { resamples: 300 });
    const weighted = bootstrapQuantileDiff(baseClusters, candClusters, 0.5, { resamples: 300 });
    expect(ciOf(gathered)[0]).toBeCloseTo(ciOf(weighted)[0], 10);
    expect(ciOf(gathered)[1]).toBeCloseTo(ciOf(weighted)[1], 10);
  });

  test("2,000 resamples × 10,000 cases of a mean take well under a second", () => {
    const rng = createRng(123);
    const baseline = Array.from({ length: 10_000 }, () => rng.normal());
    const candidate = baseline.map((v) => v + 0.1 + 0.5 * rng.normal());
    const started = performance.now();
    const result = bootstrapMeanDiff(baseline, candidate);
    const elapsed = performance.now() - started;
    expect(ciOf(result)[0]).toBeGreaterThan(0.08);
    expect(ciOf(result)[1]).toBeLessThan(0.12);
    expect(elapsed).toBeLessThan(1000);
  });

  test("p95 latency over 10,000 cases × 3 samples is fast too", () => {
    const baseline = makeClusters(
      4,
      10_000,
      () => 3,
      (rng) => 200 * Math.exp(0.5 * rng.normal()),
    );
    const candidate = makeClusters(
      5,
      10_000,
      () => 3,
      (rng) => 230 * Math.exp(0.5 * rng.normal()),
    );
    const started = performance.now();
    const result = bootstrapQuantileDiff(baseline, candidate, 0.95);
    const elapsed = performance.now() - started;
    expect(ciOf(result)[0]).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(2000);
  });

  test("pooled mean over repeats", () => {
    const result = bootstrapPooledMeanDiff([[1, 0], [1], [0, 0, 1]], [[1, 1], [1], [1, 0, 1]]);
    expect(result.baseline).toBeCloseTo(3 / 6, 12);
    expect(result.candidate).toBeCloseTo(5 / 6, 12);
  });
});
