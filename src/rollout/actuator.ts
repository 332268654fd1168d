/**
 * The one interface every actuator kind implements (SPEC §12), and the normalised split they all read
 * and write. An actuator never decides: it reads the live state, and prepares (without changing
 * anything) the exact calls or file write that move it to a split; `apply.ts` guards, audits and runs them.
 */
import type { ActuatorKind, ActuatorSpec, ArmPayload } from "../actuator-types.js";

/** The split as every kind sees it: `on` is false only where the system has an off switch (Unleash) and it is off. */
export interface Split {
  on: boolean;
  /** integer 0–100: the share of all traffic on the candidate */
  percent: number;
  /** tenant tiers fully on the candidate, sorted */
  tenants: string[];
}

/** What a kind found: null split = nothing there yet (no flag, no file, nothing sent). */
export interface LiveState {
  split: Split | null;
  /** the payloads the system carries (undefined where it carries none, e.g. a webhook) */
  candidate?: ArmPayload | null;
  baseline?: ArmPayload | null;
  /** things that would change the split behind modelgate's back (a foreign Unleash strategy) */
  others: string[];
  /** ids of what modelgate manages inside the system (strategy ids, variation ids), kept in the record */
  ids?: Record<string, string>;
  /** the system's own view, for `status` and the audit log's `before` */
  raw: unknown;
}

/** One HTTP call as the audit log and --dry-run show it: never a credential. */
export interface CallRecord {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** filled after the call ran */
  status?: number;
}

/** A file write as the audit log and --dry-run show it. */
export interface FileChange {
  path: string;
  diff: string;
}

/** A command run as the audit log and --dry-run show it. */
export interface CommandRun {
  command: string;
  env: Record<string, string>;
  exit_code?: number;
}

export type Effect = { calls: CallRecord[] } | { file: FileChange } | { command: CommandRun };

/** Prepared, not yet done: `apply` performs exactly what `effect` shows. */
export interface PreparedChange {
  effect: Effect;
  /** the split `read()` will report once applied */
  after: Split;
  ids?: Record<string, string>;
  apply(): Promise<void>;
}

/** What the orchestrator asks for: a split, plus what the change is for (webhook and command pass it on). */
export interface Desired {
  split: Split;
  decision: string;
  window: { start: string; end: string } | null;
}

export interface ActuatorContext {
  planName: string;
  planSha256: string;
  baseline: ArmPayload;
  candidate: ArmPayload;
  env: NodeJS.ProcessEnv;
  fetch: typeof fetch;
  /** ids remembered from modelgate's last write to this system */
  ids: Record<string, string>;
  /** the split modelgate last wrote (kinds that cannot be read report this) */
  lastWritten: Split | null;
}

export interface Actuator {
  readonly kind: ActuatorKind;
  /** false when the system cannot be read back (webhook, command): the record stands in for it */
  readonly readable: boolean;
  /** one line naming the system: `unleash http://…/features/x in production` */
  readonly describe: string;
  read(): Promise<LiveState>;
  prepare(live: LiveState, desired: Desired): Promise<PreparedChange>;
}

export type ActuatorFactory<K extends ActuatorKind> = (spec: Extract<ActuatorSpec, { kind: K }>, context: ActuatorContext) => Actuator;
