/**
 * What every format reader hands the import pipeline: one `ImportRecord` per source record (a LiteLLM
 * payload, a Batch output line, a span, a Langfuse generation), already in traffic shapes, plus the
 * per-file counts the report prints. Readers know their format; the pipeline knows arms, joins,
 * selection and writing (src/traffic/import/pipeline.ts).
 */
import type { JsonValue } from "../../types.js";
import type { TrafficArm, TrafficLine } from "../types.js";

/** One source record, normalised. Measurements the source lacks are absent from `arm`, never invented. */
export interface ImportRecord {
  /** where it came from, for messages (`file:line`) */
  file: string;
  line: number;
  /** the request identity mirrored records share: Batch `custom_id`, LiteLLM/Langfuse `trace_id`, OTel `traceId` */
  joinKey: string;
  /** this record's own id (LiteLLM `id`, a span id, an observation id), when it has one */
  recordId?: string;
  /** when the request arrived, epoch milliseconds */
  ts: number;
  request: TrafficLine["request"];
  arm: TrafficArm;
  /** the model ids `--arm-by model` matches: the one asked for and the one that answered */
  models: string[];
  /** false for a mirrored call whose answer the user never saw (LiteLLM's `is_silent_experiment`) */
  served?: boolean;
  prompt?: TrafficLine["prompt"];
  /** reads a dotted path (or, for OTel, an attribute name) of the source record, for `--arm-by` and `--tag` */
  field(path: string): JsonValue | undefined;
}

/** What one input file contributed, printed after the import. */
export interface FileReport {
  file: string;
  /** the dialect recognised, e.g. "StandardLoggingPayload", "OTLP JSON, gen_ai.input.messages (semconv >= 1.37)" */
  dialects: Set<string>;
  /** source records read (lines, spans, …) */
  read: number;
  /** records handed on as traffic arms */
  imported: number;
  /** dropped records by reason */
  dropped: Map<string, number>;
  /** one location per drop reason, for --strict */
  firstDrop: Map<string, number>;
  /** imported records that carry each measurement (latency, ttft, usage, status, params) */
  present: Record<string, number>;
}

/** Callbacks a reader reports through. */
export interface ReaderSink {
  record(record: ImportRecord, report: FileReport): void;
  drop(report: FileReport, line: number, reason: string): void;
  /** a line that is not what the format writes (bad JSON in mid-file): an input error, exit 2 */
  unreadable(file: string, line: number, message: string): void;
  warn(message: string): void;
  report(file: string): FileReport;
}

/** A format: reads its files (all of them: some formats join across files) and reports each record. */
export interface FormatReader {
  /** the fields this format never records, printed as "latency: absent in openai-batch" */
  neverRecorded: readonly string[];
  read(files: string[], sink: ReaderSink): Promise<void>;
}

export function newFileReport(file: string): FileReport {
  return { file, dialects: new Set(), read: 0, imported: 0, dropped: new Map(), firstDrop: new Map(), present: {} };
}
