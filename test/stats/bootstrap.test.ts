import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  asClusters,
  bootstrapInterval,
  bootstrapTail,
  bootstrapTwoSidedP,
  createRng,
  mean,
  pairedBootstrap,
  pooledMean,
  pooledQuantile,
  pooledSum,
  quantile,
  type Rng,
  sortedCopy,
  tQuantile,
} from "../../src/stats/index.js";

/** Per-case clusters of `size` values drawn by `value`. */
function makeClusters(seed: number, cases: number, size: (i: number) => number, value: (r: Rng) => number) {
  const rng = createRng(seed);
  return Array.from({ length: cases }, (_, i) => Array.from({ length: size(i) }, () => value(rng)));
}

/** A weighted resample gathered the slow, obvious way. */
function gather(clusters: number[][], weights: Uint32Array): number[] {
  return clusters.flatMap((values, i) => Array.from({ length: weights[i] ?? 0 }, () => values).flat());
}

const singles = (values: number[]) => values.map((v) => [v]);

describe("statistics on a resample equal the statistic of the gathered resample", () => {
  const clusters = makeClusters(
    5,
    30,
    (i) => i % 4,
    (rng) => Math.round(rng.next() * 1000) / 10,
  );
  const weights = fc.uint32Array({ minLength: clusters.length, maxLength: clusters.length, max: 4 });

  test.each([0, 0.05, 0.5, 0.9, 0.95, 0.99, 1])("pooledQuantile(%s) is numpy's linear quantile", (q) => {
    const stat = pooledQuantile(q)(asClusters(clusters));
    fc.assert(
      fc.property(weights, (w) => {
        const values = gather(clusters, w);
        const expected = values.length === 0 ? Number.NaN : quantile(sortedCopy(values), q);
        if (Number.isNaN(expected)) return expect(stat(w)).toBeNaN();
        expect(stat(w)).toBeCloseTo(expected, 9);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("pooledMean and pooledSum", () => {
    fc.assert(
      fc.property(weights, (w) => {
        const values = gather(clusters, w);
        if (values.length === 0) expect(pooledMean(asClusters(clusters))(w)).toBeNaN();
        else expect(pooledMean(asClusters(clusters))(w)).toBeCloseTo(mean(values), 10);
        expect(pooledSum(asClusters(clusters))(w)).toBeCloseTo(
          values.reduce((a, b) => a + b, 0),
          8,
        );
      }),
      { seed: 43, numRuns: 200 },
    );
  });
});

describe("pairedBootstrap", () => {
  const base = Array.from({ length: 200 }, (_, i) => (i * 7919) % 100);
  const cand = base.map((v, i) => v + 5 + ((i * 31) % 7) - 3);
  const data = { baseline: singles(base), candidate: singles(cand) };

  test("is deterministic for a seed and reports the observed estimates", () => {
    const first = pairedBootstrap(data, pooledMean, { seed: 9 });
    expect(pairedBootstrap(data, pooledMean, { seed: 9 })).toEqual(first);
    expect(first.baseline).toBeCloseTo(mean(base), 12);
    expect(first.estimate).toBeCloseTo(mean(cand) - mean(base), 12);
    expect(first.sorted).toHaveLength(2000);
    expect(bootstrapInterval(pairedBootstrap(data, pooledMean, { seed: 10 }))).not.toEqual(bootstrapInterval(first));
  });

  test("k = 0 is the candidate's own value, k = 1.1 candidate − 1.1 × baseline", () => {
    expect(pairedBootstrap(data, pooledMean, { k: 0 }).estimate).toBeCloseTo(mean(cand), 12);
    expect(pairedBootstrap(data, pooledMean, { k: 1.1 }).estimate).toBeCloseTo(mean(cand) - 1.1 * mean(base), 12);
  });

  test("a constant shift or identical sides: no spread, so no interval (not a zero-width one)", () => {
    const shifted = pairedBootstrap({ baseline: singles(base), candidate: singles(base.map((v) => v + 5)) }, pooledMean);
    expect(shifted.estimate).toBeCloseTo(5, 10);
    expect(bootstrapInterval(shifted)).toBeNull();
    expect(bootstrapTail(shifted, 0, "below")).toBeNull();
    const same = pairedBootstrap({ baseline: singles(base), candidate: singles(base) }, pooledMean);
    expect(bootstrapInterval(same)).toBeNull();
    expect(bootstrapTwoSidedP(same)).toBe(1);
  });

  test("one case gives no interval", () => {
    expect(bootstrapInterval(pairedBootstrap({ baseline: [[1]], candidate: [[3]] }, pooledMean))).toBeNull();
  });

  test("the expanded interval is about a t interval at small n (wider than the plain percentile)", () => {
    const rng = createRng(3);
    const diffs = Array.from({ length: 20 }, () => rng.normal());
    const result = pairedBootstrap({ baseline: singles(diffs.map(() => 0)), candidate: singles(diffs) }, pooledMean, { resamples: 4000 });
    const ci = bootstrapInterval(result) as [number, number];
    const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - mean(diffs)) ** 2, 0) / 19);
    const tHalf = tQuantile(0.975, 19) * (sd / Math.sqrt(20));
    expect(ci[1] - ci[0]).toBeGreaterThan(2 * tHalf * 0.85);
    expect(ci[1] - ci[0]).toBeLessThan(2 * tHalf * 1.15);
  });

  test("no cases, or a statistic undefined on the sample, gives nulls rather than NaN", () => {
    expect(pairedBootstrap({ baseline: [], candidate: [] }, pooledMean)).toMatchObject({ estimate: null, n: 0 });
    expect(pairedBootstrap({ baseline: [[], []], candidate: [[], []] }, pooledQuantile(0.95))).toMatchObject({ baseline: null, estimate: null });
  });

  test("skips resamples where the statistic is undefined (only empty cases drawn)", () => {
    const result = pairedBootstrap({ baseline: [[100], []], candidate: [[150], []] }, pooledQuantile(0.5), { resamples: 500 });
    expect(result.estimate).toBe(50);
    expect(result.sorted.length).toBeLessThan(500);
    expect(result.sorted.length).toBeGreaterThan(300);
  });

  test("refuses unpaired inputs", () => {
    expect(() => pairedBootstrap({ baseline: [[1], [2]], candidate: [[1]] }, pooledMean)).toThrow(RangeError);
  });

  // No timing here: how long the statistics take at 10,000 cases is the bench's business (bench/README.md).
  test("a mean over 2,000 cases: the interval holds the true shift and is as narrow as n allows", () => {
    const rng = createRng(123);
    const baseline = Array.from({ length: 2_000 }, () => rng.normal());
    const candidate = baseline.map((v) => v + 0.1 + 0.5 * rng.normal());
    const ci = bootstrapInterval(pairedBootstrap({ baseline: singles(baseline), candidate: singles(candidate) }, pooledMean)) as [number, number];
    // se of the paired mean ≈ 0.5 / √2000 ≈ 0.011: a 95% interval ≈ ±0.022 around 0.1
    expect(ci[0]).toBeGreaterThan(0.06);
    expect(ci[1]).toBeLessThan(0.14);
    expect(ci[1] - ci[0]).toBeLessThan(0.06);
  });

  test("p95 latency over 2,000 cases × 3 samples: a 15% slower candidate is told apart", () => {
    const baseline = makeClusters(
      4,
      2_000,
      () => 3,
      (rng) => 200 * Math.exp(0.5 * rng.normal()),
    );
    const candidate = makeClusters(
      5,
      2_000,
      () => 3,
      (rng) => 230 * Math.exp(0.5 * rng.normal()),
    );
    const ci = bootstrapInterval(pairedBootstrap({ baseline, candidate }, pooledQuantile(0.95))) as [number, number];
    expect(ci[0]).toBeGreaterThan(0);
  });
});

describe("by simulation", () => {
  /** Share of 400 seeded replications for which `trial` holds. */
  function share(trial: (rng: Rng) => boolean, replications = 400): number {
    let hits = 0;
    for (let seed = 1; seed <= replications; seed++) if (trial(createRng(seed))) hits++;
    return hits / replications;
  }

  test.each([20, 50])("the interval of a skewed mean shift covers it 93–97%% at n=%i", (n) => {
    const covered = share((rng) => {
      const baseline = Array.from({ length: n }, () => [Math.exp(rng.normal())]);
      const candidate = baseline.map(([b]) => [(b ?? 0) + 0.3 + 0.5 * rng.normal()]);
      const ci = bootstrapInterval(pairedBootstrap({ baseline, candidate }, pooledMean, { resamples: 500, seed: rng.int(1e9) }));
      return ci !== null && ci[0] <= 0.3 && ci[1] >= 0.3;
    });
    expect(covered).toBeGreaterThanOrEqual(0.92);
    expect(covered).toBeLessThanOrEqual(0.975);
  });

  test("one-sided tails at level 2.5% reject a true bound no more than nominal", () => {
    const rejections = share((rng) => {
      const baseline = Array.from({ length: 40 }, () => [rng.normal()]);
      const candidate = baseline.map(([b]) => [(b ?? 0) - 0.2 + rng.normal()]);
      const result = pairedBootstrap({ baseline, candidate }, pooledMean, { resamples: 500, seed: rng.int(1e9) });
      const ci = bootstrapInterval(result);
      // truth on the bound (−0.2): "the interval lies below the bound" is a false fail
      return ci !== null && ci[1] < -0.2;
    });
    expect(rejections).toBeLessThanOrEqual(0.045);
  });
});
