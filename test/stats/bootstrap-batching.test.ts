/**
 * Batching must not move a single bit: `pairedBootstrapMany` (shared draws per case count, weighted
 * sums evaluated together, draws tallied in one loop) against the one-item-at-a-time
 * `pairedBootstrap` as it was before batching, kept here verbatim as the reference.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type BootstrapItem,
  type BootstrapOptions,
  type BootstrapResult,
  createRng,
  gatheredOf,
  meanOf,
  pairedBootstrap,
  pairedBootstrapMany,
  pooledMeanOf,
  pooledQuantileOf,
  pooledSumOf,
  quantile,
  type StatisticFactory,
  stdev,
} from "../../src/stats/index.js";
import { createStatisticsPass } from "../../src/stats/weighted-sums.js";

/** `pairedBootstrap` before batching (src/stats/bootstrap.ts at 5785278), unchanged but for its name. */
function referenceBootstrap<T>(
  data: { baseline: readonly T[]; candidate: readonly T[] },
  statistic: StatisticFactory<T>,
  options: BootstrapOptions = {},
): BootstrapResult {
  const { resamples = 2000, seed = 1, confidence = 0.95 } = options;
  const n = data.baseline.length;
  if (data.candidate.length !== n) {
    throw new RangeError(`pairedBootstrap: ${n} baseline cases but ${data.candidate.length} candidate cases`);
  }
  const baseStat = statistic(data.baseline);
  const candStat = statistic(data.candidate);
  const weights = new Uint32Array(n).fill(1);
  const baseline = finiteOrNull(baseStat(weights));
  const candidate = finiteOrNull(candStat(weights));
  const delta = baseline === null || candidate === null ? null : candidate - baseline;
  const empty = { baseline, candidate, delta, ci: null, p: null, se: null, n, resamples: 0 };
  if (delta === null || n === 0) return empty;

  const rng = createRng(seed);
  const draws = new Uint32Array(n);
  const deltas = new Float64Array(resamples);
  let valid = 0;
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draws[i] = rng.int(n);
    weights.fill(0);
    for (const j of draws) weights[j] = (weights[j] ?? 0) + 1;
    const d = candStat(weights) - baseStat(weights);
    if (Number.isFinite(d)) deltas[valid++] = d;
  }
  if (valid === 0) return empty;

  const sorted = deltas.subarray(0, valid).sort();
  const alpha = 1 - confidence;
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const d of sorted) {
    if (d <= 0) atOrBelow++;
    if (d >= 0) atOrAbove++;
  }
  const p = Math.min(1, (2 * (Math.min(atOrBelow, atOrAbove) + 1)) / (valid + 1));
  const se = valid > 1 ? stdev(sorted) : null;
  return { baseline, candidate, delta, ci: [quantile(sorted, alpha / 2), quantile(sorted, 1 - alpha / 2)], p, se, n, resamples: valid };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

type Clusters = number[][];

/** Clusters of 0–3 values (so some cases are empty); sevenths round, so summation order shows, and tie. */
const clustersArbitrary = (n: number) =>
  fc.array(
    fc.array(
      fc.integer({ min: -50, max: 400 }).map((v) => v / 7),
      { maxLength: 3 },
    ),
    { minLength: n, maxLength: n },
  );
const pairArbitrary = fc.integer({ min: 0, max: 40 }).chain((n) => fc.record({ baseline: clustersArbitrary(n), candidate: clustersArbitrary(n) }));

const statistics: Array<[string, StatisticFactory<readonly number[]>]> = [
  ["pooledMeanOf", pooledMeanOf],
  ["pooledSumOf", pooledSumOf],
  ["pooledQuantileOf(0.5)", pooledQuantileOf(0.5)],
  ["pooledQuantileOf(0.95)", pooledQuantileOf(0.95)],
  ["gatheredOf(max)", gatheredOf((values) => (values.length === 0 ? Number.NaN : Math.max(...values)))],
];
const statisticArbitrary = fc.constantFrom(...statistics);

describe("pairedBootstrapMany equals the reference item by item, bit for bit", () => {
  test("random items with mixed case counts and statistics", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ data: pairArbitrary, statistic: statisticArbitrary }), { minLength: 1, maxLength: 8 }),
        fc.record({ seed: fc.integer({ min: 0, max: 1000 }), resamples: fc.integer({ min: 0, max: 60 }) }),
        (items, options) => {
          const batch: BootstrapItem<readonly number[]>[] = items.map(({ data, statistic }) => ({ data, statistic: statistic[1] }));
          const expected = batch.map((item) => referenceBootstrap(item.data, item.statistic, options));
          expect(pairedBootstrapMany(batch, options)).toEqual(expected);
        },
      ),
      { seed: 20, numRuns: 150 },
    );
  });

  test.each([
    { name: "defaults", options: {} },
    { name: "other seed and confidence", options: { seed: 77, confidence: 0.8 } },
  ])("realistic items sharing and not sharing n: $name", ({ options }) => {
    const rng = createRng(4);
    const scores = (n: number, shift: number): Clusters => Array.from({ length: n }, () => [Math.round((rng.next() + shift) * 100) / 100]);
    const latency = (n: number): Clusters =>
      Array.from({ length: n }, (_, i) => Array.from({ length: 1 + (i % 3) }, () => Math.round(300 + 2000 * rng.next())));
    const data = [
      { baseline: scores(300, 0), candidate: scores(300, 0.02) },
      { baseline: latency(300), candidate: latency(300) },
      { baseline: scores(120, 0), candidate: scores(120, -0.05) },
    ];
    const items: BootstrapItem<readonly number[]>[] = [
      { data: data[0]!, statistic: pooledMeanOf },
      { data: data[1]!, statistic: pooledQuantileOf(0.95) },
      { data: data[1]!, statistic: pooledMeanOf },
      { data: data[2]!, statistic: pooledSumOf },
      { data: data[0]!, statistic: pooledMeanOf },
      { data: data[2]!, statistic: pooledQuantileOf(0.5) },
    ];
    const expected = items.map((item) => referenceBootstrap(item.data, item.statistic, options));
    expect(pairedBootstrapMany(items, options)).toEqual(expected);
    expect(items.map((item) => pairedBootstrap(item.data, item.statistic, options))).toEqual(expected);
  });

  test("one value per case (meanOf)", () => {
    const rng = createRng(8);
    const baseline = Array.from({ length: 500 }, () => rng.normal());
    const candidate = baseline.map((v) => v + 0.1 * rng.normal());
    expect(pairedBootstrapMany([{ data: { baseline, candidate }, statistic: meanOf }])).toEqual([
      referenceBootstrap({ baseline, candidate }, meanOf),
    ]);
  });

  test("an empty batch, and unpaired items are refused before anything runs", () => {
    expect(pairedBootstrapMany([])).toEqual([]);
    expect(() => pairedBootstrapMany([{ data: { baseline: [1, 2], candidate: [1] }, statistic: meanOf }])).toThrow(RangeError);
  });
});

describe("createStatisticsPass", () => {
  test("gives each statistic's own value, bit for bit, weighted sums or not", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).chain((n) =>
          fc.record({
            sides: fc.array(clustersArbitrary(n), { minLength: 1, maxLength: 7 }),
            weights: fc.uint32Array({ minLength: n, maxLength: n, max: 5 }),
          }),
        ),
        fc.array(statisticArbitrary, { minLength: 7, maxLength: 7 }),
        ({ sides, weights }, picked) => {
          const built = sides.map((clusters, k) => (picked[k] ?? statistics[0]!)[1](clusters));
          const values = createStatisticsPass(built)(weights);
          expect([...values]).toEqual(built.map((statistic) => statistic(weights)));
        },
      ),
      { seed: 21, numRuns: 300 },
    );
  });

  test("a mean with no drawn values is NaN, a sum 0", () => {
    const built = [pooledMeanOf([[1], [], [2]]), pooledSumOf([[1], [], [2]])];
    expect([...createStatisticsPass(built)(Uint32Array.of(0, 3, 0))]).toEqual([Number.NaN, 0]);
  });

  test("refuses statistics over different case counts", () => {
    expect(() => createStatisticsPass([pooledMeanOf([[1]]), pooledMeanOf([[1], [2]])])).toThrow(RangeError);
  });
});

describe("Rng.countInts", () => {
  test.each([1, 2, 7, 1000])("tallies the very stream int() draws (n = %i)", (n) => {
    const drawn = createRng(5);
    const tallied = createRng(5);
    const draws = new Uint32Array(n);
    for (let r = 0; r < 5; r++) {
      for (let i = 0; i < n; i++) draws[i] = drawn.int(n);
      const expected = new Int32Array(n);
      for (const j of draws) expected[j] = (expected[j] ?? 0) + 1;
      const counts = new Int32Array(n);
      tallied.countInts(counts, n);
      expect(counts).toEqual(expected);
    }
    expect(tallied.next()).toBe(drawn.next());
  });
});
