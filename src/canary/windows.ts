/**
 * Cutting traffic into windows (SPEC §11): `window` long, aligned to whole multiples of `window` since
 * the Unix epoch in UTC, or to the plan's `start:`; a window is analysed once it has closed plus
 * `window_lag` (late logs); "now" is --now, else the latest `ts` seen.
 */
import type { CanaryPlan } from "./plan.js";

export interface WindowSlot {
  start_ms: number;
  end_ms: number;
}

/** The origin windows align to: the plan's start, else the epoch. */
export function windowOrigin(plan: Pick<CanaryPlan, "start_ms">): number {
  return plan.start_ms ?? 0;
}

/** The start of the window holding `ts_ms`. */
export function windowStartOf(ts_ms: number, plan: Pick<CanaryPlan, "window_ms" | "start_ms">): number {
  const origin = windowOrigin(plan);
  return origin + Math.floor((ts_ms - origin) / plan.window_ms) * plan.window_ms;
}

/** Whether the window starting at `start_ms` may be analysed at `now_ms` (closed, plus the lag). */
export function isClosed(start_ms: number, now_ms: number, plan: Pick<CanaryPlan, "window_ms" | "window_lag_ms">): boolean {
  return start_ms + plan.window_ms + plan.window_lag_ms <= now_ms;
}

/**
 * Every window from `first_ms` (a window start) up to the last one closed at `now_ms`, empty ones
 * included: a window with no traffic is a look with nothing seen (inconclusive), and it breaks a run.
 */
export function closedSlots(first_ms: number, now_ms: number, plan: Pick<CanaryPlan, "window_ms" | "window_lag_ms">): WindowSlot[] {
  const slots: WindowSlot[] = [];
  for (let start = first_ms; isClosed(start, now_ms, plan); start += plan.window_ms) slots.push({ start_ms: start, end_ms: start + plan.window_ms });
  return slots;
}

/** The number of windows the plan may look at: ⌈max_duration / window⌉. */
export function maxLooks(plan: Pick<CanaryPlan, "window_ms" | "max_duration_ms">): number {
  return Math.max(1, Math.ceil(plan.max_duration_ms / plan.window_ms));
}
