import { describe, expect, test } from "vitest";
import { casesForPower, createRng, mean, normalQuantile, stdev } from "../../src/stats/index.js";

describe("casesForPower", () => {
  test("for a stated (known) effect: ((z₀.₉₇₅ + z₀.₈)·σ / gap)², σ = se·√n, rounded up", () => {
    // σ = 0.1·√100 = 1, gap 0.2: ((1.959964 + 0.841621) / 0.2)² = 196.2 → 197
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.1, bound: -0.1, known: true })).toBe(197);
    expect(((normalQuantile(0.975) + normalQuantile(0.8)) / 0.2) ** 2).toBeCloseTo(196.22, 1);
  });

  test("null on the bound or with an unknown spread; more than n otherwise", () => {
    expect(casesForPower({ se: 0.1, n: 100, effect: -0.1, bound: -0.1 })).toBeNull();
    expect(casesForPower({ se: Number.NaN, n: 100, effect: 0, bound: -0.1 })).toBeNull();
    expect(casesForPower({ se: 0.001, n: 100, effect: 0.5, bound: 0 })).toBe(101);
  });

  test("from a pilot: the n whose power averaged over the pilot's uncertainty is 80% (more than the classical n)", () => {
    // gap 2 standard errors of a pilot of 100: Φ((0.2·√m − 1.96) / √(1 + m/100)) ≥ 0.8 at m = 352 (classical: 197)
    const n = casesForPower({ se: 0.1, n: 100, effect: 0.2, bound: 0 }) ?? 0;
    expect(n).toBe(352);
    expect((0.2 * Math.sqrt(n) - normalQuantile(0.975)) / Math.sqrt(1 + n / 100)).toBeGreaterThanOrEqual(normalQuantile(0.8));
    expect((0.2 * Math.sqrt(n - 1) - normalQuantile(0.975)) / Math.sqrt(1 + (n - 1) / 100)).toBeLessThan(normalQuantile(0.8));
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.2, bound: 0, known: true })).toBe(197);
  });

  test("from a pilot less than 0.84 standard errors off the bound: null (no n gets 80% on average)", () => {
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.08, bound: 0 })).toBeNull();
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.09, bound: 0 })).not.toBeNull();
  });

  test("by simulation: re-running with the n an undecided pilot quotes settles the test at least 70% of the time", () => {
    // truth 0.15 above the bound, per-case sd 1; pilots of 100 (se 0.1: often undecided), each re-run once at its quoted n
    const rng = createRng(17);
    const truth = 0.15;
    let quoted = 0;
    let settled = 0;
    for (let r = 0; r < 300; r++) {
      const pilot = Array.from({ length: 100 }, () => truth + rng.normal());
      const se = stdev(pilot) / 10;
      if (mean(pilot) - normalQuantile(0.975) * se > 0) continue; // decided already: nothing quoted
      const n = casesForPower({ se, n: 100, effect: mean(pilot), bound: 0 });
      if (n === null) continue;
      quoted++;
      const rerun = Array.from({ length: n }, () => truth + rng.normal());
      if (mean(rerun) - normalQuantile(0.975) * (stdev(rerun) / Math.sqrt(n)) > 0) settled++;
    }
    expect(quoted).toBeGreaterThan(100);
    expect(settled / quoted).toBeGreaterThanOrEqual(0.7);
  });
});
