/** Defaults of SPEC §2, used when neither the flag nor the config sets a value. */
export const runDefaults = { concurrency: 8, repeat: 1, timeout: 60_000, maxRetries: 4 } as const;

/**
 * The range of each numeric run setting, read by the flag parser and the config loader alike: a value
 * outside it is an input error (a `--timeout 2147483648` would overflow Node's timer and fire at once).
 */
export const runLimits = {
  concurrency: { min: 1, max: 1024 },
  repeat: { min: 1, max: 1000 },
  timeout: { min: 1, max: 3_600_000 },
  maxRetries: { min: 0, max: 20 },
} as const;
