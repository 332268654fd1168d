import type { CliIO } from "../cli-io.js";
import type { EvalOptions } from "./eval.js";

/** Commander's raw options → the typed options `runEval` takes (config defaults are applied after loading). */
export function resolveRunDefaults(raw: Record<string, unknown>, _io: CliIO): EvalOptions {
  const str = (key: string) => (typeof raw[key] === "string" ? (raw[key] as string) : undefined);
  const num = (key: string) => (typeof raw[key] === "number" ? (raw[key] as number) : undefined);
  const options: EvalOptions = {
    baseline: String(raw.baseline),
    candidate: String(raw.candidate),
    filter: (raw.filter as string[] | undefined) ?? [],
    caseIds: (raw.case as string[] | undefined) ?? [],
    formats: (raw.format as string[] | undefined) ?? ["table", "json"],
    cache: raw.cache !== false,
    cacheDir: str("cacheDir") ?? ".modelgate/cache",
    cachedLatency: raw.cachedLatency !== false,
    strict: raw.strict === true,
    quiet: raw.quiet === true,
    json: raw.json === true,
    force: raw.force === true,
  };
  for (const key of ["config", "rubric", "dataset", "traffic", "out", "record", "replay", "judge", "baselineReport"] as const) {
    const value = str(key);
    if (value !== undefined) options[key] = value;
  }
  for (const key of ["concurrency", "repeat", "timeout", "maxRetries", "limit", "maxCost"] as const) {
    const value = num(key);
    if (value !== undefined) options[key] = value;
  }
  if (raw.color === false) options.color = false;
  if (raw.shard !== undefined) options.shard = raw.shard as { index: number; count: number };
  return options;
}
