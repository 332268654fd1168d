import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errorCounts } from "../aggregate/error-counts.js";
import type { CliIO } from "../cli-io.js";
import { analyse } from "../compare/analyse.js";
import { ExitCode, UserError } from "../errors.js";
import { paramsSignature } from "../load/variants.js";
import { emitReport } from "../report/emit.js";
import type { GateRule, RunReport, VariantInfo } from "../types.js";
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
  const reports = paths.map((path) => readReport(resolve(io.cwd, path)));
  const [first] = reports;
  if (!first) throw new UserError("merge: give at least one report.json");
  for (const [index, report] of reports.entries()) {
    const problem = incompatibility(first, report);
    if (problem) throw new UserError(`merge: ${paths[index]} is not from the same run as ${paths[0]}: ${problem}`);
  }
  checkShards(reports, paths);
  const seen = new Map<string, string>();
  for (const [index, report] of reports.entries()) {
    for (const testCase of report.cases) {
      const other = seen.get(testCase.id);
      if (other !== undefined) throw new UserError(`merge: case ${testCase.id} is in both ${other} and ${paths[index]}`);
      seen.set(testCase.id, paths[index] ?? "");
    }
  }
  const cases = reports.flatMap((report) => report.cases).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const gate: GateRule[] = first.gate.rules.map(({ metric, bound, bound_text, mode }) => ({ metric, bound, bound_text, mode }));
  const analysis = analyse({
    cases,
    checks: first.checks,
    gate,
    ...(first.run.segments ? { segments: first.run.segments } : {}),
    cachedLatency: first.run.cached_latency === true,
  });
  const sum = (pick: (report: RunReport) => number) => reports.reduce((total, report) => total + pick(report), 0);
  const costs = reports.map((report) => report.run.cost_usd);
  const addCosts = (key: "baseline" | "candidate" | "judge" | "total") =>
    costs.some((cost) => !cost || cost[key] === null) ? null : costs.reduce((total, cost) => total + (cost?.[key] ?? 0), 0);
  const startedAt = reports.map((report) => report.run.started_at).sort()[0] ?? first.run.started_at;
  const finishedAt =
    reports
      .map((report) => report.run.finished_at)
      .sort()
      .at(-1) ?? first.run.finished_at;
  const { shard: _shard, ...run } = first.run;
  const merged: RunReport = {
    ...first,
    run: {
      ...run,
      id: `${first.run.id.replace(/-shard\d+$/, "")}-merged`,
      started_at: startedAt,
      finished_at: finishedAt,
      modelgate_version: modelgateVersion,
      interrupted: reports.some((report) => report.run.interrupted),
      warnings: [...new Set(reports.flatMap((report) => report.run.warnings))],
      requests: { total: sum((report) => report.run.requests.total), reused: sum((report) => report.run.requests.reused) },
      cost_usd: { baseline: addCosts("baseline"), candidate: addCosts("candidate"), judge: addCosts("judge"), total: addCosts("total") },
      errors: { baseline: errorCounts(cases, "baseline"), candidate: errorCounts(cases, "candidate") },
    },
    cases,
    ...analysis,
    regressions: cases.filter((testCase) => testCase.outcome === "regression").map((testCase) => testCase.id),
    improvements: cases.filter((testCase) => testCase.outcome === "improvement").map((testCase) => testCase.id),
  };
  const outDir = resolve(io.cwd, options.out ?? resolve(dirname(resolve(io.cwd, paths[0] ?? ".")), "..", "merged"));
  emitReport(
    merged,
    { outDir, formats: options.formats, quiet: options.quiet, json: options.json, ...(options.color !== undefined ? { color: options.color } : {}) },
    io,
  );
  return merged.gate.verdict === "pass" ? ExitCode.ok : ExitCode.gateFailed;
}

function readReport(path: string): RunReport {
  let report: RunReport;
  try {
    report = JSON.parse(readFileSync(path, "utf8")) as RunReport;
  } catch (error) {
    throw new UserError(`merge: ${path}: cannot read a report.json: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (report?.schema_version !== 1 || !Array.isArray(report.cases) || !report.gate || !Array.isArray(report.checks)) {
    throw new UserError(`merge: ${path}: not a modelgate report.json (schema_version 1)`);
  }
  return report;
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
