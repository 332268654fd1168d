/**
 * A canary window's report: a §8 run report of the window's traffic (its cases, both arms' metrics, the
 * rules of both families as the gate) plus the `canary` object — plan sha256, stage, window, n per arm,
 * pairing, verdict, decision and counters (SPEC §11). Every report format renders it.
 */
import { createHash } from "node:crypto";
import { errorCounts } from "../aggregate/error-counts.js";
import { computeMetrics, type MetricDefinition, segmentTagsOf } from "../aggregate/metrics.js";
import type { Inputs } from "../load/inputs.js";
import { displayName } from "../paths.js";
import { recordedInfo, variantInfo } from "../run/variant-info.js";
import type { CaseReport, CheckInfo, EvalCase, GateResult, RunReport } from "../types.js";
import { modelgateVersion } from "../version.js";
import type { WindowJudgement } from "./judge-window.js";
import type { CanaryPlan } from "./plan.js";
import type { ScoredTraffic } from "./score-window.js";
import { sequentialMethodName } from "./sequential.js";
import type { WindowEntry } from "./state.js";

export interface WindowReportParts {
  plan: CanaryPlan & { rubric: NonNullable<CanaryPlan["rubric"]> };
  checks: CheckInfo[];
  definitions: MetricDefinition[];
  judges: Pick<Inputs, "judge" | "checkJudges">;
  /** the window's traffic as read (before scoring released it) */
  lines: EvalCase[];
  files: string[];
  scored: ScoredTraffic;
  judgement: WindowJudgement;
  entry: WindowEntry;
  startedAt: Date;
  warnings: string[];
  env: NodeJS.ProcessEnv;
}

/** The folder name of a window's report: its start, ISO 8601 without the colons (portable file names). */
export function windowFolderName(start_ms: number): string {
  return new Date(start_ms)
    .toISOString()
    .replace(/:/g, "-")
    .replace(/\.000Z$/, "Z");
}

export function windowReport(parts: WindowReportParts): RunReport {
  const { plan, judgement, entry, scored } = parts;
  const cases: CaseReport[] = scored.cases;
  const rules = [...(judgement.rollback?.rules ?? []), ...(judgement.promote?.rules ?? [])];
  const gate: GateResult = { verdict: judgement.verdict, reason: judgement.reason, rules, policy: { multiplicity: "holm", on_inconclusive: "hold" } };
  const usesJudge = plan.rubric.checks.some((check) => check.usesJudge);
  const side = (name: "baseline" | "candidate") => ({ ...recordedInfo(parts.lines, name), name: plan[name] });
  const ids = createHash("sha256");
  for (const line of parts.lines) ids.update(`${line.id}\n`);
  return {
    schema_version: 1,
    run: {
      id: `${plan.name}-${windowFolderName(judgement.start_ms)}`,
      started_at: parts.startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      modelgate_version: modelgateVersion,
      // The window's traffic: the files it came from, and the sha256 of its line ids in time order.
      dataset: { path: parts.files.join(", "), sha256: ids.digest("hex") },
      rubric: { path: displayName(plan.rubric.path), sha256: plan.rubric.sha256 },
      repeat: 1,
      interrupted: false,
      ...(plan.rubric.segments ? { segments: plan.rubric.segments } : {}),
      warnings: parts.warnings,
      requests: { total: scored.runner.requests, reused: scored.runner.reused },
      errors: { baseline: errorCounts(cases, "baseline"), candidate: errorCounts(cases, "candidate") },
      cost_usd: scored.runner.costs(),
    },
    variants: {
      baseline: side("baseline"),
      candidate: side("candidate"),
      ...(usesJudge && parts.judges.judge
        ? {
            judge: {
              ...variantInfo(parts.judges.judge, parts.env),
              prompt_templates: Object.assign({}, ...plan.rubric.checks.map((check) => check.judgeTemplates ?? {})),
            },
          }
        : {}),
    },
    checks: parts.checks,
    cases,
    metrics: computeMetrics(cases, parts.definitions, segmentTagsOf(cases, plan.rubric.segments)),
    comparison: judgement.comparison,
    gate,
    // Meaningful in shadow traffic (both arms on a line); a one-arm line is never a regression.
    regressions: cases.filter((c) => c.outcome === "regression").map((c) => c.id),
    improvements: cases.filter((c) => c.outcome === "improvement").map((c) => c.id),
    canary: {
      name: plan.name,
      plan: { path: plan.displayPath, sha256: plan.sha256 },
      method: sequentialMethodName,
      window: { start: entry.start, end: entry.end },
      stage: entry.stage,
      next_stage: entry.next_stage,
      n: entry.n,
      pairing: entry.pairing,
      compare_within: plan.compare_within,
      verdict: entry.verdict,
      deciding_rule: entry.deciding_rule,
      reason: entry.reason,
      decision: entry.decision,
      decision_reason: entry.decision_reason,
      counters: entry.counters,
      alpha: entry.alpha,
      families: [
        ...(judgement.rollback?.rules ?? []).map((r) => ({ metric: r.metric, family: "rollback" as const })),
        ...(judgement.promote?.rules ?? []).map((r) => ({ metric: r.metric, family: "promote" as const })),
      ],
    },
  };
}
