/**
 * Acting on the traffic split (SPEC §12), for `modelgate rollout` and `canary run` alike: read the live
 * state, guard it against what modelgate last wrote and against the plan's payloads, prepare the change,
 * then (unless --dry-run) mark it pending, make it, audit it and record it.
 */

import type { RolloutTarget } from "../actuator-types.js";
import type { Desired, Effect, LiveState, Split } from "./actuator.js";
import { type AuditEntry, appendAudit } from "./audit.js";
import { actuatorIdentity, createActuator } from "./index.js";
import { describePayload, samePayload } from "./payload.js";
import type { RolloutPlan } from "./plan.js";
import { decisionKey, type RolloutRecord, readRecord, writeRecord } from "./record.js";
import { refusal } from "./refusal.js";
import { describeSplit, makeSplit, sameSplit } from "./split.js";
import { checkPercent, checkTenants } from "./validate.js";

/** `start`: `canary run` putting the split where the canary's current stage wants it, before any window decided. */
export type Decision = "promote" | "hold" | "rollback" | "complete" | "set" | "start";

export interface ApplyOptions {
  plan: RolloutPlan;
  decision: Decision;
  /** the canary window the decision closes; null for a person's `rollout set|rollback` */
  window: { start: string; end: string } | null;
  /** where promote/set moves the split; ignored by rollback, hold and complete */
  target?: RolloutTarget;
  dryRun?: boolean;
  force?: boolean;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface ApplyResult {
  /** applied: changed and audited; dry-run: nothing changed; none: hold/complete; already-done: this window's decision was acted on before */
  status: "applied" | "dry-run" | "none" | "already-done";
  before: LiveState | null;
  after: Split | null;
  effect: Effect | null;
  forced: boolean;
  /** the audit line written (applied, or a recovered change) */
  audit: AuditEntry[];
}

/** Reads the live state and what modelgate last wrote, for `rollout status`. */
export async function readRollout(plan: RolloutPlan, env: NodeJS.ProcessEnv, fetchImpl: typeof fetch = fetch) {
  const record = readRecord(plan.stateDir, actuatorIdentity(plan.actuator));
  const actuator = createActuator(plan.actuator, context(plan, record, env, fetchImpl));
  const live = await actuator.read();
  return { actuator, live, record, problems: problems(plan, record, live) };
}

/** Applies one decision: the one entry point `rollout set|rollback` and `canary run` share. */
export async function applyDecision(options: ApplyOptions): Promise<ApplyResult> {
  const { plan, decision } = options;
  const now = options.now ?? (() => new Date());
  const audit: AuditEntry[] = [];
  if (decision === "hold" || decision === "complete") return { status: "none", before: null, after: null, effect: null, forced: false, audit };
  const desiredSplit = decision === "rollback" ? makeSplit(false, 0, []) : targetSplit(options.target, plan);
  const identity = actuatorIdentity(plan.actuator);
  let record = readRecord(plan.stateDir, identity);
  const key = decisionKey(decision, options.window);
  if (key !== undefined && record.done.includes(key) && record.pending === null)
    return { status: "already-done", before: null, after: record.written, effect: null, forced: false, audit };

  const fetchImpl = options.fetch ?? fetch;
  let actuator = createActuator(plan.actuator, context(plan, record, options.env, fetchImpl));
  let live = await actuator.read();

  // A run that stopped between making a change and auditing it: the live state says whether it happened.
  if (record.pending !== null && !options.dryRun) {
    const pending = record.pending;
    if (actuator.readable ? sameSplit(live.split, pending.after) : false) {
      const entry = entryOf(plan, now(), pending.decision, pending.window, { split: pending.before }, pending.after, pending.effect, pending.forced);
      entry.recovered = true;
      appendAudit(plan.stateDir, entry);
      audit.push(entry);
      record = finish(record, pending.after, record.ids, decisionKey(pending.decision, pending.window), now());
      writeRecord(plan.stateDir, record);
      if (key !== undefined && decisionKey(pending.decision, pending.window) === key)
        return { status: "already-done", before: live, after: pending.after, effect: pending.effect, forced: pending.forced, audit };
    } else {
      // Not made (or not readable back): forget it and act afresh below; the guard still compares with `written`.
      record = { ...record, pending: null };
      writeRecord(plan.stateDir, record);
    }
    actuator = createActuator(plan.actuator, context(plan, record, options.env, fetchImpl));
    live = await actuator.read();
  }

  const found = problems(plan, record, live);
  if (found.length > 0 && !options.force)
    throw refusal(
      `${actuator.describe}: refusing to change the rollout:\n${found.map((p) => `  - ${p}`).join("\n")}\n(--force acts anyway and records what it found in the audit log)`,
    );
  const forced = found.length > 0;

  const desired: Desired = {
    split: decision === "rollback" ? desiredSplit : keepTenants(desiredSplit, options.target, record, live),
    decision,
    window: options.window,
  };
  const prepared = await actuator.prepare(live, desired);
  if (options.dryRun) return { status: "dry-run", before: live, after: prepared.after, effect: prepared.effect, forced, audit };

  const startedAt = now().toISOString();
  writeRecord(plan.stateDir, {
    ...record,
    pending: { decision, window: options.window, before: live.split, after: prepared.after, effect: prepared.effect, forced, started_at: startedAt },
  });
  const before = { split: live.split, ...payloadsOf(live) };
  try {
    await prepared.apply();
  } catch (error) {
    // Part of the change may have been made: audit what was tried and what is there now, then fail (exit 3).
    const reread = actuator.readable ? await actuator.read().catch(() => null) : null;
    const after = reread?.split ?? record.written ?? desired.split;
    const entry = entryOf(plan, now(), decision, options.window, before, after, prepared.effect, forced);
    entry.failed = (error as Error).message;
    appendAudit(plan.stateDir, entry);
    writeRecord(plan.stateDir, { ...record, written: actuator.readable && reread ? reread.split : record.written, pending: null });
    throw error;
  }
  const entry = entryOf(plan, now(), decision, options.window, before, prepared.after, prepared.effect, forced);
  if (forced) entry.expected = record.written;
  appendAudit(plan.stateDir, entry);
  audit.push(entry);
  writeRecord(plan.stateDir, finish(record, prepared.after, { ...record.ids, ...live.ids, ...prepared.ids }, key, now()));
  return { status: "applied", before: live, after: prepared.after, effect: prepared.effect, forced, audit };
}

/** Why the live state may not be changed: a hand-made change, a foreign rule, payloads not the plan's. */
function problems(plan: RolloutPlan, record: RolloutRecord, live: LiveState): string[] {
  const found: string[] = [];
  if (record.written !== null && live.split !== null && !sameSplit(live.split, record.written))
    found.push(
      `found ${describeSplit(live.split)}, but modelgate last wrote ${describeSplit(record.written)} (${record.written_at}): it was changed by hand`,
    );
  if (record.written !== null && live.split === null)
    found.push(`found nothing there, but modelgate last wrote ${describeSplit(record.written)} (${record.written_at})`);
  for (const other of live.others) found.push(other);
  for (const arm of ["candidate", "baseline"] as const) {
    const value = live[arm];
    if (value === undefined) continue; // the system carries no payload for this arm
    const missingAfterWrite = value === null && record.written !== null;
    if ((value !== null && !samePayload(value, plan[arm])) || missingAfterWrite)
      found.push(`the ${arm} carries ${describePayload(value)}, not the plan's ${describePayload(plan[arm])} (model and prompt must flip together)`);
  }
  return found;
}

function targetSplit(target: RolloutTarget | undefined, plan: RolloutPlan): Split {
  if (!target) throw new Error("applyDecision: a promote/set needs a target");
  return makeSplit(true, checkPercent(target.percent, "percent"), checkTenants(target.tenants, plan.actuator.kind, "tenants"));
}

/** A percentage stage keeps the tenant tiers already on (SPEC §12). */
function keepTenants(split: Split, target: RolloutTarget | undefined, record: RolloutRecord, live: LiveState): Split {
  if (target === undefined || target.tenants.length > 0) return split;
  const current = record.written?.tenants ?? live.split?.tenants ?? [];
  return makeSplit(split.on, split.percent, current);
}

function payloadsOf(live: LiveState) {
  return {
    ...(live.candidate !== undefined ? { candidate: live.candidate } : {}),
    ...(live.baseline !== undefined ? { baseline: live.baseline } : {}),
  };
}

function entryOf(
  plan: RolloutPlan,
  time: Date,
  decision: string,
  window: AuditEntry["window"],
  before: AuditEntry["before"],
  after: Split,
  effect: Effect,
  forced: boolean,
): AuditEntry {
  return {
    time: time.toISOString(),
    decision,
    window,
    plan: plan.name,
    plan_sha256: plan.sha256,
    actuator: plan.actuator,
    before,
    after,
    effect,
    forced,
  };
}

function finish(record: RolloutRecord, written: Split, ids: Record<string, string>, key: string | undefined, at: Date): RolloutRecord {
  return { ...record, written, written_at: at.toISOString(), ids, pending: null, done: key === undefined ? record.done : [...record.done, key] };
}

function context(plan: RolloutPlan, record: RolloutRecord, env: NodeJS.ProcessEnv, fetchImpl: typeof fetch) {
  return {
    planName: plan.name,
    planSha256: plan.sha256,
    baseline: plan.baseline,
    candidate: plan.candidate,
    env,
    fetch: fetchImpl,
    ids: record.ids,
    lastWritten: record.written,
  };
}
