/**
 * What each metric of SPEC §5 is — one declaration per metric family, read by aggregation, the
 * comparison, the gate, formatting and the terminal. A metric's name ends in its family
 * (`check.format.pass_rate`, `quality.pass_rate` and `pass_rate` are all `pass_rate`), and
 * `segment.<tag>.<metric>` is the inner metric restricted to a tag, so it has the inner declaration.
 */

/** What a metric measures; it decides the statistic and the test the comparison uses. */
export type MetricKind = "proportion" | "score" | "latency" | "cost" | "count";

export interface MetricDeclaration {
  kind: MetricKind;
  /** how values print: fraction → %, points → 0.000, ms, usd, tokens, cases */
  unit: "fraction" | "points" | "ms" | "usd" | "tokens" | "cases";
  /** which way is better (drives colours, "worse" wording and which side a bound guards) */
  better: "higher" | "lower";
  /** how the metric is computed from the values each case contributes */
  statistic: "mean" | "quantile" | "sum" | "count";
  /** for quantile statistics */
  q?: number;
  /** the values the metric can take: intervals are clipped to it */
  range: { min: number; max: number };
}

const proportion = (better: "higher" | "lower"): MetricDeclaration => ({
  kind: "proportion",
  unit: "fraction",
  better,
  statistic: "mean",
  range: { min: 0, max: 1 },
});
const latency = (statistic: "mean" | "quantile", q?: number): MetricDeclaration => ({
  kind: "latency",
  unit: "ms",
  better: "lower",
  statistic,
  ...(q !== undefined ? { q } : {}),
  range: { min: 0, max: Number.POSITIVE_INFINITY },
});
const cost = (statistic: "mean" | "sum"): MetricDeclaration => ({
  kind: "cost",
  unit: "usd",
  better: "lower",
  statistic,
  range: { min: 0, max: Number.POSITIVE_INFINITY },
});
const tokens: MetricDeclaration = {
  kind: "count",
  unit: "tokens",
  better: "lower",
  statistic: "mean",
  range: { min: 0, max: Number.POSITIVE_INFINITY },
};
const cases = (better: "higher" | "lower"): MetricDeclaration => ({
  kind: "count",
  unit: "cases",
  better,
  statistic: "count",
  range: { min: 0, max: Number.POSITIVE_INFINITY },
});

/** Every metric family, by the name its metrics end in. */
export const metricRegistry = {
  pass_rate: proportion("higher"),
  score: { kind: "score", unit: "points", better: "higher", statistic: "mean", range: { min: 0, max: 1 } },
  win_rate: proportion("higher"),
  loss_rate: proportion("lower"),
  tie_rate: proportion("higher"),
  net_win: { kind: "score", unit: "points", better: "higher", statistic: "mean", range: { min: -1, max: 1 } },
  error_rate: proportion("lower"),
  retry_rate: proportion("lower"),
  flaky_rate: proportion("lower"),
  inconsistency_rate: proportion("lower"),
  "latency.p50_ms": latency("quantile", 0.5),
  "latency.p95_ms": latency("quantile", 0.95),
  "latency.p99_ms": latency("quantile", 0.99),
  "latency.mean_ms": latency("mean"),
  // Streamed variants only (`stream: true`): time to first token, per request.
  "latency.ttft_p50_ms": latency("quantile", 0.5),
  "latency.ttft_p95_ms": latency("quantile", 0.95),
  "cost.per_request_usd": cost("mean"),
  "cost.total_usd": cost("sum"),
  "tokens.input.mean": tokens,
  "tokens.output.mean": tokens,
  "agreement.tool_calls": proportion("higher"),
  "agreement.output_json": proportion("higher"),
  "tokens.reasoning.mean": tokens,
  "tokens.cached_input.mean": tokens,
  regressions: cases("lower"),
  improvements: cases("higher"),
} satisfies Record<string, MetricDeclaration>;

export type MetricFamily = keyof typeof metricRegistry;

// Longest first, so `latency.p95_ms` is found before any shorter family it might end in.
const families = (Object.keys(metricRegistry) as MetricFamily[]).sort((a, b) => b.length - a.length);

/** The family a metric name belongs to (`segment.tenant:acme.check.x.pass_rate` → `pass_rate`). */
export function familyOf(metric: string): MetricFamily | undefined {
  return families.find((family) => metric === family || metric.endsWith(`.${family}`));
}

/** The declaration of a metric, or undefined for a name that is no metric of SPEC §5. */
export function declarationOf(metric: string): MetricDeclaration | undefined {
  const family = familyOf(metric);
  return family === undefined ? undefined : metricRegistry[family];
}

/** Whether lower values are better (false for names that are no metric). */
export function lowerIsBetter(metric: string): boolean {
  return declarationOf(metric)?.better === "lower";
}

/** Clips a value to the metric's range. */
export function clipToRange(metric: string, value: number): number {
  const range = declarationOf(metric)?.range;
  return range ? Math.min(range.max, Math.max(range.min, value)) : value;
}
