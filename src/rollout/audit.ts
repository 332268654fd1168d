/**
 * The append-only audit log, `.modelgate/canary/<name>/audit.jsonl` (SPEC §12): one line per change —
 * time, decision, window, plan sha256, actuator, the value read before, the value written and the calls
 * made. Records carry no credential (they are built without one) and are masked once more on the way out.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ActuatorSpec, ArmPayload } from "../actuator-types.js";
import { redactSecrets } from "../redact.js";
import type { Effect, Split } from "./actuator.js";

export interface AuditEntry {
  time: string;
  decision: string;
  window: { start: string; end: string } | null;
  plan: string;
  plan_sha256: string;
  actuator: ActuatorSpec;
  before: { split: Split | null; candidate?: ArmPayload | null; baseline?: ArmPayload | null };
  after: Split;
  effect: Effect;
  /** true when the live state was not what modelgate last wrote and --force acted anyway */
  forced: boolean;
  /** what modelgate expected to find (its last write), when `forced` */
  expected?: Split | null;
  /** the change was made by a run that stopped before auditing it; this run found it done */
  recovered?: boolean;
  /** the change failed part-way; `after` is what was read back */
  failed?: string;
}

export function auditPath(stateDir: string): string {
  return join(stateDir, "audit.jsonl");
}

/** Appends one entry as one line (a single write, so a crash leaves at most a torn last line). */
export function appendAudit(stateDir: string, entry: AuditEntry): void {
  mkdirSync(stateDir, { recursive: true });
  const path = auditPath(stateDir);
  // After a torn last line, start on a fresh one so this entry is whole.
  const lead = endsTorn(path) ? "\n" : "";
  appendFileSync(path, `${lead}${redactSecrets(JSON.stringify(entry))}\n`);
}

function endsTorn(path: string): boolean {
  if (!existsSync(path)) return false;
  const size = statSync(path).size;
  if (size === 0) return false;
  const fd = openSync(path, "r");
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** Every whole entry in the log (a torn last line is not an entry). */
export function readAudit(stateDir: string): AuditEntry[] {
  const path = auditPath(stateDir);
  if (!existsSync(path)) return [];
  const entries: AuditEntry[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      entries.push(JSON.parse(line) as AuditEntry);
    } catch {
      // torn by a crash mid-write
    }
  }
  return entries;
}
