/**
 * `modelgate rollout status|set|rollback --plan canary.yaml` (SPEC §12): a person's hand on the same
 * actuator `canary run` drives, through the same guard and audit log (src/rollout/apply.ts).
 */
import { resolve } from "node:path";
import { loadCanaryPlan } from "../canary/plan.js";
import type { CliIO } from "../cli-io.js";
import { ExitCode, UserError } from "../errors.js";
import type { Effect } from "../rollout/actuator.js";
import { type ApplyResult, applyDecision, readRollout } from "../rollout/apply.js";
import { auditPath } from "../rollout/audit.js";
import { describeCall } from "../rollout/http.js";
import { describePayload } from "../rollout/payload.js";
import { rolloutPlanOf } from "../rollout/plan.js";
import { describeSplit, makeSplit } from "../rollout/split.js";
import { checkPercent, parseTenantList } from "../rollout/validate.js";

export interface RolloutOptions {
  action: "status" | "set" | "rollback";
  plan: string;
  percent?: string;
  tenants?: string;
  dryRun: boolean;
  force: boolean;
  json: boolean;
  stateDir?: string;
}

export async function runRollout(options: RolloutOptions, io: CliIO): Promise<number> {
  const canary = loadCanaryPlan(resolve(io.cwd, options.plan), { rubric: false });
  const plan = rolloutPlanOf(canary, { cwd: io.cwd, ...(options.stateDir !== undefined ? { stateRoot: options.stateDir } : {}) });
  const fetchImpl = io.fetch ?? fetch;
  if (options.action === "status") {
    if (options.percent !== undefined || options.tenants !== undefined) throw new UserError("rollout status takes no --percent or --tenants");
    const { actuator, live, record, problems } = await readRollout(plan, io.env, fetchImpl);
    if (options.json) {
      const summary = {
        actuator: actuator.describe,
        readable: actuator.readable,
        live: live.split,
        candidate: live.candidate,
        baseline: live.baseline,
        last_written: record.written,
        last_written_at: record.written_at,
        matches: problems.length === 0,
        problems,
      };
      io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return ExitCode.ok;
    }
    const lines = [
      actuator.describe,
      `  live:          ${actuator.readable ? describeSplit(live.split) : "(cannot be read back: last sent shown)"}`,
      ...(live.candidate !== undefined ? [`  candidate:     ${describePayload(live.candidate)}`] : []),
      ...(live.baseline !== undefined ? [`  baseline:      ${describePayload(live.baseline)}`] : []),
      `  last written:  ${record.written ? `${describeSplit(record.written)} at ${record.written_at}` : "nothing yet"}`,
      `  plan candidate ${describePayload(plan.candidate)}`,
      problems.length === 0
        ? "  matches what modelgate last wrote: yes"
        : `  matches what modelgate last wrote: NO\n${problems.map((p) => `    - ${p}`).join("\n")}`,
    ];
    io.stdout.write(`${lines.join("\n")}\n`);
    return ExitCode.ok;
  }

  let result: ApplyResult;
  const common = { plan, window: null, dryRun: options.dryRun, force: options.force, env: io.env, fetch: fetchImpl };
  if (options.action === "rollback") {
    if (options.percent !== undefined || options.tenants !== undefined)
      throw new UserError("rollout rollback takes no --percent or --tenants (it sets 0% and removes every tenant)");
    result = await applyDecision({ ...common, decision: "rollback" });
  } else {
    if ((options.percent === undefined) === (options.tenants === undefined))
      throw new UserError("rollout set needs exactly one of --percent N or --tenants a,b");
    if (options.percent !== undefined) {
      result = await applyDecision({ ...common, decision: "set", target: { percent: checkPercent(options.percent.trim()), tenants: [] } });
    } else {
      // A tenant stage adds tiers to those already on, at the current percentage.
      const tenants = parseTenantList(options.tenants ?? "", plan.actuator.kind);
      const { live, record } = await readRollout(plan, io.env, fetchImpl);
      const current = record.written ?? live.split ?? makeSplit(true, 0, []);
      result = await applyDecision({
        ...common,
        decision: "set",
        target: { percent: current.on ? current.percent : 0, tenants: [...current.tenants, ...tenants] },
      });
    }
  }
  io.stdout.write(render(result, plan.stateDir, options.json));
  return ExitCode.ok;
}

function render(result: ApplyResult, stateDir: string, json: boolean): string {
  if (json)
    return `${JSON.stringify({ status: result.status, before: result.before?.split ?? null, after: result.after, forced: result.forced, effect: result.effect }, null, 2)}\n`;
  const lines: string[] = [];
  const before = describeSplit(result.before?.split ?? null);
  if (result.status === "dry-run")
    lines.push(`dry run: would change ${before} → ${describeSplit(result.after)}; nothing was changed`, describeEffect(result.effect));
  else {
    lines.push(
      `${before} → ${describeSplit(result.after)}${result.forced ? " (forced: the live state was not what modelgate last wrote; recorded)" : ""}`,
    );
    lines.push(`audited in ${auditPath(stateDir)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The exact calls, file diff or command of a change, as --dry-run prints them. */
export function describeEffect(effect: Effect | null): string {
  if (effect === null) return "";
  if ("calls" in effect) return effect.calls.length === 0 ? "(no call needed)" : effect.calls.map(describeCall).join("\n\n");
  if ("file" in effect) return effect.file.diff.includes("@@") ? effect.file.diff : `(${effect.file.path} already says this)`;
  const env = Object.entries(effect.command.env).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${env.join(" ")} sh -c ${JSON.stringify(effect.command.command)}`;
}
