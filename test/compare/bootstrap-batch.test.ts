import { describe, expect, test } from "vitest";
import { createBootstrapBatch } from "../../src/compare/bootstrap-batch.js";
import { pairedBootstrap, pooledMeanOf, pooledQuantileOf, type StatisticFactory } from "../../src/stats/index.js";

/** pooledMeanOf, counting how many sides it was built for. */
function countingMean() {
  const calls = { count: 0 };
  const statistic: StatisticFactory<readonly number[]> = (cases) => {
    calls.count++;
    return pooledMeanOf(cases);
  };
  return { calls, statistic };
}

const baseline = Array.from({ length: 60 }, (_, i) => [((i * 37) % 11) / 3]);
const candidate = Array.from({ length: 60 }, (_, i) => [((i * 53) % 13) / 3]);

describe("createBootstrapBatch", () => {
  test("each ticket gets what a lone pairedBootstrap gives", () => {
    const batch = createBootstrapBatch({ resamples: 300, seed: 3 });
    const requests = [
      { key: "mean", statistic: pooledMeanOf, baseline, candidate },
      { key: "quantile 0.9", statistic: pooledQuantileOf(0.9), baseline, candidate },
      { key: "mean", statistic: pooledMeanOf, baseline: baseline.slice(5), candidate: candidate.slice(5) },
    ];
    const tickets = requests.map((request) => batch.add(request));
    const results = batch.run();
    tickets.forEach((ticket, i) => {
      const request = requests[i]!;
      expect(results[ticket]).toEqual(pairedBootstrap(request, request.statistic, { resamples: 300, seed: 3 }));
    });
  });

  test("equal clusters under an equal key are bootstrapped once, and each ticket gets its own interval array", () => {
    const { calls, statistic } = countingMean();
    const batch = createBootstrapBatch({ resamples: 200 });
    const first = batch.add({ key: "mean", statistic, baseline, candidate });
    const copy = batch.add({ key: "mean", statistic, baseline: baseline.map((c) => [...c]), candidate: candidate.map((c) => [...c]) });
    expect(calls.count).toBe(2);
    const results = batch.run();
    expect(results[copy]).toEqual(results[first]);
    expect(results[copy]?.ci).not.toBe(results[first]?.ci);
  });

  test.each([
    { name: "another key", change: { key: "sum" } },
    { name: "one value differs", change: { candidate: candidate.map((c, i) => (i === 59 ? [c[0]! + 1e-12] : c)) } },
    { name: "−0 for 0", change: { baseline: baseline.map((c) => (c[0] === 0 ? [-0] : c)) } },
    { name: "the same values split differently between cases", change: { baseline: [[...baseline[0]!, ...baseline[1]!], [], ...baseline.slice(2)] } },
  ])("is not fooled: $name", ({ change }) => {
    const { calls, statistic } = countingMean();
    const batch = createBootstrapBatch({ resamples: 50 });
    batch.add({ key: "mean", statistic, baseline, candidate });
    batch.add({ key: "mean", statistic, baseline, candidate, ...change });
    expect(calls.count).toBe(4);
  });
});
