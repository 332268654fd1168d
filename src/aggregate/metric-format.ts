/**
 * Human formatting of metric values, deltas, intervals and gate bounds. The unit is the metric's
 * declared unit (src/aggregate/metric-registry.ts). A neutral module: the gate words its reasons with
 * it and every renderer re-uses it through src/report/format.ts.
 */
import type { GateBound } from "../types.js";
import { declarationOf, type MetricDeclaration } from "./metric-registry.js";

/** How a metric's values print. */
export type MetricUnit = MetricDeclaration["unit"] | "number";

/** The declared unit of a metric; "number" for names that are no metric. */
export function metricUnit(metric: string): MetricUnit {
  return declarationOf(metric)?.unit ?? "number";
}

/** Whether a metric's values are fractions of 1 (drawn on a fixed 0..1 axis). */
export function isUnitInterval(metric: string): boolean {
  const range = declarationOf(metric)?.range;
  return range !== undefined && range.min === 0 && range.max === 1;
}

export function groupThousands(digits: string): string {
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

function formatMagnitude(kind: MetricUnit, value: number): string {
  switch (kind) {
    case "fraction":
      return `${fixed(value * 100, 1)}%`;
    case "ms":
      return `${fixed(value, 0)} ms`;
    case "usd":
      return formatUsd(value);
    case "cases":
      return Number.isInteger(value) ? fixed(value, 0) : fixed(value, 2);
    case "points":
      return fixed(value, 3);
    case "tokens":
    case "number":
      return Number.isInteger(value) ? fixed(value, 0) : significant(value, 4);
  }
}

/** A metric value in its unit: `92.5%`, `1,240 ms`, `$0.00213`, `0.812`. */
export function formatValue(metric: string, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  return formatMagnitude(metricUnit(metric), value);
}

function signed(text: string, value: number): string {
  return value > 0 && !text.startsWith("-") ? `+${text}` : text;
}

function formatSignedMagnitude(kind: MetricUnit, value: number): string {
  // Rates move in percentage points, not percent: 90% → 85% is -5.0 pp.
  if (kind === "fraction") return `${signed(fixed(value * 100, 1), value)} pp`;
  return signed(formatMagnitude(kind, value), value);
}

/** A signed delta (candidate − baseline); non-rate metrics add the relative change when baseline ≠ 0. */
export function formatDelta(metric: string, delta: number | null, baseline: number | null = null): string {
  if (delta === null || !Number.isFinite(delta)) return "—";
  const kind = metricUnit(metric);
  const text = formatSignedMagnitude(kind, delta);
  const relative = kind === "ms" || kind === "usd" || kind === "tokens" || kind === "number";
  if (relative && baseline !== null && baseline !== 0 && Number.isFinite(baseline) && delta !== 0) {
    const percent = (delta / Math.abs(baseline)) * 100;
    return `${text} (${signed(fixed(percent, 1), percent)}%)`;
  }
  return text;
}

/** A 95% interval of the delta: `[-5.1, +0.3] pp`. */
export function formatInterval(metric: string, ci: [number, number] | null): string {
  if (ci === null || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return "—";
  const kind = metricUnit(metric);
  if (kind === "fraction") {
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
