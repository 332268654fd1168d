/**
 * The per-segment view every report shows: one row per tag (`tenant:acme`, `kind:tools`), worst first,
 * with n, each side's pass rate, the paired delta and its interval, the regressing cases, and the gate
 * rules written on that segment (`segment.tenant:acme.pass_rate`), so a tenant's rule sits beside it.
 */
import { splitSegmentMetric } from "../aggregate/metric-names.js";
import type { GateRuleResult, RunSummary } from "../types.js";

export interface SegmentRow {
  tag: string;
  /** cases carrying the tag */
  n: number;
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  ci: [number, number] | null;
  regressions: number;
  improvements: number;
  /** gate rules on `segment.<tag>.*` */
  rules: GateRuleResult[];
}

/**
 * Every segment of the run, worst first: failed segment rules, then the largest pass-rate drop, then
 * the most regressions. Tags come from the `segment.<tag>.pass_rate` comparisons and from the cases.
 */
export function segmentRows(report: RunSummary): SegmentRow[] {
  const segmentOf = segmentParser(report);
  const comparisons = new Map(
    report.comparison.filter((comparison) => segmentOf(comparison.metric)?.metric === "pass_rate").map((c) => [segmentOf(c.metric)?.tag ?? "", c]),
  );
  const tags = new Set<string>(comparisons.keys());
  const configured = report.run.segments;
  for (const testCase of report.cases) for (const tag of testCase.tags) if (!configured || configured.includes(tag)) tags.add(tag);
  const rows = [...tags].map((tag): SegmentRow => {
    const cases = report.cases.filter((testCase) => testCase.tags.includes(tag));
    const comparison = comparisons.get(tag);
    return {
      tag,
      n: cases.length,
      baseline: comparison?.baseline ?? null,
      candidate: comparison?.candidate ?? null,
      delta: comparison?.delta ?? null,
      ci: comparison?.ci ?? null,
      regressions: cases.filter((testCase) => testCase.outcome === "regression").length,
      improvements: cases.filter((testCase) => testCase.outcome === "improvement").length,
      rules: report.gate.rules.filter((rule) => segmentOf(rule.metric)?.tag === tag),
    };
  });
  const failed = (row: SegmentRow) => (row.rules.some((rule) => rule.verdict === "fail") ? 0 : 1);
  return rows.sort((a, b) => failed(a) - failed(b) || (a.delta ?? 0) - (b.delta ?? 0) || b.regressions - a.regressions || a.tag.localeCompare(b.tag));
}

/** Splits `segment.<tag>.<metric>` by the run's own metric names (a tag may contain dots). */
export function segmentParser(report: RunSummary): (metric: string) => { tag: string; metric: string } | undefined {
  const known = new Set(["pass_rate", "regressions", "improvements"]);
  for (const side of [report.metrics.baseline, report.metrics.candidate]) {
    for (const name of Object.keys(side)) if (!name.startsWith("segment.")) known.add(name);
  }
  for (const comparison of report.comparison) if (!comparison.metric.startsWith("segment.")) known.add(comparison.metric);
  const names = [...known];
  return (metric) => splitSegmentMetric(metric, names);
}
