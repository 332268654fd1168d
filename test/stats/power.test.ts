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

  test("from a pilot: the classical n at the gap's 90% lower confidence bound, gap − 1.28·se", () => {
    // gap 0.2, se 0.1: planned at 0.2 − 0.128 = 0.0718, σ = 1: ((1.96 + 0.84) / 0.0718)² = 1520.8 → 1521
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.2, bound: 0 })).toBe(1521);
    expect(((normalQuantile(0.975) + normalQuantile(0.8)) / (0.2 - normalQuantile(0.9) * 0.1)) ** 2).toBeCloseTo(1520.8, 0);
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.2, bound: 0, known: true })).toBe(197);
  });

  test("from a pilot less than 2 standard errors off the bound: planned at a third of the observed gap (9× the classical n)", () => {
    const classical = casesForPower({ se: 0.1, n: 100, effect: 0.1, bound: 0, known: true }) ?? 0;
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.1, bound: 0 })).toBe(
      Math.ceil(((normalQuantile(0.975) + normalQuantile(0.8)) / (0.1 / 3)) ** 2),
    );
    expect(casesForPower({ se: 0.1, n: 100, effect: 0.1, bound: 0 })).toBeGreaterThan(8 * classical);
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
      // the re-run's mean of n unit-sd values, drawn directly (n can be in the millions when the pilot saw no gap)
      const rerunMean = truth + rng.normal() / Math.sqrt(n);
      if (rerunMean - normalQuantile(0.975) / Math.sqrt(n) > 0) settled++;
    }
    expect(quoted).toBeGreaterThan(50);
    expect(settled / quoted).toBeGreaterThanOrEqual(0.7);
  });

  test("a noisy pilot never plans for a larger gap than a candidate exactly as good as the baseline would have", () => {
    // a 20-case pilot 0.3 above a −0.02 bound with se 0.25 (lower bound of the gap below 0): a third of its gap (0.1) is more than the unchanged candidate's 0.02
    const unchanged = casesForPower({ se: 0.25, n: 20, effect: 0.28, bound: -0.02, unchanged: 0 });
    const sigma = 0.25 * Math.sqrt(20);
    expect(unchanged).toBe(Math.ceil((((normalQuantile(0.975) + normalQuantile(0.8)) * sigma) / 0.02) ** 2));
    expect(unchanged).toBeGreaterThan(casesForPower({ se: 0.25, n: 20, effect: 0.28, bound: -0.02 }) ?? 0);
    // a gap the pilot measured clear of its noise is planned at its lower confidence bound, cap or not
    expect(casesForPower({ se: 0.01, n: 1000, effect: 0.1, bound: -0.02, unchanged: 0 })).toBe(
      casesForPower({ se: 0.01, n: 1000, effect: 0.1, bound: -0.02 }),
    );
    // a zero-tolerance rule (the unchanged candidate sits on the bound): a third of the observed gap, as without the cap
    expect(casesForPower({ se: 0.2, n: 20, effect: 0.3, bound: 0, unchanged: 0 })).toBe(casesForPower({ se: 0.2, n: 20, effect: 0.3, bound: 0 }));
  });
});
