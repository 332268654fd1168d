import { describe, expect, test } from "vitest";
import { normalQuantile } from "../../src/stats/index.js";
import { tCdf, tQuantile } from "../../src/stats/student-t.js";
import { welchDifference } from "../../src/stats/two-sample-mean.js";
import { moverExactInterval, moverWilsonInterval, standardiseRates } from "../../src/stats/two-sample-proportion.js";
import { quantileBeyond, quantileDifference, quantileInterval } from "../../src/stats/two-sample-quantile.js";

const z = (confidence: number) => normalQuantile(1 - (1 - confidence) / 2);

describe("Newcombe hybrid score interval for two independent proportions", () => {
  // statsmodels 0.15.0: confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=…)
  // (the first four are also Newcombe 1998, Stat Med 17:873, Table II, method 10)
  test.each([
    [56, 70, 48, 80, 0.95, 0.05243147240236498, 0.33387265403690614],
    [9, 10, 3, 10, 0.95, 0.1705227239345029, 0.809017973535488],
    [6, 7, 2, 7, 0.95, 0.05822792748231209, 0.8062496375242278],
    [5, 56, 0, 29, 0.95, -0.038137147903536936, 0.19256001385511165],
    [170, 200, 196, 200, 0.95, -0.1873670979407367, -0.07751537703092062],
    [170, 200, 196, 200, 0.999, -0.2320557347559969, -0.03825465945076029],
  ])("%i/%i − %i/%i at %f", (x1, n1, x2, n2, confidence, lower, upper) => {
    const [lo, hi] = moverWilsonInterval({ x: x1, n: n1 }, { x: x2, n: n2 }, 1, z(confidence));
    expect(lo).toBeCloseTo(lower, 9);
    expect(hi).toBeCloseTo(upper, 9);
  });

  // The canary's interval: MOVER with Clopper–Pearson limits. Reference: scipy 1.x, limits from
  // scipy.stats.beta.ppf(α/2, x, n−x+1) / beta.ppf(1−α/2, x+1, n−x), combined as Zou & Donner's MOVER.
  test.each([
    [56, 70, 48, 80, 1, 0.95, 0.0438868782, 0.3441710232],
    [9, 10, 3, 10, 1, 0.95, 0.1067869299, 0.8528065142],
    [196, 200, 3724, 3800, 1, 1 - (2 * 0.05) / 96, -0.0564256626, 0.0201117185],
    [45, 50, 700, 800, 0.98, 0.95, -0.0776089805, 0.1135576073],
    [0, 20, 0, 30, 1, 0.95, -0.115703308, 0.168433471],
    [20, 20, 29, 30, 1, 0.99, -0.2017475498, 0.222751065],
  ])("MOVER–Clopper–Pearson %i/%i − k·%i/%i, k = %f, at %f", (x1, n1, x2, n2, k, confidence, lower, upper) => {
    const [lo, hi] = moverExactInterval({ x: x1, n: n1 }, { x: x2, n: n2 }, k, confidence);
    expect(lo).toBeCloseTo(lower, 8);
    expect(hi).toBeCloseTo(upper, 8);
  });

  test("one stratum standardises to itself; strata re-weight the baseline to the candidate's mix", () => {
    const one = standardiseRates([{ candidate: { x: 40, n: 50 }, baseline: { x: 700, n: 1000 } }], { x: 700, n: 1000 });
    expect(one.baseline.x).toBeCloseTo(700, 9);
    expect(one.baseline.n).toBeCloseTo(1000, 9);
    // Canary serves only beta (90% on the baseline's beta traffic); enterprise's 50% must not drag the comparison.
    const mixed = standardiseRates(
      [
        { candidate: { x: 45, n: 50 }, baseline: { x: 90, n: 100 } },
        { candidate: { x: 0, n: 0 }, baseline: { x: 450, n: 900 } },
      ],
      { x: 540, n: 1000 },
    );
    expect(mixed.baseline.x / mixed.baseline.n).toBeCloseTo(0.9, 12);
    expect(mixed.baseline.n).toBeCloseTo(100, 9);
  });
});

describe("Welch's two-sample t", () => {
  const a = [0.8, 0.9, 0.7, 1.0, 0.6, 0.75, 0.85];
  const b = [0.5, 0.6, 0.9, 0.4, 0.55, 0.65];
  test("matches scipy", () => {
    // scipy 1.17.1: ttest_ind(a, b, equal_var=False) → statistic 2.3354968324845684, df 9.411764705882355,
    // confidence_interval(0.95) (0.0075646962694973785, 0.3924353037305025); alternative="less" p 0.9784169722089736
    const result = welchDifference([{ candidate: a, baseline: b }], 1, b);
    expect(result).not.toBeNull();
    const { estimate, se, df } = result as NonNullable<typeof result>;
    expect(estimate / se).toBeCloseTo(2.3354968324845684, 10);
    expect(df).toBeCloseTo(9.411764705882355, 10);
    const half = tQuantile(0.975, df) * se;
    expect(estimate - half).toBeCloseTo(0.0075646962694973785, 8);
    expect(estimate + half).toBeCloseTo(0.3924353037305025, 8);
    expect(tCdf(estimate / se, df)).toBeCloseTo(0.9784169722089736, 8);
  });

  test("a stratum the baseline never served is compared with the whole baseline", () => {
    const result = welchDifference(
      [
        { candidate: a, baseline: [] },
        { candidate: [], baseline: [0, 0, 0] },
      ],
      1,
      b,
    );
    expect(result?.estimate).toBeCloseTo(welchDifference([{ candidate: a, baseline: b }], 1, b)?.estimate ?? Number.NaN, 12);
  });
});

describe("quantiles", () => {
  const x = [120, 340, 410, 450, 500, 520, 610, 700, 720, 800, 900, 950, 1100, 1300, 1500, 1700, 2100, 2500, 3100, 4000];
  test("the order-statistic interval and the binomial test match scipy.stats.quantile_test", () => {
    // scipy 1.17.1: quantile_test(x, q=600, p=0.5).confidence_interval(0.95) → (520, 1500);
    // quantile_test(x, q=600, p=0.75).confidence_interval(0.9) → (950, 3100)
    expect(quantileInterval(x, 0.5, 0.95)).toEqual([520, 1500]);
    expect(quantileInterval(x, 0.75, 0.9)).toEqual([950, 3100]);
    // quantile_test(x, q=2000, p=0.75, alternative="greater").pvalue → 0.7748439523356865; "less" → 0.41484150253018015
    expect(quantileBeyond(x, 0.75, 2000, "above")).toBeCloseTo(0.7748439523356865, 10);
    expect(quantileBeyond(x, 0.75, 2000, "below")).toBeCloseTo(0.41484150253018015, 10);
    // too few values for a 99.99% interval of the p95: no end is invented
    expect(quantileInterval(x, 0.95, 0.9999)).toBeNull();
  });

  test("the bootstrap of a percentile difference is seeded and centred on the estimate", () => {
    const base = Float64Array.from({ length: 400 }, (_, i) => 500 + ((i * 37) % 400)).sort();
    const cand = Float64Array.from({ length: 200 }, (_, i) => 600 + ((i * 53) % 400)).sort();
    const one = quantileDifference([{ candidate: cand, baseline: base }], 0.95, 1, { resamples: 300, seed: 7 });
    const two = quantileDifference([{ candidate: cand, baseline: base }], 0.95, 1, { resamples: 300, seed: 7 });
    expect(one).toEqual(two);
    // numpy 2: np.quantile(cand, 0.95) - np.quantile(base, 0.95) → 101.14999999999998
    expect(one?.estimate).toBeCloseTo(101.15, 9);
    expect(one?.se).toBeGreaterThan(0);
    expect(one?.se).toBeLessThan(40);
  });
});
