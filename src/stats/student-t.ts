/** Student's t distribution via the regularized incomplete beta function. */
import { normalCdf, normalQuantile } from "./normal.js";
import { logGamma, regularizedBeta } from "./special.js";

// Beyond this many degrees of freedom t and normal agree to ~1e-9 in the quantiles we use.
const NORMAL_DF = 1e10;

/** P(T ≤ t) for T ~ t(df), df > 0 (non-integer allowed). */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (df >= NORMAL_DF) return normalCdf(t);
  const tail = upperTail(Math.abs(t), df);
  return t < 0 ? tail : 1 - tail;
}

/** Two-sided p-value P(|T| ≥ |t|) for T ~ t(df). */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (df >= NORMAL_DF) return 2 * normalCdf(-Math.abs(t));
  return Math.min(1, 2 * upperTail(Math.abs(t), df));
}

/** The p-quantile of t(df): tQuantile(0.975, 10) = 2.228138852. */
export function tQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (df >= NORMAL_DF) return normalQuantile(p);
  // Solve on the upper tail q = 1 − p (exact for p ≥ 0.5) so extreme quantiles keep their precision.
  const q = 1 - p;
  if (df === 1) return 1 / Math.tan(Math.PI * q);
  if (df === 2) return (1 - 2 * q) / Math.sqrt(2 * q * (1 - q));
  return solveUpperTail(q, df);
}

/** P(T ≥ t) for t ≥ 0. */
function upperTail(t: number, df: number): number {
  if (t === Number.POSITIVE_INFINITY) return 0;
  return 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

function density(t: number, df: number): number {
  const logNorm = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logNorm - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** Safeguarded Newton on upperTail(t) = q: Newton steps inside a bracket, bisection when a step leaves it. */
function solveUpperTail(q: number, df: number): number {
  let t = Math.max(cornishFisher(normalQuantile(1 - q), df), 0);
  let lo = 0;
  let hi = Math.max(1, t);
  while (upperTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
  }
  if (!(t > lo && t < hi)) t = (lo + hi) / 2;
  for (let i = 0; i < 500; i++) {
    const f = upperTail(t, df) - q;
    if (f === 0) return t;
    if (f > 0) lo = t;
    else hi = t;
    let next = t + f / density(t, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-14 * Math.abs(next) || hi - lo <= 1e-14 * hi) return next;
    t = next;
  }
  return t;
}

/** Cornish–Fisher expansion of the t quantile around the normal one (Abramowitz & Stegun 26.7.5). */
function cornishFisher(z: number, df: number): number {
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}
