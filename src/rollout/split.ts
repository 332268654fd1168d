import type { Split } from "./actuator.js";

/** The same split, whatever order the tenants were listed in. */
export function sameSplit(a: Split | null, b: Split | null): boolean {
  if (a === null || b === null) return a === b;
  return a.on === b.on && a.percent === b.percent && a.tenants.length === b.tenants.length && a.tenants.every((t, i) => t === b.tenants[i]);
}

/** `42% + tenants internal,beta` / `off` */
export function describeSplit(split: Split | null): string {
  if (split === null) return "nothing (not set up yet)";
  const parts = [`${split.percent}%`];
  if (split.tenants.length > 0) parts.push(`tenants ${split.tenants.join(",")}`);
  return split.on ? parts.join(" + ") : `off (${parts.join(" + ")})`;
}

export function makeSplit(on: boolean, percent: number, tenants: readonly string[]): Split {
  return { on, percent, tenants: [...new Set(tenants)].sort() };
}
