/**
 * `modelgate canary run --plan … [--once] [--dry-run]` (SPEC §11–12): at each window's close, analyse
 * (as `analyze`), then act on each new decision through the plan's actuator, in order, audited.
 * - Crash-safe: state.json records every decided window before anything acts on it, and the rollout
 *   record marks a change `pending` before making it; on restart the decided-but-not-acted windows are
 *   acted on (a change already made is recognised from the live state and audited as recovered).
 * - Before the first decision, the split is put where the current stage wants it (`start`).
 * - Ctrl-C / SIGTERM stop the wait at once; a step in progress finishes its write first.
 * - --dry-run judges without writing state or reports and prints the calls it would make.
 */
import { resolve } from "node:path";
import { decisionExitCode } from "../canary/advance.js";
import { analyzeWindows, type Canary, loadCanary } from "../canary/analyze.js";
import { parseDuration } from "../canary/duration.js";
import { takeLock } from "../canary/lock.js";
import { type CanaryState, readState, stateFolder, type WindowEntry } from "../canary/state.js";
import { decisionLine, renderTimelineRows } from "../canary/timeline.js";
import { readCanaryTraffic, trafficSignature } from "../canary/traffic.js";
import type { CliIO } from "../cli-io.js";
import { ExitCode, UserError } from "../errors.js";
import { type ApplyResult, applyDecision, type Decision } from "../rollout/apply.js";
import { actuatorIdentity } from "../rollout/index.js";
import { type RolloutPlan, rolloutPlanOf, stageTarget } from "../rollout/plan.js";
import { readRecord } from "../rollout/record.js";
import { describeSplit } from "../rollout/split.js";
import { sleep } from "../run/backoff.js";
import { parseHoldExitCode } from "./canary.js";
import { describeEffect } from "./rollout.js";

export interface RunCommandOptions {
  plan: string;
  once: boolean;
  dryRun: boolean;
  /** how often the loop looks for new traffic (a duration; default a tenth of the window, 1 s–60 s) */
  poll?: string;
  out?: string;
  stateDir?: string;
  holdExitCode?: string;
}

export async function runCanaryRun(options: RunCommandOptions, io: CliIO): Promise<number> {
  const canary = loadCanary(options.plan, io);
  const { plan } = canary;
  const root = resolve(io.cwd, options.stateDir ?? ".modelgate/canary");
  const rollout = rolloutPlanOf(plan, { cwd: io.cwd, stateRoot: root });
  const folder = stateFolder(plan, root);
  const poll = pollInterval(options.poll, plan.window_ms);
  const holdExitCode = parseHoldExitCode(options.holdExitCode);
  const release = options.dryRun ? () => {} : (takeLock(folder, { throwIfHeld: true }) as () => void);
  try {
    let state = readState(plan, folder);
    let seen: string | undefined;
    await startSplit(canary, rollout, state, options.dryRun, io);
    for (;;) {
      const signature = trafficSignature(plan.traffic);
      if (signature !== seen) {
        seen = signature;
        const step = await runStep(canary, rollout, state, { ...options, folder }, io);
        state = step.state;
      }
      const terminal = state.decision.status !== "running";
      if (options.once || options.dryRun || terminal || io.signal.aborted) {
        if (io.signal.aborted && !options.once) return ExitCode.interrupted;
        return decisionExitCode(state.windows.at(-1), holdExitCode);
      }
      await sleep(poll, io.signal);
    }
  } finally {
    release();
  }
}

/** One step: judge the windows closed since, then act on every decided window not acted on yet. */
async function runStep(
  canary: Canary,
  rollout: RolloutPlan,
  state: CanaryState,
  options: RunCommandOptions & { folder: string },
  io: CliIO,
): Promise<{ state: CanaryState }> {
  const { plan } = canary;
  const traffic = await readCanaryTraffic(plan.traffic, { scratch: options.folder, models: canary.models });
  for (const warning of traffic.warnings) io.stderr.write(`warning: ${warning}\n`);
  const out = resolve(io.cwd, options.out ?? `reports/canary/${plan.name}`);
  const { state: next, added } = await analyzeWindows(canary, {
    state,
    traffic,
    formats: [],
    io,
    ...(options.dryRun ? {} : { out, stateFolder: options.folder }),
  });
  if (added.length > 0) io.stdout.write(renderTimelineRows(plan.name, added));
  // Every actionable window in the log, oldest first: those acted on already are skipped by the rollout record.
  for (const entry of next.windows) {
    if (entry.decision !== "promote" && entry.decision !== "rollback") continue;
    const result = await act(canary, rollout, entry.decision, entry, options.dryRun, io);
    if (result.status === "applied" || result.status === "dry-run") report(result, entry.decision, entry, options.dryRun, io);
  }
  io.stdout.write(`${decisionLine(next.windows.at(-1))}\n`);
  return { state: next };
}

function act(canary: Canary, rollout: RolloutPlan, decision: Decision, entry: WindowEntry | null, dryRun: boolean, io: CliIO): Promise<ApplyResult> {
  const index = entry ? canary.plan.stages.findIndex((stage) => stage.name === entry.next_stage) : -1;
  return applyDecision({
    plan: rollout,
    decision,
    window: entry ? { start: entry.start, end: entry.end } : null,
    ...(decision === "rollback" ? {} : { target: stageTarget(canary.plan, entry ? Math.max(0, index) : 0) }),
    dryRun,
    env: io.env,
    ...(io.fetch ? { fetch: io.fetch } : {}),
  });
}

/** Before any window is decided and before modelgate wrote anything: the split where stage 0 wants it. */
async function startSplit(canary: Canary, rollout: RolloutPlan, state: CanaryState, dryRun: boolean, io: CliIO): Promise<void> {
  if (state.windows.length > 0 || state.decision.status !== "running") return;
  if (readRecord(rollout.stateDir, actuatorIdentity(rollout.actuator)).written !== null) return;
  const result = await act(canary, rollout, "start", null, dryRun, io);
  report(result, "start", null, dryRun, io);
}

function report(result: ApplyResult, decision: string, entry: WindowEntry | null, dryRun: boolean, io: CliIO): void {
  const at = entry ? ` (window ${entry.start})` : "";
  const change = `${describeSplit(result.before?.split ?? null)} → ${describeSplit(result.after)}`;
  if (dryRun) io.stdout.write(`dry run: ${decision}${at} would change ${change}; nothing was changed\n${describeEffect(result.effect)}\n`);
  else
    io.stdout.write(
      `${decision}${at}: ${change}${result.forced ? " (forced)" : ""}${result.audit.some((a) => a.recovered) ? " (recovered after a restart)" : ""}\n`,
    );
}

function pollInterval(text: string | undefined, windowMs: number): number {
  if (text === undefined) return Math.min(60_000, Math.max(1_000, Math.round(windowMs / 10)));
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100)
    throw new UserError(`--poll: expected a duration such as 30s or 500ms (at least 100ms), got ${JSON.stringify(text)}`);
  return ms;
}
