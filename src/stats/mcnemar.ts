/** Exact McNemar tests on the discordant cells of a paired 2×2 table. */
import { binomialLogCdf, binomialUpperTail } from "./binomial.js";

function checkCounts(b: number, c: number): void {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new RangeError(`mcnemar: counts must be non-negative integers, got b=${b}, c=${c}`);
  }
}

/**
 * Exact two-sided McNemar p-value: under H0 the b + c discordant cases split Binomial(b + c, ½),
 * so p = min(1, 2·P(X ≤ min(b, c))). Equals R's `binom.test` / scipy's `binomtest` at p = ½.
 * Only discordant counts matter; 1 when there are none.
 */
export function mcnemarExact(b: number, c: number): number {
  checkCounts(b, c);
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * Math.exp(binomialLogCdf(Math.min(b, c), n, 0.5)));
}

/**
 * One-sided exact McNemar: the evidence that b (regressions) outnumber c (improvements) beyond chance,
 * P(X ≥ b) for X ~ Binomial(b + c, ½) — scipy's `binomtest(b, b + c, alternative="greater")`.
 */
export function mcnemarGreater(b: number, c: number): number {
  checkCounts(b, c);
  return b + c === 0 ? 1 : Math.min(1, binomialUpperTail(b, b + c, 0.5));
}
