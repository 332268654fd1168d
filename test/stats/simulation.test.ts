/**
 * Seeded simulations: the tests behave as advertised on data with a known truth.
 * Each scenario is 200 replications (400 for the bootstrap, whose rates sit closer to the limits)
 * with fixed seeds, so results are reproducible, not flaky.
 */
import { describe, expect, test } from "vitest";
import {
  bootstrapInterval,
  bootstrapTwoSidedP,
  clusteredMeanDiff,
  createRng,
  mcnemarExact,
  newcombePairedDiffCI,
  type PairedCounts,
  pairedBootstrap,
  pooledMean,
  type Rng,
} from "../../src/stats/index.js";

const REPLICATIONS = 200;

/** One value per case as clusters, for the bootstrap. */
function clustersOf(baseline: number[], candidate: number[]) {
  return { baseline: baseline.map((v) => [v]), candidate: candidate.map((v) => [v]) };
}

/** Share of replications (seeds 1..replications) for which `trial` holds. */
function share(trial: (rng: Rng) => boolean, replications = REPLICATIONS): number {
  let hits = 0;
  for (let seed = 1; seed <= replications; seed++) if (trial(createRng(seed))) hits++;
  return hits / replications;
}

/** Paired pass/fail outcomes: per-case difficulty shared by both sides, independent draws given it. */
function sameDistribution(rng: Rng, n: number): PairedCounts {
  const counts: PairedCounts = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < n; i++) {
    const difficulty = 0.2 + 0.75 * rng.next();
    const base = rng.bernoulli(difficulty);
    const cand = rng.bernoulli(difficulty);
    if (base && cand) counts.a++;
    else if (base) counts.b++;
    else if (cand) counts.c++;
    else counts.d++;
  }
  return counts;
}

/**
 * A model upgrade that loses 10 points: the baseline passes 80% of cases; the candidate keeps most
 * outcomes but breaks 15% of the baseline's passes and fixes 10% of its failures (0.8·0.15 − 0.2·0.1 = 0.10).
 */
function tenPointDrop(rng: Rng, n: number): PairedCounts {
  const counts: PairedCounts = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < n; i++) {
    const base = rng.bernoulli(0.8);
    const cand = base ? rng.bernoulli(0.85) : rng.bernoulli(0.1);
    if (base && cand) counts.a++;
    else if (base) counts.b++;
    else if (cand) counts.c++;
    else counts.d++;
  }
  return counts;
}

describe("exact McNemar and the Newcombe interval", () => {
  test("A/A at n=200: p < 0.05 no more often than nominal (the exact test is conservative)", () => {
    const falseAlarms = share((rng) => {
      const { b, c } = sameDistribution(rng, 200);
      return mcnemarExact(b, c) < 0.05;
    });
    expect(falseAlarms).toBeLessThanOrEqual(0.07);
  });

  test("A/A at n=200: p-values are spread out, not piled at 0 or 1", () => {
    const belowHalf = share((rng) => {
      const { b, c } = sameDistribution(rng, 200);
      return mcnemarExact(b, c) < 0.5;
    });
    expect(belowHalf).toBeGreaterThan(0.3);
    expect(belowHalf).toBeLessThan(0.6);
  });

  test("A/A at n=200: the interval covers 0 at about the nominal rate", () => {
    const covered = share((rng) => {
      const [lo, hi] = newcombePairedDiffCI(sameDistribution(rng, 200));
      return lo <= 0 && hi >= 0;
    });
    expect(covered).toBeGreaterThanOrEqual(0.93);
  });

  test("a planted 10-point drop at n=500 is detected: p < 0.01 and the interval excludes 0", () => {
    const detected = share((rng) => {
      const counts = tenPointDrop(rng, 500);
      const [, hi] = newcombePairedDiffCI(counts);
      return mcnemarExact(counts.b, counts.c) < 0.01 && hi < 0;
    });
    expect(detected).toBeGreaterThanOrEqual(0.95);
  });

  test("the interval covers the planted −0.10 at about the nominal rate", () => {
    const covered = share((rng) => {
      const [lo, hi] = newcombePairedDiffCI(tenPointDrop(rng, 500));
      return lo <= -0.1 && hi >= -0.1;
    });
    expect(covered).toBeGreaterThanOrEqual(0.9);
  });
});

describe("bootstrap and clustered t", () => {
  /** Skewed per-case scores (a shared case effect plus exponential noise), candidate shifted by `shift`. */
  function scores(rng: Rng, n: number, shift: number) {
    const baseline: number[] = [];
    const candidate: number[] = [];
    for (let i = 0; i < n; i++) {
      const caseEffect = rng.normal();
      baseline.push(caseEffect - Math.log(1 - rng.next()));
      candidate.push(caseEffect + shift - Math.log(1 - rng.next()));
    }
    return { baseline, candidate };
  }

  // The percentile bootstrap runs slightly liberal at n=100 (its interval ignores the n − 1), so the
  // limits allow a point or two either side of 95% / 5%.
  test("the bootstrap interval of a planted mean shift covers it at roughly the nominal rate", () => {
    const covered = share((rng) => {
      const { baseline, candidate } = scores(rng, 100, 0.3);
      const ci = bootstrapInterval(pairedBootstrap(clustersOf(baseline, candidate), pooledMean, { resamples: 500, seed: rng.int(1e9) }));
      return ci !== null && ci[0] <= 0.3 && ci[1] >= 0.3;
    }, 400);
    expect(covered).toBeGreaterThanOrEqual(0.91);
    expect(covered).toBeLessThanOrEqual(0.98);
  });

  test("A/A bootstrap p-values: p < 0.05 about as often as nominal", () => {
    const falseAlarms = share((rng) => {
      const { baseline, candidate } = scores(rng, 100, 0);
      const p = bootstrapTwoSidedP(pairedBootstrap(clustersOf(baseline, candidate), pooledMean, { resamples: 500, seed: rng.int(1e9) }));
      return p !== null && p < 0.05;
    }, 400);
    expect(falseAlarms).toBeLessThanOrEqual(0.08);
  });

  test("clustered t covers a planted shift with correlated repeats, where pooling repeats would not", () => {
    let clusteredCovered = 0;
    let naiveCovered = 0;
    for (let seed = 1; seed <= REPLICATIONS; seed++) {
      const rng = createRng(seed);
      const baseline: number[][] = [];
      const candidate: number[][] = [];
      for (let i = 0; i < 60; i++) {
        // The case-by-variant effect is shared by all 5 repeats: repeats are not independent evidence.
        const baseCase = rng.normal();
        const candCase = rng.normal() + 0.2;
        baseline.push(Array.from({ length: 5 }, () => baseCase + 0.2 * rng.normal()));
        candidate.push(Array.from({ length: 5 }, () => candCase + 0.2 * rng.normal()));
      }
      const { ci } = clusteredMeanDiff(baseline, candidate);
      if (ci && ci[0] <= 0.2 && ci[1] >= 0.2) clusteredCovered++;
      // Treating each repeat as its own case, as a naive analysis would.
      const naive = clusteredMeanDiff(
        baseline.flat().map((v) => [v]),
        candidate.flat().map((v) => [v]),
      );
      if (naive.ci && naive.ci[0] <= 0.2 && naive.ci[1] >= 0.2) naiveCovered++;
    }
    expect(clusteredCovered / REPLICATIONS).toBeGreaterThanOrEqual(0.91);
    expect(naiveCovered / REPLICATIONS).toBeLessThan(0.8);
  });
});
