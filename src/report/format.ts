/**
 * Human formatting of metric values, deltas, intervals and gate bounds, shared by every renderer.
 * The unit follows the metric name (SPEC §5): `*_rate` → %, `*_ms` → ms, `*usd*` → $, counts → integers.
 */
import type { GateBound, JsonValue } from "../types.js";

export type MetricKind = "rate" | "ms" | "usd" | "count" | "score" | "number";

/** What unit a metric is in, from its name (`segment.<tag>.` prefixes keep the suffix rule). */
export function metricKind(metric: string): MetricKind {
  const last = metric.split(".").at(-1) ?? metric;
  if (last === "pass_rate" || last.endsWith("_rate")) return "rate";
  if (last.endsWith("_ms")) return "ms";
  if (last.includes("usd")) return "usd";
  if (last === "regressions" || last === "improvements" || last === "count") return "count";
  if (last === "score") return "score";
  return "number";
}

/** Whether a metric's values are fractions of 1 (drawn on a fixed 0..1 axis). */
export function isUnitInterval(metric: string): boolean {
  const kind = metricKind(metric);
  return kind === "rate" || kind === "score";
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function fixed(value: number, decimals: number): string {
  const text = Math.abs(value).toFixed(decimals);
  const [whole = "0", fraction] = text.split(".");
  const sign = value < 0 && Number(text) !== 0 ? "-" : "";
  return sign + groupThousands(whole) + (fraction === undefined ? "" : `.${fraction}`);
}

function significant(value: number, digits: number): string {
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, Math.min(8, digits - 1 - magnitude));
  const text = fixed(value, decimals);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** A US-dollar amount: cents above $1, three significant digits below. */
export function formatUsd(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  return `${sign}$${abs >= 1 ? fixed(abs, 2) : significant(abs, 3)}`;
}

function formatMagnitude(kind: MetricKind, value: number): string {
  switch (kind) {
    case "rate":
      return `${fixed(value * 100, 1)}%`;
    case "ms":
      return `${fixed(value, 0)} ms`;
    case "usd":
      return formatUsd(value);
    case "count":
      return Number.isInteger(value) ? fixed(value, 0) : fixed(value, 2);
    case "score":
      return fixed(value, 3);
    case "number":
      return Number.isInteger(value) ? fixed(value, 0) : significant(value, 4);
  }
}

/** A metric value in its unit: `92.5%`, `1,240 ms`, `$0.00213`, `0.812`. */
export function formatValue(metric: string, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  return formatMagnitude(metricKind(metric), value);
}

function signed(text: string, value: number): string {
  return value > 0 && !text.startsWith("-") ? `+${text}` : text;
}

function formatSignedMagnitude(kind: MetricKind, value: number): string {
  // Rates move in percentage points, not percent: 90% → 85% is -5.0 pp.
  if (kind === "rate") return `${signed(fixed(value * 100, 1), value)} pp`;
  return signed(formatMagnitude(kind, value), value);
}

/** A signed delta (candidate − baseline); non-rate metrics add the relative change when baseline ≠ 0. */
export function formatDelta(metric: string, delta: number | null, baseline: number | null = null): string {
  if (delta === null || !Number.isFinite(delta)) return "—";
  const kind = metricKind(metric);
  const text = formatSignedMagnitude(kind, delta);
  const relative = kind === "ms" || kind === "usd" || kind === "number";
  if (relative && baseline !== null && baseline !== 0 && Number.isFinite(baseline) && delta !== 0) {
    const percent = (delta / Math.abs(baseline)) * 100;
    return `${text} (${signed(fixed(percent, 1), percent)}%)`;
  }
  return text;
}

/** A 95% interval of the delta: `[-5.1, +0.3] pp`. */
export function formatInterval(metric: string, ci: [number, number] | null): string {
  if (ci === null || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return "—";
  const kind = metricKind(metric);
  if (kind === "rate") {
    return `[${signed(fixed(ci[0] * 100, 1), ci[0])}, ${signed(fixed(ci[1] * 100, 1), ci[1])}] pp`;
  }
  if (kind === "ms") return `[${signed(fixed(ci[0], 0), ci[0])}, ${signed(fixed(ci[1], 0), ci[1])}] ms`;
  return `[${formatSignedMagnitude(kind, ci[0])}, ${formatSignedMagnitude(kind, ci[1])}]`;
}

/** A p-value: `<0.001`, `0.042`, `—`. */
export function formatPValue(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "—";
  if (p < 0.001) return "<0.001";
  return p.toFixed(3);
}

const BOUND_KEYS = ["max", "min", "max_drop", "max_increase"] as const;

/** A gate bound in the rubric's own words: `max_drop 10%`, `max 3000`. */
export function describeBound(bound: GateBound, boundText: string): string {
  const keys = BOUND_KEYS.filter((key) => bound[key] !== undefined);
  if (keys.length === 1 && boundText.trim() !== "") return `${keys[0]} ${boundText.trim()}`;
  return keys
    .map((key) => {
      const value = bound[key] as number;
      const relative = bound.relative === true && (key === "max_drop" || key === "max_increase");
      return `${key} ${relative ? `${fixed(value * 100, 1).replace(/\.0$/, "")}%` : String(value)}`;
    })
    .join(", ");
}

/** A wall-clock duration: `850 ms`, `42.0 s`, `4m 12s`, `1h 03m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** Milliseconds between two ISO timestamps, or null when either does not parse. */
export function elapsedMs(startedAt: string, finishedAt: string): number | null {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** Cuts text to at most `max` UTF-16 units (never through a surrogate pair), marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The first characters of a content hash, or `—`. */
export function shortHash(sha: string | null | undefined, length = 12): string {
  return sha ? sha.slice(0, length) : "—";
}

/** Compact one-line JSON for display. */
export function compactJson(value: JsonValue | undefined): string {
  return value === undefined ? "" : JSON.stringify(value);
}

/** A count with its noun: `1 case`, `3 cases`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${groupThousands(String(count))} ${count === 1 ? singular : pluralForm}`;
}
