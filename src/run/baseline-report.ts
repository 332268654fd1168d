import { readFileSync } from "node:fs";
import { UserError } from "../errors.js";
import { paramsSignature } from "../load/variants.js";
import { type OpenedReport, openedWhole, openReport } from "../report/read-report.js";
import type { CaseRun, RunReport, VariantInfo } from "../types.js";
import { type ServedSummary, summariseServed } from "./served-model.js";

/** What re-scoring needs of an earlier baseline draw (its checks are scored again, so they are not kept). */
export type ReusedDraw = Pick<CaseRun, "output" | "tool_calls" | "usage" | "latency_ms" | "attempts" | "cached"> &
  Pick<CaseRun, "served_model" | "system_fingerprint" | "ttft_ms" | "tokens_per_s" | "refusal">;

export interface ReusedBaseline {
  path: string;
  /** the earlier run's baseline draws, by case id */
  runs: Map<string, ReusedDraw[]>;
  /** who answered the earlier run's baseline (every draw, reused or not), to see a model change under one name */
  served: ServedSummary;
}

/**
 * Reads the baseline side of an earlier report.json (--baseline-report). Refuses (exit 2) when the
 * dataset or the baseline variant (model, prompt, params) differ from that run — the reused outputs
 * would answer a different question — unless `force`. A changed rubric is fine: the outputs are re-scored.
 */
export function loadBaselineReport(
  path: string,
  current: { datasetSha256: string; baseline: VariantInfo; repeat: number },
  force: boolean,
): ReusedBaseline {
  // Read a case at a time (a 100,000-case report is not held whole); another layout is parsed whole.
  let opened: OpenedReport | undefined;
  try {
    opened = openReport(path, `--baseline-report ${path}`) ?? openedWhole(JSON.parse(readFileSync(path, "utf8")) as RunReport);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`--baseline-report ${path}: cannot read a report.json: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const report = opened.head;
  if (report?.schema_version !== 1 || !report.variants?.baseline || !report.run) {
    throw new UserError(`--baseline-report ${path}: not a modelgate report.json (schema_version 1)`);
  }
  const then = report.variants.baseline;
  // The rubric may differ: reused outputs are scored again with the current checks (SPEC §2).
  const differences: string[] = [];
  if (report.run.dataset?.sha256 !== current.datasetSha256) differences.push("the dataset changed (its sha256 differs)");
  if (then.provider !== current.baseline.provider || then.model !== current.baseline.model) {
    differences.push(`the baseline model changed (${then.provider}:${then.model} then, ${current.baseline.provider}:${current.baseline.model} now)`);
  }
  if ((then.prompt_sha256 ?? null) !== (current.baseline.prompt_sha256 ?? null)) differences.push("the baseline prompt changed (its sha256 differs)");
  if (paramsSignature(then.params ?? {}) !== paramsSignature(current.baseline.params)) {
    differences.push(`the baseline params changed (${JSON.stringify(then.params)} then, ${JSON.stringify(current.baseline.params)} now)`);
  }
  for (const field of ["reasoning", "thinking"] as const) {
    const [before, now] = [JSON.stringify(then[field] ?? null), JSON.stringify(current.baseline[field] ?? null)];
    if (before !== now) differences.push(`the baseline's ${field} changed (${before} then, ${now} now)`);
  }
  if ((report.run.repeat ?? 1) !== current.repeat) differences.push(`--repeat changed (${report.run.repeat ?? 1} then, ${current.repeat} now)`);
  if (differences.length > 0 && !force) {
    throw new UserError(
      `--baseline-report ${path} cannot stand in for this run's baseline: ${differences.join("; ")}. ` +
        "Run without --baseline-report to call the baseline again, or add --force to reuse its outputs anyway.",
    );
  }
  const runs = new Map<string, ReusedDraw[]>();
  const served = summariseServed([]);
  for (const testCase of opened.cases()) {
    const draws = Array.isArray(testCase?.baseline) ? testCase.baseline : [];
    summariseServed(draws, served);
    if (draws.length !== current.repeat || draws.some((run) => run.error)) continue;
    runs.set(testCase.id, draws.map(reusedDraw));
  }
  return { path, runs, served };
}

/** What a reused draw keeps: its output, usage and timings, and who answered it. */
function reusedDraw(run: CaseRun): ReusedDraw {
  const { output, tool_calls, usage, latency_ms, attempts, cached } = run;
  const draw: ReusedDraw = { output, tool_calls, usage, latency_ms, attempts, cached };
  for (const field of ["served_model", "system_fingerprint", "refusal"] as const) if (typeof run[field] === "string") draw[field] = run[field];
  for (const field of ["ttft_ms", "tokens_per_s"] as const) if (typeof run[field] === "number") draw[field] = run[field];
  return draw;
}
