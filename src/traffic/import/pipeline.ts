/**
 * `modelgate import` (SPEC §9): a format reader streams records; each is filtered by time, given an arm
 * (`--arm-by` / `--arm`) and tags (`--tag`), joined with its mirror (join.ts), built into a traffic line
 * (line.ts) and written as it is made — or, with `--dedupe` / `--sample`, to a scratch file first
 * (select.ts). Memory: the join's pending requests, the set of ids written (to keep them unique, ~100
 * bytes a line) and, when selecting, an index entry a line; never the records themselves.
 */

import { formatIssue } from "../../errors.js";
import { readLines } from "../../read-lines.js";
import type { Issue } from "../../types.js";
import type { TrafficArmName, TrafficLine } from "../types.js";
import { type JoinedRequest, Joiner } from "./join.js";
import { tagText } from "./json-path.js";
import { buildLine, lineText } from "./line.js";
import { type IndexedLine, requestHash, sampleKey, selectLines } from "./select.js";
import { type FileReport, type FormatReader, type ImportRecord, newFileReport, type ReaderSink } from "./types.js";
import { BufferedFile } from "./writer.js";

export interface ImportOptions {
  format: string;
  files: string[];
  out: string;
  /** `model` (the ids asked for and served) or a dotted path into the source record */
  armBy: string;
  arms: Partial<Record<TrafficArmName, string>>;
  tags: { name: string; path: string }[];
  since?: number;
  until?: number;
  sample?: number;
  seed: number;
  dedupe: boolean;
  redact: boolean;
  strict: boolean;
}

/** Measurements counted per file, for the "absent" lines of the report. */
export const measuredFields = ["latency", "ttft", "usage", "status", "params"] as const;
type MeasuredField = (typeof measuredFields)[number];

export interface ImportResult {
  files: FileReport[];
  warnings: string[];
  /** lines written; requests with both arms among them */
  written: number;
  paired: number;
  duplicates: number;
  sampledOut: number;
  /** the first 200 drops with their location, for --strict; `dropCount` counts them all */
  drops: Issue[];
  dropCount: number;
  unreadable: Issue[];
}

/** Runs an import. Unreadable input and, with --strict, drops come back in the result; the output is written only without them. */
export async function runImport(reader: FormatReader, options: ImportOptions): Promise<ImportResult> {
  const reports = new Map<string, FileReport>();
  const result: ImportResult = {
    files: [],
    warnings: [],
    written: 0,
    paired: 0,
    duplicates: 0,
    sampledOut: 0,
    drops: [],
    dropCount: 0,
    unreadable: [],
  };
  const selecting = options.dedupe || options.sample !== undefined;
  const output = new BufferedFile(options.out);
  const scratch = selecting ? new BufferedFile(`${options.out}.lines`) : undefined;
  const index: IndexedLine[] = [];
  const writtenIds = new Set<string>();
  const armValues = Object.entries(options.arms) as [TrafficArmName, string][];

  const reportFor = (file: string) => {
    let report = reports.get(file);
    if (!report) {
      report = newFileReport(file);
      for (const field of measuredFields) report.present[field] = 0;
      reports.set(file, report);
    }
    return report;
  };

  const emit = (request: JoinedRequest) => {
    const record = request.arms.baseline ?? request.arms.candidate;
    if (!record) return;
    const times = Object.values(request.arms).flatMap((arm) => (arm && Number.isFinite(arm.ts) ? [arm.ts] : []));
    if (times.length === 0) {
      for (const arm of Object.values(request.arms))
        if (arm) sink.drop(sink.report(arm.file), arm.line, "no timestamp (a Batch error line has no response `created`)");
      return;
    }
    let id = request.joinKey;
    if (writtenIds.has(id)) {
      id = `${request.joinKey}:${record.recordId ?? `${record.line}`}`;
      for (let n = 2; writtenIds.has(id); n++) id = `${request.joinKey}:${record.recordId ?? record.line}:${n}`;
    }
    writtenIds.add(id);
    const line = buildLine(request, options.format, id, options.redact);
    const text = lineText(line);
    result.written++;
    if (line.arms.baseline && line.arms.candidate) result.paired++;
    if (scratch) {
      scratch.write(text);
      index.push({
        ts: Date.parse(line.ts),
        stratum: (line.tags ?? []).join("\u0000"),
        requestHash: requestHash(line.request),
        sampleKey: sampleKey(options.seed, id),
      });
    } else output.write(text);
  };
  const joiner = new Joiner(armValues.length === 2, emit);

  const sink: ReaderSink = {
    report: reportFor,
    warn: (message) => result.warnings.push(message),
    unreadable: (file, line, message) => {
      if (result.unreadable.length < 200) result.unreadable.push({ file, ...(line > 0 ? { line } : {}), message });
    },
    drop: (report, line, reason) => {
      report.dropped.set(reason, (report.dropped.get(reason) ?? 0) + 1);
      if (!report.firstDrop.has(reason)) report.firstDrop.set(reason, line);
      result.dropCount++;
      if (result.drops.length < 200) result.drops.push({ file: report.file, line, message: `dropped: ${reason}` });
    },
    record: (record, report) => {
      // A record without a time (a Batch error line) is judged by its joined line's time, or dropped with it.
      if (options.since !== undefined && record.ts < options.since) return sink.drop(report, record.line, "before --since");
      if (options.until !== undefined && record.ts > options.until) return sink.drop(report, record.line, "after --until");
      const arm = chooseArm(record, options.armBy, armValues);
      if (!arm) return sink.drop(report, record.line, `--arm-by ${options.armBy}: matches no --arm value`);
      const tags: string[] = [];
      for (const { name, path } of options.tags) {
        const value = tagText(record.field(path));
        if (value !== undefined) tags.push(`${name}:${value}`);
      }
      report.imported++;
      countPresent(report.present, record);
      joiner.add(record, arm, tags);
    },
  };

  try {
    await reader.read(options.files, sink);
    joiner.flush();
    result.files = options.files.map(reportFor);
    if (result.unreadable.length > 0 || (options.strict && result.dropCount > 0)) {
      output.discard();
      scratch?.discard();
      return result;
    }
    if (scratch) {
      scratch.close();
      const selection = selectLines(index, { dedupe: options.dedupe, ...(options.sample !== undefined ? { sample: options.sample } : {}) });
      result.duplicates = selection.duplicates;
      result.sampledOut = selection.sampledOut;
      result.written = selection.keep.size;
      result.paired = 0;
      await readLines(scratch.temp, (text, lineNumber) => {
        if (!selection.keep.has(lineNumber - 1)) return;
        output.write(`${text}\n`);
        if (text.includes('"baseline":{') && text.includes('"candidate":{')) result.paired++;
      });
      scratch.discard();
    }
    output.commit();
    return result;
  } catch (error) {
    output.discard();
    scratch?.discard();
    throw error;
  }
}

/** The arm a record belongs to: every record is a baseline without --arm; else the first --arm its field matches. */
function chooseArm(record: ImportRecord, armBy: string, arms: [TrafficArmName, string][]): TrafficArmName | undefined {
  if (arms.length === 0) return "baseline";
  const values = armBy === "model" ? record.models : [tagText(record.field(armBy))].filter((v): v is string => v !== undefined);
  const matches = arms.filter(([, wanted]) => values.includes(wanted)).map(([arm]) => arm);
  if (matches.length <= 1) return matches[0];
  // Both arms name the same value (one model mirrored to itself): the unserved copy is the candidate.
  return record.served === false ? "candidate" : "baseline";
}

function countPresent(present: Record<string, number>, record: ImportRecord): void {
  const has: Record<MeasuredField, boolean> = {
    latency: record.arm.latency_ms !== undefined,
    ttft: record.arm.ttft_ms !== undefined,
    usage: record.arm.usage !== undefined && record.arm.usage !== null,
    status: record.arm.status !== undefined,
    params: record.request.params !== undefined,
  };
  for (const field of measuredFields) if (has[field]) present[field] = (present[field] ?? 0) + 1;
}

/** The issues of a failed import as text lines (file:line: message). */
export function issueLines(issues: Issue[], max = 50): string[] {
  const shown = issues.slice(0, max).map(formatIssue);
  if (issues.length > max) shown.push(`… and ${issues.length - max} more`);
  return shown;
}

export type { TrafficLine };
