/**
 * Binomial probabilities in log space, stable for n in the hundreds of thousands.
 * The pmf uses Loader's saddle-point form ("Fast and accurate computation of binomial
 * probabilities", 2000; what R's dbinom uses): differences of ln Γ at n = 1e5 would lose ~6 digits.
 */
import { logBeta, logGamma, regularizedBeta } from "./special.js";

const LOG_TWO_PI = Math.log(2 * Math.PI);
const HALF_LOG_TWO_PI = 0.5 * LOG_TWO_PI;

/** ln P(X = k) for X ~ Binomial(n, p). */
export function binomialLogPmf(k: number, n: number, p: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || !(p >= 0 && p <= 1)) return Number.NaN;
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  const q = 1 - p;
  if (p === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (q === 0) return k === n ? 0 : Number.NEGATIVE_INFINITY;
  if (k === 0) return n === 0 ? 0 : p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q);
  if (k === n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p);
  const lc = stirlingError(n) - stirlingError(k) - stirlingError(n - k) - bd0(k, n * p) - bd0(n - k, n * q);
  const lf = LOG_TWO_PI + Math.log(k) + Math.log1p(-k / n);
  return lc - 0.5 * lf;
}

/** ln P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialLogCdf(k: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0 || !(p >= 0 && p <= 1) || Number.isNaN(k)) return Number.NaN;
  const top = Math.floor(k);
  if (top < 0) return Number.NEGATIVE_INFINITY;
  if (top >= n) return 0;
  // Sum outward from the largest term (the pmf is unimodal), scaled by it, so nothing underflows
  // and the sum stops once the remaining terms cannot change it.
  const peak = Math.min(top, Math.floor((n + 1) * p));
  const logMax = binomialLogPmf(peak, n, p);
  let sum = 0;
  for (let i = peak; i >= 0; i--) {
    const term = Math.exp(binomialLogPmf(i, n, p) - logMax);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  for (let i = peak + 1; i <= top; i++) {
    const term = Math.exp(binomialLogPmf(i, n, p) - logMax);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return logMax + Math.log(sum);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  return Math.exp(binomialLogCdf(k, n, p));
}

// Series coefficients of the Stirling error: 1/12, 1/360, 1/1260, 1/1680, 1/1188.
const S0 = 1 / 12;
const S1 = 1 / 360;
const S2 = 1 / 1260;
const S3 = 1 / 1680;
const S4 = 1 / 1188;

/** δ(n) = ln n! − ln(√(2πn)·(n/e)ⁿ). */
function stirlingError(n: number): number {
  // Small n: ln Γ is accurate to ~1e-15 absolute there, which is all the precision δ needs.
  if (n <= 15) return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - HALF_LOG_TWO_PI;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** x·ln(x/m) + m − x, computed without cancellation when x ≈ m. */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  return Math.max(0, 1 - binomialCdf(k - 1, n, p));
}

/**
 * Clopper–Pearson ("exact") interval for x successes in n trials: the rates at which observing x or
 * more (x or fewer) has probability (1 − confidence)/2. Never narrower than the data support, so an
 * absolute bound on a rare rate keeps its nominal error rate (Wilson's does not near 0).
 */
export function clopperPearson(x: number, n: number, confidence = 0.95): [number, number] {
  if (n <= 0) return [0, 1];
  const tail = (1 - confidence) / 2;
  const lower = x === 0 ? 0 : betaQuantile(tail, x, n - x + 1);
  const upper = x === n ? 1 : betaQuantile(1 - tail, x + 1, n - x);
  return [lower, upper];
}

/**
 * The p-quantile of Beta(a, b): Newton steps on the regularized incomplete beta, kept inside a
 * bracket that shrinks every step (a step that would leave it bisects instead), so it always converges;
 * a few steps where bisection alone took ~50 (the canary inverts these intervals thousands of times).
 */
function betaQuantile(p: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  let x = a / (a + b);
  const logNorm = logBeta(a, b);
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const f = regularizedBeta(x, a, b) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const density = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logNorm);
    const next = x - f / density;
    const step = Number.isFinite(next) && next > lo && next < hi ? next : (lo + hi) / 2;
    if (Math.abs(step - x) < 1e-15 * Math.max(1, x)) return step;
    x = step;
  }
  return (lo + hi) / 2;
}
