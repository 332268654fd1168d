/** Standard normal distribution: CDF accurate to ~1e-15 relative (tails included) and its inverse. */
import { regularizedGammaP, regularizedGammaQ } from "./special.js";

/** z for a 95% two-sided interval: Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

/** Φ(x), the standard normal CDF. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  // Φ(x) = ½·erfc(−x/√2) and erfc(y) = Q(½, y²): the incomplete gamma keeps relative accuracy deep in
  // the tails, where 1 − Φ(|x|) would cancel to 0.
  const y = (x * x) / 2;
  return x < 0 ? 0.5 * regularizedGammaQ(0.5, y) : 0.5 + 0.5 * regularizedGammaP(0.5, y);
}

/** Φ(−|x|)·2: the two-sided normal p-value of a z statistic. */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return Math.min(1, regularizedGammaQ(0.5, (z * z) / 2));
}

// Acklam's rational approximation (relative error 1.15e-9), then one Halley step on the accurate CDF.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;

/** Φ⁻¹(p), the standard normal quantile; ±Infinity at 0 and 1, NaN outside [0, 1]. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  // Work in the lower half and mirror: 1 − p is exact for p ≥ 0.5, and the lower tail keeps full precision.
  if (p > 0.5) return -normalQuantile(1 - p);
  const x = acklam(p);
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  const refined = x - u / (1 + (x * u) / 2);
  // exp(x²/2) overflows only for p near the smallest subnormal; keep Acklam's value there.
  return Number.isFinite(refined) ? refined : x;
}

function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** z for a two-sided interval at `confidence` (0.95 → 1.959963…). */
export function zForConfidence(confidence: number): number {
  return confidence === 0.95 ? Z_95 : normalQuantile(1 - (1 - confidence) / 2);
}
