/** Durations as plans write them: `15m`, `2m`, `24h`, `7d`, `90s`, `500ms`, `1w`. */
const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const ms = Number.parseFloat(match[1]) * units[match[2] as keyof typeof units];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** `900000` → `15m`, `93600000` → `26h`: the largest unit that divides it exactly. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["w", units.w],
    ["d", units.d],
    ["h", units.h],
    ["m", units.m],
    ["s", units.s],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
