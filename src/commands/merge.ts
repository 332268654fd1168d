import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errorCounts } from "../aggregate/error-counts.js";
import { analyse } from "../analyse.js";
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";
import { gateExitCode } from "../gate/evaluate.js";
import { paramsSignature } from "../load/variants.js";
import { emitOptions, emitReport } from "../report/emit.js";
import { type OpenedReport, openedWhole, openReport } from "../report/read-report.js";
import { CaseLog } from "../run/case-log.js";
import type { CaseRecord, GateRule, RunReport, RunSummary, VariantInfo } from "../types.js";
import { modelgateVersion } from "../version.js";

export interface MergeOptions {
  out?: string;
  formats: string[];
  quiet: boolean;
  json: boolean;
  color?: boolean;
}

/**
 * `modelgate merge <report.json…>`: combines shard reports (`eval --shard i/n`) into one report whose
 * metrics, statistics and gate are computed over all cases, exactly as an unsharded run computes them.
 * Refuses shards of different runs (dataset, rubric, variants, repeat) or an incomplete set of shards.
 */
export function runMerge(paths: string[], options: MergeOptions, io: CliIO): number {
  if (paths.length === 0) throw new UserError("merge: give at least one report.json");
  const outDir = resolve(io.cwd, options.out ?? resolve(dirname(resolve(io.cwd, paths[0] ?? ".")), "..", "merged"));
  prepareFolder(outDir);
  // Shards are read a case at a time into a case log, as `eval` keeps its own cases: merging the
  // shards of a 100,000-case run holds the cases' records, not every shard's outputs.
  const caseLog = new CaseLog(outDir);
  try {
    const opened = paths.map((path) => openShard(resolve(io.cwd, path), path));
    const heads = opened.map((report) => report.head);
    const first = heads[0] as RunReport;
    for (const [index, head] of heads.entries()) {
      const problem = incompatibility(first, head);
      if (problem) throw new UserError(`merge: ${paths[index]} is not from the same run as ${paths[0]}: ${problem}`);
    }
    checkShards(heads, paths);
    const seen = new Map<string, string>();
    const records: CaseRecord[] = [];
    for (const [index, report] of opened.entries()) {
      for (const testCase of report.cases()) {
        const other = seen.get(testCase.id);
        if (other !== undefined) throw new UserError(`merge: case ${testCase.id} is in both ${other} and ${paths[index]}`);
        seen.set(testCase.id, paths[index] ?? "");
        records.push(caseLog.append(testCase));
      }
    }
    const cases = records.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const merged = mergedReport(heads, cases);
    emitReport(merged, emitOptions(outDir, options), io, caseLog);
    return gateExitCode(merged.gate);
  } finally {
    caseLog.dispose();
  }
}

/** One report over all the shards' cases: analysed again, run facts summed. */
function mergedReport(heads: RunReport[], cases: CaseRecord[]): RunSummary {
  const first = heads[0] as RunReport;
  const gate: GateRule[] = first.gate.rules.map(({ metric, bound, bound_text, mode }) => ({ metric, bound, bound_text, mode }));
  const analysis = analyse({
    cases,
    checks: first.checks,
    gate,
    ...(first.run.segments ? { segments: first.run.segments } : {}),
    cachedLatency: first.run.cached_latency === true,
    ...(first.gate.policy ? { policy: first.gate.policy } : {}),
  });
  const sum = (pick: (report: RunReport) => number) => heads.reduce((total, report) => total + pick(report), 0);
  const costs = heads.map((report) => report.run.cost_usd);
  const addCosts = (key: "baseline" | "candidate" | "judge" | "total") =>
    costs.some((cost) => !cost || cost[key] === null) ? null : costs.reduce((total, cost) => total + (cost?.[key] ?? 0), 0);
  const startedAt = heads.map((report) => report.run.started_at).sort()[0] ?? first.run.started_at;
  const finishedAt =
    heads
      .map((report) => report.run.finished_at)
      .sort()
      .at(-1) ?? first.run.finished_at;
  const { shard: _shard, ...run } = first.run;
  return {
    ...first,
    run: {
      ...run,
      id: `${first.run.id.replace(/-shard\d+$/, "")}-merged`,
      started_at: startedAt,
      finished_at: finishedAt,
      modelgate_version: modelgateVersion,
      interrupted: heads.some((report) => report.run.interrupted),
      warnings: [...new Set(heads.flatMap((report) => report.run.warnings))],
      requests: { total: sum((report) => report.run.requests.total), reused: sum((report) => report.run.requests.reused) },
      cost_usd: { baseline: addCosts("baseline"), candidate: addCosts("candidate"), judge: addCosts("judge"), total: addCosts("total") },
      errors: { baseline: errorCounts(cases, "baseline"), candidate: errorCounts(cases, "candidate") },
    },
    cases,
    ...analysis,
    regressions: cases.filter((testCase) => testCase.outcome === "regression").map((testCase) => testCase.id),
    improvements: cases.filter((testCase) => testCase.outcome === "improvement").map((testCase) => testCase.id),
  };
}

function openShard(path: string, given: string): OpenedReport {
  let report: OpenedReport | undefined;
  try {
    report = openReport(path, `merge: ${given}`) ?? openedWhole(JSON.parse(readFileSync(path, "utf8")) as RunReport);
  } catch (error) {
    const reason = error instanceof SyntaxError ? `not JSON (${error.message})` : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new UserError(`merge: ${given}: cannot read a report.json: ${reason}`);
  }
  const { head } = report;
  if (head?.schema_version !== 1 || !head.gate || !Array.isArray(head.checks) || !head.run) {
    throw new UserError(`merge: ${given}: not a modelgate report.json (schema_version 1)`);
  }
  return report;
}

/** The output folder, made now: the case log is written into it before any report. */
function prepareFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw new UserError(`merge: --out ${path}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function sameVariant(a: VariantInfo, b: VariantInfo): boolean {
  return (
    a.provider === b.provider && a.model === b.model && a.prompt_sha256 === b.prompt_sha256 && paramsSignature(a.params) === paramsSignature(b.params)
  );
}

/** Why two reports cannot be merged, or undefined. */
function incompatibility(a: RunReport, b: RunReport): string | undefined {
  if (a.run.dataset.sha256 !== b.run.dataset.sha256) return "the dataset differs";
  if (a.run.rubric.sha256 !== b.run.rubric.sha256) return "the rubric differs";
  if (!sameVariant(a.variants.baseline, b.variants.baseline)) return "the baseline variant differs";
  if (!sameVariant(a.variants.candidate, b.variants.candidate)) return "the candidate variant differs";
  if (a.run.repeat !== b.run.repeat) return "--repeat differs";
  if (JSON.stringify(a.checks) !== JSON.stringify(b.checks)) return "the checks differ";
  const rules = (report: RunReport) => JSON.stringify(report.gate.rules.map(({ metric, bound, mode }) => ({ metric, bound, mode })));
  if (rules(a) !== rules(b)) return "the gate rules differ";
  return undefined;
}

/** Shard reports must be one complete set: the same n, each index once, none missing. */
function checkShards(reports: RunReport[], paths: string[]): void {
  const shards = reports.map((report) => report.run.shard);
  if (shards.every((shard) => shard === undefined)) return;
  if (shards.some((shard) => shard === undefined)) throw new UserError("merge: mixes shard reports (--shard) with an unsharded one");
  const count = shards[0]?.count ?? 0;
  if (shards.some((shard) => shard?.count !== count)) throw new UserError("merge: the reports come from different --shard splits (n differs)");
  const indexes = shards.map((shard) => shard?.index ?? 0);
  const duplicate = indexes.find((index, i) => indexes.indexOf(index) !== i);
  if (duplicate !== undefined)
    throw new UserError(`merge: shard ${duplicate}/${count} is given twice (${paths.filter((_, i) => indexes[i] === duplicate).join(", ")})`);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !indexes.includes(index));
  if (missing.length > 0) throw new UserError(`merge: missing shard ${missing.map((index) => `${index}/${count}`).join(", ")}`);
}
