/**
 * What modelgate last wrote to the actuator's system, kept beside the canary state
 * (`.modelgate/canary/<name>/rollout.json`). The guard compares the live state with `written`; `pending`
 * is set before a change is made and cleared after it is audited, so a crash in between is recovered on
 * the next run by reading the live state (SPEC §11: the audit log and state say what was done).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import type { Effect, Split } from "./actuator.js";
import { writeAtomically } from "./file-change.js";

export interface PendingChange {
  decision: string;
  window: { start: string; end: string } | null;
  before: Split | null;
  after: Split;
  effect: Effect;
  forced: boolean;
  started_at: string;
}

export interface RolloutRecord {
  version: 1;
  /** which system this record is about (kind + where): a plan pointed elsewhere starts afresh */
  actuator: string;
  written: Split | null;
  written_at: string | null;
  ids: Record<string, string>;
  pending: PendingChange | null;
  /** `<decision>@<window start>` of the last decisions acted on, so a restart does not act twice */
  done: string[];
}

const keepDone = 200;

export function recordPath(stateDir: string): string {
  return join(stateDir, "rollout.json");
}

export function readRecord(stateDir: string, actuator: string): RolloutRecord {
  const path = recordPath(stateDir);
  const fresh: RolloutRecord = { version: 1, actuator, written: null, written_at: null, ids: {}, pending: null, done: [] };
  if (!existsSync(path)) return fresh;
  let parsed: RolloutRecord;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as RolloutRecord;
  } catch (error) {
    throw new UserError(
      `${path}: not valid JSON (${(error as Error).message}); it records what modelgate last wrote — restore it or delete it and use --force`,
      3,
    );
  }
  if (parsed.actuator !== actuator) return fresh;
  return { ...fresh, ...parsed };
}

export function writeRecord(stateDir: string, record: RolloutRecord): void {
  mkdirSync(stateDir, { recursive: true });
  writeAtomically(recordPath(stateDir), `${JSON.stringify({ ...record, done: record.done.slice(-keepDone) }, null, 2)}\n`);
}

export function decisionKey(decision: string, window: { start: string } | null): string | undefined {
  return window ? `${decision}@${window.start}` : undefined;
}
