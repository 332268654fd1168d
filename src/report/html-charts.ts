/**
 * Inline SVG charts for the HTML report, rendered in Node (no script, no fonts, no network):
 * the metrics against their gate bounds with the delta's 95% interval, latency distributions of both
 * variants, and per-check result and score distributions. Colours come from the page's CSS classes so
 * dark mode applies.
 */
import type { CheckStatus, Comparison, GateRuleResult, RunReport } from "../types.js";
import { escapeHtml, knownToken } from "./escape.js";
import { describeBound, formatDelta, formatInterval, formatPValue, formatValue, isUnitInterval, truncate } from "./format.js";

const WIDTH = 880;

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function linear(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

function text(x: number, y: number, content: string, className = "", anchor: "start" | "middle" | "end" = "start"): string {
  const cls = className === "" ? "" : ` class="${className}"`;
  return `<text x="${n(x)}" y="${n(y)}"${cls} text-anchor="${anchor}">${escapeHtml(content)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, className: string): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" class="${className}"/>`;
}

function svg(height: number, label: string, body: string[]): string {
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${n(height)}" role="img" aria-label="${escapeHtml(label)}" preserveAspectRatio="xMinYMin meet">${body.join("")}</svg>`;
}

/** Linear-interpolated percentile of sorted values. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const low = sorted[lower] ?? 0;
  const high = sorted[Math.min(sorted.length - 1, lower + 1)] ?? low;
  return low + (high - low) * (position - lower);
}

// ------------------------------------------------------------------ 1. metrics vs bounds

interface MetricRow {
  comparison: Comparison;
  rule?: GateRuleResult;
}

const MAX_METRIC_ROWS = 18;

function metricRows(report: RunReport): { gated: MetricRow[]; other: MetricRow[] } {
  const gated = report.gate.rules.map((rule) => ({ comparison: rule, rule }));
  const seen = new Set(report.gate.rules.map((rule) => rule.metric));
  // Per-segment metrics would drown the chart; the case table has the per-tag view.
  const other = report.comparison
    .filter((comparison) => !seen.has(comparison.metric) && !comparison.metric.startsWith("segment."))
    .filter((comparison) => comparison.baseline !== null || comparison.candidate !== null)
    .slice(0, Math.max(0, MAX_METRIC_ROWS - gated.length))
    .map((comparison) => ({ comparison }));
  return { gated, other };
}

/** Where a max_drop / max_increase bound sits on the delta axis. */
function deltaBounds(rule: GateRuleResult | undefined): number[] {
  if (rule === undefined) return [];
  const scale = rule.bound.relative === true ? Math.abs(rule.baseline ?? 0) : 1;
  const bounds: number[] = [];
  if (rule.bound.max_drop !== undefined) bounds.push(-rule.bound.max_drop * scale);
  if (rule.bound.max_increase !== undefined) bounds.push(rule.bound.max_increase * scale);
  return bounds;
}

function valueBounds(rule: GateRuleResult | undefined): number[] {
  if (rule === undefined) return [];
  return [rule.bound.max, rule.bound.min].filter((value): value is number => value !== undefined);
}

function finite(values: Array<number | null | undefined>): number[] {
  return values.filter((value): value is number => typeof value === "number" && Number.isFinite(value));
}

function paddedDomain(values: number[], fallback: number): [number, number] {
  let low = Math.min(0, ...values);
  let high = Math.max(0, ...values);
  if (high - low === 0) {
    low -= fallback;
    high += fallback;
  }
  const pad = (high - low) * 0.08;
  return [low - (low < 0 ? pad : 0), high + (high > 0 ? pad : 0)];
}

const LABEL_X = 0;
const VALUE_X: [number, number] = [250, 500];
const DELTA_X: [number, number] = [540, 790];
const VERDICT_X = 806;
const ROW = 44;

const CHART_VERDICTS = {
  info: "",
  pass: "✓ pass",
  fail: "✗ fail",
  inconclusive: "? inconclusive",
  skipped: "– skipped",
  unknown: "? unknown",
} as const;

function metricRow(row: MetricRow, y: number): string[] {
  const { comparison, rule } = row;
  const metric = comparison.metric;
  const parts: string[] = [];
  const status = rule === undefined ? "info" : knownToken(rule.verdict, ["pass", "fail", "inconclusive", "skipped"] as const);
  parts.push(`<g class="metric-row ${status}${rule?.inconclusive === true ? " inconclusive" : ""}">`);
  const tooltip = [
    metric,
    `baseline ${formatValue(metric, comparison.baseline)} → candidate ${formatValue(metric, comparison.candidate)}`,
    `delta ${formatDelta(metric, comparison.delta, comparison.baseline)}, 95% CI ${formatInterval(metric, comparison.ci)}, p ${formatPValue(comparison.p_value)}`,
    rule === undefined ? "not gated" : `${describeBound(rule.bound, rule.bound_text)} (${rule.mode}): ${rule.verdict}`,
  ].join("\n");
  parts.push(`<title>${escapeHtml(tooltip)}</title>`);
  parts.push(`<rect x="0" y="${n(y)}" width="${WIDTH}" height="${ROW}" class="row-bg"/>`);
  parts.push(text(LABEL_X + 6, y + 18, truncate(metric, 36), "label mono"));
  parts.push(text(LABEL_X + 6, y + 34, rule === undefined ? "not gated" : `${describeBound(rule.bound, rule.bound_text)} · ${rule.mode}`, "sub"));

  // value panel: ○ baseline, ● candidate, dashed absolute bound
  const values = finite([comparison.baseline, comparison.candidate, ...valueBounds(rule)]);
  const valueDomain: [number, number] = isUnitInterval(metric) ? [0, 1] : paddedDomain(values, 1);
  const vx = linear(valueDomain, VALUE_X);
  const mid = y + 20;
  parts.push(line(VALUE_X[0], mid, VALUE_X[1], mid, "axis"));
  parts.push(text(VALUE_X[0], y + 38, formatValue(metric, valueDomain[0]), "tick", "start"));
  parts.push(text(VALUE_X[1], y + 38, formatValue(metric, valueDomain[1]), "tick", "end"));
  for (const bound of valueBounds(rule)) parts.push(line(vx(bound), y + 8, vx(bound), y + 32, "bound"));
  if (comparison.baseline !== null && comparison.candidate !== null) {
    parts.push(line(vx(comparison.baseline), mid, vx(comparison.candidate), mid, "link"));
  }
  if (comparison.baseline !== null) {
    parts.push(`<circle cx="${n(vx(comparison.baseline))}" cy="${n(mid)}" r="5" class="pt-base"/>`);
  }
  if (comparison.candidate !== null) {
    parts.push(`<circle cx="${n(vx(comparison.candidate))}" cy="${n(mid)}" r="5" class="pt-cand"/>`);
  }

  // delta panel: zero line, relative bounds, 95% CI whisker, point estimate
  const deltaValues = finite([comparison.delta, comparison.ci?.[0], comparison.ci?.[1], ...deltaBounds(rule)]);
  const padded = paddedDomain(deltaValues, isUnitInterval(metric) ? 0.05 : 1);
  // a difference of two fractions lies within ±1
  const deltaDomain: [number, number] = isUnitInterval(metric) ? [Math.max(-1, padded[0]), Math.min(1, padded[1])] : padded;
  const dx = linear(deltaDomain, DELTA_X);
  parts.push(line(DELTA_X[0], mid, DELTA_X[1], mid, "axis"));
  parts.push(line(dx(0), y + 6, dx(0), y + 34, "zero"));
  parts.push(text(DELTA_X[0], y + 38, formatDelta(metric, deltaDomain[0]), "tick", "start"));
  parts.push(text(DELTA_X[1], y + 38, formatDelta(metric, deltaDomain[1]), "tick", "end"));
  for (const bound of deltaBounds(rule)) parts.push(line(dx(bound), y + 6, dx(bound), y + 34, "bound"));
  if (comparison.ci !== null && Number.isFinite(comparison.ci[0]) && Number.isFinite(comparison.ci[1])) {
    const [low, high] = comparison.ci;
    parts.push(line(dx(low), mid, dx(high), mid, "whisker"));
    parts.push(line(dx(low), mid - 6, dx(low), mid + 6, "whisker"));
    parts.push(line(dx(high), mid - 6, dx(high), mid + 6, "whisker"));
  }
  if (comparison.delta !== null && Number.isFinite(comparison.delta)) {
    parts.push(`<rect x="${n(dx(comparison.delta) - 4)}" y="${n(mid - 4)}" width="8" height="8" class="pt-delta"/>`);
  }

  const verdict = CHART_VERDICTS[status];
  parts.push(text(VERDICT_X, y + 20, verdict, "verdict-text"));
  if (rule?.inconclusive === true) parts.push(text(VERDICT_X, y + 34, "inconclusive", "sub warn"));
  parts.push("</g>");
  return parts;
}

/** Chart 1: each metric's baseline and candidate value and the delta's 95% interval against its gate bound. */
export function renderMetricChart(report: RunReport): string {
  const { gated, other } = metricRows(report);
  if (gated.length === 0 && other.length === 0) return `<p class="empty">No metrics were compared.</p>`;
  const body: string[] = [];
  let y = 0;
  body.push(text(VALUE_X[0], 14, "value", "head"));
  body.push(`<circle cx="${VALUE_X[0] + 48}" cy="10" r="4" class="pt-base"/>`, text(VALUE_X[0] + 56, 14, "baseline", "sub"));
  body.push(`<circle cx="${VALUE_X[0] + 118}" cy="10" r="4" class="pt-cand"/>`, text(VALUE_X[0] + 126, 14, "candidate", "sub"));
  body.push(text(DELTA_X[0], 14, "delta (candidate − baseline), 95% CI", "head"));
  body.push(line(VERDICT_X - 4, 6, VERDICT_X + 14, 6, "bound"), text(VERDICT_X + 18, 10, "bound", "sub"));
  y = 24;
  for (const [title, rows] of [
    ["Gate rules", gated],
    ["Other metrics (not gated)", other],
  ] as const) {
    if (rows.length === 0) continue;
    body.push(text(6, y + 16, title, "group"));
    y += 22;
    for (const row of rows) {
      body.push(...metricRow(row, y));
      y += ROW + 2;
    }
  }
  return svg(y + 4, "Metrics: baseline vs candidate with the 95% interval of the delta", body);
}

// ------------------------------------------------------------------ 2. latency

function latencies(report: RunReport, side: "baseline" | "candidate"): number[] {
  const values: number[] = [];
  for (const testCase of report.cases) {
    for (const run of testCase[side]) {
      if (run.error === null && run.latency_ms !== null && Number.isFinite(run.latency_ms)) values.push(run.latency_ms);
    }
  }
  return values.sort((a, b) => a - b);
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const factor = [1, 2, 2.5, 5, 10].find((candidate) => candidate * power >= raw) ?? 10;
  return factor * power;
}

const BINS = 30;

/** Chart 2: latency of successful requests per variant — box plots (p5–p95 whiskers) over a histogram. */
export function renderLatencyChart(report: RunReport): string {
  const sides = [
    { side: "baseline" as const, values: latencies(report, "baseline"), name: report.variants.baseline.name },
    { side: "candidate" as const, values: latencies(report, "candidate"), name: report.variants.candidate.name },
  ];
  const all = sides.flatMap(({ values }) => values).sort((a, b) => a - b);
  if (all.length === 0) return `<p class="empty">No successful requests, so no latency to show.</p>`;
  // Cap the axis at the 99th percentile so one slow outlier does not squash everything into one bar.
  const top = Math.max(1, percentile(all, 0.99));
  const step = niceStep(top, 6);
  const axisMax = Math.ceil(top / step) * step;
  const left = 56;
  const right = WIDTH - 36; // room for the last tick label
  const x = linear([0, axisMax], [left, right]);
  const binWidth = axisMax / BINS;
  const counts = sides.map(({ values }) => {
    const bins = new Array<number>(BINS).fill(0);
    for (const value of values) {
      const index = Math.min(BINS - 1, Math.max(0, Math.floor(value / binWidth)));
      bins[index] = (bins[index] ?? 0) + 1;
    }
    return bins;
  });
  const maxCount = Math.max(1, ...counts.flat());
  const histTop = 96;
  const histBottom = 276;
  const yCount = linear([0, maxCount], [histBottom, histTop]);
  const body: string[] = [];

  // legend + box plots
  sides.forEach(({ side, values, name }, index) => {
    const y = 8 + index * 36;
    const stats =
      values.length === 0
        ? "no successful requests"
        : `p50 ${formatValue("latency_ms", percentile(values, 0.5))} · p95 ${formatValue("latency_ms", percentile(values, 0.95))} · n=${values.length}`;
    body.push(`<rect x="${left}" y="${y}" width="10" height="10" class="fill-${side}"/>`);
    body.push(text(left + 16, y + 9, `${side} · ${truncate(name, 40)} — ${stats}`, "sub"));
    if (values.length === 0) return;
    const clamp = (value: number) => x(Math.min(value, axisMax));
    const [p5, p25, p50, p75, p95] = [0.05, 0.25, 0.5, 0.75, 0.95].map((q) => clamp(percentile(values, q))) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const boxY = y + 14;
    body.push(`<g class="box box-${side}"><title>${escapeHtml(`${side}: ${stats}`)}</title>`);
    body.push(line(p5, boxY + 7, p95, boxY + 7, "whisker"));
    body.push(line(p5, boxY + 3, p5, boxY + 11, "whisker"), line(p95, boxY + 3, p95, boxY + 11, "whisker"));
    body.push(`<rect x="${n(p25)}" y="${boxY}" width="${n(Math.max(1, p75 - p25))}" height="14" class="fill-${side}"/>`);
    body.push(line(p50, boxY, p50, boxY + 14, "median"));
    body.push("</g>");
  });

  // histogram: the two variants side by side within each bin
  const slot = (right - left) / BINS;
  for (let bin = 0; bin < BINS; bin += 1) {
    sides.forEach(({ side }, index) => {
      const count = counts[index]?.[bin] ?? 0;
      if (count === 0) return;
      const low = bin * binWidth;
      const range =
        bin === BINS - 1 ? `≥ ${formatValue("latency_ms", low)}` : `${formatValue("latency_ms", low)}–${formatValue("latency_ms", low + binWidth)}`;
      const barX = left + bin * slot + 1 + index * ((slot - 2) / 2);
      body.push(
        `<rect x="${n(barX)}" y="${n(yCount(count))}" width="${n(Math.max(1, (slot - 2) / 2))}" height="${n(histBottom - yCount(count))}" class="fill-${side}"><title>${escapeHtml(`${side}: ${count} requests at ${range}`)}</title></rect>`,
      );
    });
  }
  body.push(line(left, histBottom, right, histBottom, "axis"));
  for (let tick = 0; tick <= axisMax + step / 2; tick += step) {
    body.push(line(x(tick), histBottom, x(tick), histBottom + 4, "axis"));
    body.push(text(x(tick), histBottom + 16, formatValue("latency_ms", tick), "tick", "middle"));
  }
  const countStep = Math.max(1, Math.round(niceStep(maxCount, 4)));
  for (let tick = 0; tick <= maxCount; tick += countStep) {
    body.push(line(left - 4, yCount(tick), right, yCount(tick), tick === 0 ? "axis" : "grid"));
    body.push(text(left - 8, yCount(tick) + 4, String(tick), "tick", "end"));
  }
  body.push(text(left - 44, histTop - 8, "requests", "sub"));
  if (all.some((value) => value > axisMax)) body.push(text(right, histTop - 8, "last bin includes slower outliers", "sub", "end"));
  return svg(histBottom + 26, "Latency distribution of successful requests, baseline vs candidate", body);
}

// ------------------------------------------------------------------ 3. checks

const STATUSES: CheckStatus[] = ["pass", "fail", "error", "skipped"];
const MAX_CHECK_ROWS = 40;
const SCORE_BINS = 10;

interface SideTally {
  counts: Record<CheckStatus, number>;
  scores: number[];
}

function tally(report: RunReport, side: "baseline" | "candidate", check: string): SideTally {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, error: 0, skipped: 0 };
  const scores: number[] = [];
  for (const testCase of report.cases) {
    for (const run of testCase[side]) {
      const result = run.checks[check];
      if (result === undefined) continue;
      counts[result.status] += 1;
      if (result.score !== null && Number.isFinite(result.score)) scores.push(result.score);
    }
  }
  return { counts, scores };
}

function passShare(counts: Record<CheckStatus, number>): string {
  const scored = counts.pass + counts.fail + counts.error;
  return scored === 0 ? "—" : `${Math.round((counts.pass / scored) * 100)}%`;
}

/** Chart 3: per check, the share of pass / fail / error / skipped on each side, and the score histogram. */
export function renderCheckChart(report: RunReport, checkIds: string[]): string {
  const checks = checkIds.slice(0, MAX_CHECK_ROWS);
  if (checks.length === 0) return `<p class="empty">No checks were scored.</p>`;
  const types = new Map(report.checks.map((check) => [check.id, check]));
  const barX: [number, number] = [200, 540];
  const histX: [number, number] = [660, 860];
  const rowHeight = 52;
  const body: string[] = [];
  STATUSES.forEach((status, index) => {
    body.push(`<rect x="${barX[0] + index * 80}" y="4" width="10" height="10" class="st-${status}"/>`);
    body.push(text(barX[0] + index * 80 + 14, 13, status, "sub"));
  });
  body.push(text(histX[0], 13, "score distribution (0 → 1)", "sub"));
  let y = 24;
  for (const check of checks) {
    const info = types.get(check);
    const sides = { baseline: tally(report, "baseline", check), candidate: tally(report, "candidate", check) };
    body.push(`<g class="check-row"><rect x="0" y="${y}" width="${WIDTH}" height="${rowHeight - 4}" class="row-bg"/>`);
    body.push(text(6, y + 20, truncate(check, 28), "label mono"));
    body.push(text(6, y + 36, info === undefined ? "" : truncate(`${info.type} · ${info.category}`, 34), "sub"));
    (["baseline", "candidate"] as const).forEach((side, index) => {
      const { counts } = sides[side];
      const total = STATUSES.reduce((sum, status) => sum + counts[status], 0);
      const barY = y + 6 + index * 20;
      body.push(text(barX[0] - 8, barY + 11, side === "baseline" ? "B" : "C", "tick", "end"));
      if (total === 0) {
        body.push(text(barX[0], barY + 11, "not scored", "sub"));
        return;
      }
      const width = linear([0, total], [0, barX[1] - barX[0]]);
      let offset = barX[0];
      for (const status of STATUSES) {
        if (counts[status] === 0) continue;
        const segment = width(counts[status]);
        body.push(
          `<rect x="${n(offset)}" y="${barY}" width="${n(segment)}" height="14" class="st-${status}"><title>${escapeHtml(`${side} · ${check}: ${counts[status]} ${status} of ${total}`)}</title></rect>`,
        );
        offset += segment;
      }
      body.push(text(barX[1] + 8, barY + 11, `${passShare(counts)} pass`, "tick"));
    });
    // Binary checks (scores only 0 and 1) say nothing more than the bars; draw scores only when graded.
    const graded = [...sides.baseline.scores, ...sides.candidate.scores].some((score) => score > 0 && score < 1);
    if (graded) {
      const binsOf = (scores: number[]) => {
        const bins = new Array<number>(SCORE_BINS).fill(0);
        for (const score of scores) {
          const index = Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(score * SCORE_BINS)));
          bins[index] = (bins[index] ?? 0) + 1;
        }
        return bins;
      };
      const baselineBins = binsOf(sides.baseline.scores);
      const candidateBins = binsOf(sides.candidate.scores);
      const peak = Math.max(1, ...baselineBins, ...candidateBins);
      const slot = (histX[1] - histX[0]) / SCORE_BINS;
      const base = y + 40;
      const height = linear([0, peak], [0, 34]);
      for (let bin = 0; bin < SCORE_BINS; bin += 1) {
        for (const [side, bins, shift] of [
          ["baseline", baselineBins, 0],
          ["candidate", candidateBins, 1],
        ] as const) {
          const count = bins[bin] ?? 0;
          if (count === 0) continue;
          const label = `${side} · ${check}: ${count} scores in ${(bin / SCORE_BINS).toFixed(1)}–${((bin + 1) / SCORE_BINS).toFixed(1)}`;
          body.push(
            `<rect x="${n(histX[0] + bin * slot + 1 + (shift * (slot - 2)) / 2)}" y="${n(base - height(count))}" width="${n((slot - 2) / 2)}" height="${n(height(count))}" class="fill-${side}"><title>${escapeHtml(label)}</title></rect>`,
          );
        }
      }
      body.push(line(histX[0], base, histX[1], base, "axis"));
      body.push(text(histX[0] - 4, base, "0", "tick", "end"), text(histX[1] + 4, base, "1", "tick"));
    }
    body.push("</g>");
    y += rowHeight;
  }
  if (checkIds.length > checks.length) {
    body.push(text(6, y + 14, `…and ${checkIds.length - checks.length} more checks`, "sub"));
    y += 20;
  }
  return svg(y + 4, "Per-check results, baseline (B) vs candidate (C)", body);
}
