/**
 * Human formatting shared by every renderer. Metric values, deltas, intervals and bounds are worded by
 * src/aggregate/metric-format.ts from the metric registry (the gate words its reasons with it too).
 */
import { groupThousands } from "../aggregate/metric-format.js";
import type { JsonValue } from "../types.js";

export {
  describeBound,
  formatDelta,
  formatInterval,
  formatPValue,
  formatUsd,
  formatValue,
  isUnitInterval,
  metricUnit,
} from "../aggregate/metric-format.js";

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
