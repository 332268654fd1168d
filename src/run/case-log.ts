import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { redactSecrets } from "../redact.js";
import type { CaseRecord, CaseReport, CaseRun, CheckRecord, CheckResult, RunRecord } from "../types.js";

interface Span {
  offset: number;
  bytes: number;
}

/**
 * Finished cases, written to a scratch file in the report folder as they finish, so a long run keeps
 * in memory only each case's record (what aggregation and the summaries read: statuses, scores,
 * latencies), not what the model wrote. Each line is the case exactly as report.json will carry it,
 * already redacted, so report.json is written by copying lines back in dataset order.
 * The file is removed by `dispose()`; one left by a killed process is a dot-file beside the report.
 */
export class CaseLog {
  readonly path: string;
  private readonly fd: number;
  /** where each record's line is: its index into `offsets` and `sizes` (numbers, not an object per case) */
  private readonly lines = new Map<CaseRecord, number>();
  private readonly offsets: number[] = [];
  private readonly sizes: number[] = [];
  private size = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private readonly shared = new SharedRecordValues();
  private readBuffer = Buffer.allocUnsafe(1 << 16);

  constructor(directory: string) {
    this.path = join(directory, `.cases.${randomBytes(4).toString("hex")}.jsonl.tmp`);
    this.fd = openSync(this.path, "w+");
  }

  /** Writes the case out and returns its record (what the run keeps of it). */
  append(report: CaseReport): CaseRecord {
    const line = `${redactSecrets(JSON.stringify(report))}\n`;
    const bytes = Buffer.byteLength(line);
    const record = recordOf(report, this.shared);
    this.lines.set(record, this.offsets.length);
    this.offsets.push(this.size);
    this.sizes.push(bytes);
    this.size += bytes;
    this.pending.push(line);
    this.pendingBytes += bytes;
    // Batched: one write per ~256 KB rather than one per case.
    if (this.pendingBytes >= 1 << 18) this.flush();
    return record;
  }

  /** report.json's line for a case (JSON of the full case, no newline). */
  json(record: CaseRecord): string {
    const span = this.spanOf(record);
    this.flush();
    // One buffer reused for every read: writing report.json reads every line once, and a fresh buffer
    // per line was ~200 MB of garbage outside the heap at 100,000 cases.
    if (this.readBuffer.length < span.bytes) this.readBuffer = Buffer.allocUnsafe(Math.max(span.bytes, 2 * this.readBuffer.length));
    const buffer = this.readBuffer;
    let read = 0;
    while (read < span.bytes) {
      const n = readSync(this.fd, buffer, read, span.bytes - read, span.offset + read);
      if (n === 0) throw new Error(`internal: case log ${this.path} is shorter than expected`);
      read += n;
    }
    return buffer.toString("utf8", 0, span.bytes - 1);
  }

  /** The full case behind a record. */
  full(record: CaseRecord): CaseReport {
    return JSON.parse(this.json(record)) as CaseReport;
  }

  /** Closes and deletes the scratch file. */
  dispose(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.path, { force: true });
  }

  private spanOf(record: CaseRecord): Span {
    const line = this.lines.get(record);
    if (line === undefined) throw new Error(`internal: case ${record.id} is not in the case log`);
    return { offset: this.offsets[line] as number, bytes: this.sizes[line] as number };
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(""));
    this.pending = [];
    this.pendingBytes = 0;
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd, chunk, written, chunk.length - written, this.size - chunk.length + written);
  }
}

/**
 * A case without what the model and the dataset wrote: the part of it a run keeps in memory. `shared`
 * is the run's `SharedRecordValues`, so alike parts of records are kept once.
 */
export function recordOf(report: CaseReport, shared: SharedRecordValues = new SharedRecordValues()): CaseRecord {
  return {
    id: report.id,
    ...(report.line !== undefined ? { line: report.line } : {}),
    tags: shared.tags(report.tags),
    baseline: report.baseline.map((run) => shared.runRecord(run)),
    candidate: report.candidate.map((run) => shared.runRecord(run)),
    outcome: report.outcome,
    ...(report.flaky !== undefined ? { flaky: report.flaky } : {}),
  };
}

/** Past this many distinct values of a kind (scores that vary case by case, say), further ones are kept per record. */
const maxSharedValues = 4096;

type ValueKind = "pass" | "checks" | "agreement" | "tags" | "model" | "fingerprint" | "usage";

/**
 * The parts that many records of a run hold alike: a passed check's result (its reason stays in the
 * case log), a draw's checks made only of such results, an agreement, tags, the served model's name,
 * token counts.
 * Each is kept once and shared, frozen, by every record that has it; a 100,000-case run's records hold
 * about half as much.
 */
export class SharedRecordValues {
  private readonly values = new Map<ValueKind, Map<string, unknown>>();

  runRecord(run: CaseRun): RunRecord {
    const {
      output: _output,
      tool_calls: _toolCalls,
      refusal: _refusal,
      ...record
    }: RunRecord & Partial<Pick<CaseRun, "output" | "tool_calls" | "refusal">> = run;
    // Assigned into the rest object, not spread into a new literal: `{ ...record, checks, ...(agreement
    // ? { agreement } : {}) }` measured ~3.5× the size (V8 left it in dictionary mode).
    record.checks = this.checks(run.checks);
    const { usage } = run;
    // A copy is shared, not the report's own object (`share` freezes what it keeps).
    if (usage) {
      const key = `${usage.input_tokens} ${usage.output_tokens} ${usage.cached_input_tokens} ${usage.cache_write_tokens} ${usage.reasoning_tokens}`;
      record.usage = this.share("usage", key, { ...usage });
    }
    if (run.served_model !== undefined) record.served_model = this.share("model", run.served_model, run.served_model);
    if (run.system_fingerprint !== undefined) record.system_fingerprint = this.share("fingerprint", run.system_fingerprint, run.system_fingerprint);
    if (run.agreement) record.agreement = this.share("agreement", `${run.agreement.tool_calls} ${run.agreement.output_json}`, run.agreement);
    return record;
  }

  /** A case's tags (datasets carry a few combinations of them). */
  tags(tags: string[]): string[] {
    return this.share("tags", JSON.stringify(tags), tags);
  }

  private checks(checks: Record<string, CheckResult>): Record<string, CheckRecord> {
    const kept: Record<string, CheckRecord> = {};
    let key: string | undefined = "";
    for (const [id, result] of Object.entries(checks)) {
      if (result.status === "pass") {
        const { reason: _reason, ...passed } = result;
        const resultKey = `${result.score} ${result.pairwise} ${result.judge_asked}`;
        kept[id] = this.share("pass", resultKey, passed);
        if (key !== undefined) key += `\u0000${id}\u0000${resultKey}`;
      } else {
        kept[id] = result;
        key = undefined;
      }
    }
    return key === undefined ? kept : this.share("checks", key, kept);
  }

  /**
   * The run's one copy of a value of this kind with this key (`value` itself, frozen, if it is the
   * first). Each kind has its own budget, so token counts that differ case by case cannot use up the
   * room that tags and passed checks need.
   */
  private share<T>(kind: ValueKind, key: string, value: T): T {
    let values = this.values.get(kind);
    if (!values) {
      values = new Map();
      this.values.set(kind, values);
    }
    const earlier = values.get(key);
    if (earlier !== undefined) return earlier as T;
    if (values.size >= maxSharedValues) return value;
    values.set(key, typeof value === "object" && value !== null ? Object.freeze(value) : value);
    return value;
  }
}
