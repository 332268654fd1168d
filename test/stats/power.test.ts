import { describe, expect, test } from "vitest";
import { casesForPower, createRng, mean, normalQuantile, stdev } from "../../src/stats/index.js";

describe("casesForPower", () => {
  test("is ((z₀.₉₇₅ + z₀.₈)·σ / gap)², σ = se·√n, rounded up", () => {
    // σ = 0.1·√100 = 1, gap 0.2: ((1.959964 + 0.841621) / 0.2)² = 196.2 → 197
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.1, bound: -0.1 })).toBe(197);
    expect(((normalQuantile(0.975) + normalQuantile(0.8)) / 0.2) ** 2).toBeCloseTo(196.22, 1);
  });

  test("null on the bound or with an unknown spread; more than n otherwise", () => {
    expect(casesForPower({ se: 0.1, n: 100, effect: -0.1, bound: -0.1 })).toBeNull();
    expect(casesForPower({ se: Number.NaN, n: 100, effect: 0, bound: -0.1 })).toBeNull();
    expect(casesForPower({ se: 0.001, n: 100, effect: 0.5, bound: 0 })).toBe(101);
  });

  test("by simulation: re-running with the quoted n settles a one-sided test at least 70% of the time", () => {
    // truth 0.1 above the bound, per-case sd 1; a pilot of 40 quotes n, then 200 re-runs at that n.
    const rng = createRng(17);
    const pilot = Array.from({ length: 40 }, () => 0.1 + rng.normal());
    const n = casesForPower({ se: stdev(pilot) / Math.sqrt(40), n: 40, effect: 0.1, bound: 0 }) ?? 0;
    expect(n).toBeGreaterThan(400);
    let settled = 0;
    for (let r = 0; r < 200; r++) {
      const rerun = Array.from({ length: n }, () => 0.1 + rng.normal());
      const lower = mean(rerun) - normalQuantile(0.975) * (stdev(rerun) / Math.sqrt(n));
      if (lower > 0) settled++;
    }
    expect(settled / 200).toBeGreaterThanOrEqual(0.7);
  });
});
