/**
 * The canary's one loop body, shared by `analyze`, `simulate` and `run` (SPEC §11): read the plan's
 * traffic, cut it into windows by `ts`, and for every closed window the state has not seen, in order —
 * score its lines with the rubric, judge it, decide, write its report, then the state. A kill between
 * windows loses nothing; a kill inside one re-does only that window, with the same seeded numbers.
 */
import { resolve } from "node:path";
import { checkInfo, type MetricDefinition, metricDefinitions } from "../aggregate/metrics.js";
import type { CliIO } from "../cli-io.js";
import { type Inputs, loadJudges, resolveVariant } from "../load/inputs.js";
import type { Rubric } from "../load/rubric.js";
import { emitReport } from "../report/emit.js";
import type { CheckInfo, EvalCase } from "../types.js";
import { advanceCanary } from "./advance.js";
import { type CanaryPlan, loadCanaryPlan } from "./plan.js";
import { loadPlanConfig } from "./plan-config.js";
import { type WindowScorer, windowScorer } from "./score-window.js";
import { type CanaryState, type WindowEntry, writeState } from "./state.js";
import { type CanaryTraffic, tsOf } from "./traffic.js";
import { windowFolderName, windowReport } from "./window-report.js";
import { closedSlots, windowStartOf } from "./windows.js";

export type LoadedPlan = CanaryPlan & { rubric: Rubric };

/** A loaded plan with everything judging its windows needs, built before any window is judged. */
export interface Canary {
  plan: LoadedPlan;
  judges: Pick<Inputs, "judge" | "checkJudges">;
  checks: CheckInfo[];
  definitions: MetricDefinition[];
  /** the plan's variants' models, which tell the arms apart in an import spec without `arms:` */
  models: { baseline?: string; candidate?: string };
  score: WindowScorer;
}

export function loadCanary(planPath: string, io: CliIO): Canary {
  const plan = loadCanaryPlan(resolve(io.cwd, planPath)) as LoadedPlan;
  const config = loadPlanConfig(plan, io.cwd);
  const judges = loadJudges(plan.rubric, config);
  const checks = plan.rubric.checks.map(checkInfo);
  const models: Canary["models"] = {};
  for (const side of ["baseline", "candidate"] as const) {
    // A name the config does not define is fine here: arms may be told apart by `arm_by` + `arms:`.
    try {
      models[side] = resolveVariant(plan[side], config, side).model;
    } catch {}
  }
  return { plan, judges, checks, definitions: metricDefinitions(checks), models, score: windowScorer(plan.rubric, judges, io) };
}

export interface AnalyzeOptions {
  state: CanaryState;
  traffic: CanaryTraffic;
  /** epoch ms; default the latest `ts` in the traffic */
  now_ms?: number;
  /** where window reports go (`<out>/<window start>/`); none: not written */
  out?: string;
  formats: string[];
  /** the state folder to write state.json to after each window; none: the state is not written (simulate, --dry-run) */
  stateFolder?: string;
  io: CliIO;
  onWindow?: (entry: WindowEntry) => void;
}

/** Analyses every closed window not yet in the state; returns the new state and the windows it added. */
export async function analyzeWindows(canary: Canary, options: AnalyzeOptions): Promise<{ state: CanaryState; added: WindowEntry[] }> {
  const { plan } = canary;
  const byWindow = new Map<number, EvalCase[]>();
  for (const line of options.traffic.cases) {
    const ts = tsOf(line);
    if (plan.start_ms !== undefined && ts < plan.start_ms) continue;
    const start = windowStartOf(ts, plan);
    const lines = byWindow.get(start);
    if (lines) lines.push(line);
    else byWindow.set(start, [line]);
  }
  const latest = options.traffic.cases.length > 0 ? tsOf(options.traffic.cases.at(-1) as EvalCase) : undefined;
  const now = options.now_ms ?? latest;
  const last = options.state.windows.at(-1);
  const first = last ? last.start_ms + plan.window_ms : (plan.start_ms ?? (byWindow.size > 0 ? Math.min(...byWindow.keys()) : undefined));
  let state = options.state;
  const added: WindowEntry[] = [];
  if (now === undefined || first === undefined) return { state, added };
  for (const slot of closedSlots(first, now, plan)) {
    // Rolled back and complete are terminal: nothing more to judge (SPEC §11).
    if (state.decision.status === "rolled_back" || state.decision.status === "complete") break;
    const lines = byWindow.get(slot.start_ms) ?? [];
    const startedAt = new Date();
    const scored = await canary.score(lines);
    state = advanceCanary(plan, state, [{ ...slot, cases: scored.cases }], canary.definitions, (entry, judgement, next) => {
      if (options.out !== undefined) {
        const report = windowReport({
          plan,
          checks: canary.checks,
          definitions: canary.definitions,
          judges: canary.judges,
          lines,
          files: options.traffic.files,
          scored,
          judgement,
          entry,
          startedAt,
          warnings: [],
          env: options.io.env,
        });
        const outDir = resolve(options.out, windowFolderName(slot.start_ms));
        emitReport(report, { outDir, formats: options.formats.filter((f) => f !== "table"), quiet: true, json: false }, options.io);
      }
      if (options.stateFolder !== undefined) writeState(options.stateFolder, next);
      added.push(entry);
      options.onWindow?.(entry);
    });
  }
  return { state, added };
}
