import { readFileSync } from "node:fs";
import { UserError } from "../errors.js";
import { paramsSignature } from "../load/variants.js";
import type { CaseRun, RunReport, VariantInfo } from "../types.js";

export interface ReusedBaseline {
  path: string;
  /** the earlier run's baseline draws, by case id */
  runs: Map<string, CaseRun[]>;
}

/**
 * Reads the baseline side of an earlier report.json (--baseline-report). Refuses (exit 2) when the
 * dataset, the rubric or the baseline variant (model, prompt, params) differ from that run — the reused
 * outputs would answer a different question — unless `force`.
 */
export function loadBaselineReport(
  path: string,
  current: { datasetSha256: string; rubricSha256: string; baseline: VariantInfo; repeat: number },
  force: boolean,
): ReusedBaseline {
  let report: RunReport;
  try {
    report = JSON.parse(readFileSync(path, "utf8")) as RunReport;
  } catch (error) {
    throw new UserError(`--baseline-report ${path}: cannot read a report.json: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (report?.schema_version !== 1 || !Array.isArray(report.cases) || !report.variants?.baseline) {
    throw new UserError(`--baseline-report ${path}: not a modelgate report.json (schema_version 1)`);
  }
  const then = report.variants.baseline;
  const differences: string[] = [];
  if (report.run.dataset.sha256 !== current.datasetSha256) differences.push("the dataset (sha256 differs)");
  if (report.run.rubric.sha256 !== current.rubricSha256) differences.push("the rubric (sha256 differs)");
  if (then.provider !== current.baseline.provider || then.model !== current.baseline.model) {
    differences.push(`the baseline model (${then.provider}:${then.model} then, ${current.baseline.provider}:${current.baseline.model} now)`);
  }
  if ((then.prompt_sha256 ?? null) !== (current.baseline.prompt_sha256 ?? null)) differences.push("the baseline prompt (sha256 differs)");
  if (paramsSignature(then.params ?? {}) !== paramsSignature(current.baseline.params)) {
    differences.push(`the baseline params (${JSON.stringify(then.params)} then, ${JSON.stringify(current.baseline.params)} now)`);
  }
  if ((report.run.repeat ?? 1) !== current.repeat) differences.push(`--repeat (${report.run.repeat ?? 1} then, ${current.repeat} now)`);
  if (differences.length > 0 && !force) {
    throw new UserError(
      `--baseline-report ${path} was run with a different ${differences.join(", ")}; its baseline cannot stand in for this one (--force to use it anyway)`,
    );
  }
  const runs = new Map<string, CaseRun[]>();
  for (const testCase of report.cases) {
    if (testCase.baseline.length === current.repeat && testCase.baseline.every((run) => !run.error)) runs.set(testCase.id, testCase.baseline);
  }
  return { path, runs };
}
