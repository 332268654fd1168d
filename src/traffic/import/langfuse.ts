/**
 * A Langfuse observations export as JSON lines: the public API's `Observation` objects (camelCase:
 * `traceId`, `startTime`, `completionStartTime`, `modelParameters`, `usageDetails`, `statusMessage` —
 * Langfuse's OpenAPI spec, api/public/observations) or the blob-storage / UI export with the database's
 * snake_case columns (`trace_id`, `start_time`, `completion_start_time`, `provided_model_name`,
 * `model_parameters`, `usage_details`, `status_message`, JSON stored as text). Only `type: GENERATION`
 * rows are model calls; spans and events are dropped (counted). A generation's `input` is the messages
 * (or `{messages, tools}`), its `output` the assistant message (or text); `level: ERROR` is a failure.
 */
import type { JsonValue } from "../../types.js";
import type { TrafficArm } from "../types.js";
import {
  answerToolCalls,
  chatMessages,
  chatParams,
  chatToolChoice,
  chatTools,
  completionAnswer,
  contentText,
  trafficError,
  usageOf,
} from "./chat.js";
import { asNumber, asObject, asString, maybeJson, readPath } from "./json-path.js";
import { readJsonLines } from "./jsonl.js";
import type { FormatReader, ImportRecord, ReaderSink } from "./types.js";

export const langfuse: FormatReader = {
  neverRecorded: [],
  async read(files: string[], sink: ReaderSink): Promise<void> {
    for (const file of files) {
      const report = sink.report(file);
      await readJsonLines(file, sink, (value, line) => {
        report.read++;
        const row = asObject(value);
        if (!row) return sink.drop(report, line, "not a JSON object");
        const type = asString(row.type);
        if (type !== "GENERATION") return sink.drop(report, line, `type ${type ?? "(none)"} is not GENERATION`);
        const parsed = fromObservation(row, file, line);
        if (typeof parsed === "string") return sink.drop(report, line, parsed);
        report.dialects.add(
          row.traceId !== undefined || row.startTime !== undefined ? "observations (API, camelCase)" : "observations (export, snake_case)",
        );
        sink.record(parsed, report);
      });
    }
  },
};

/** A field under either spelling. */
function pick(row: Record<string, JsonValue>, camel: string, snake: string): JsonValue | undefined {
  return row[camel] ?? row[snake] ?? undefined;
}

/** ISO 8601, or ClickHouse's `2024-06-12 10:15:03.120` (UTC), → epoch ms. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value > 1e12 ? value : value * 1000;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  let text = value.trim().replace(" ", "T");
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text)) text += "Z";
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function fromObservation(row: Record<string, JsonValue>, file: string, line: number): ImportRecord | string {
  const input = maybeJson(row.input);
  const inputObject = asObject(input);
  const messages =
    typeof input === "string" ? [{ role: "user", content: input }] : chatMessages(Array.isArray(input) ? input : inputObject?.messages);
  if (!messages) return "input has no chat messages";
  const start = parseTimestamp(pick(row, "startTime", "start_time"));
  if (start === undefined) return "no startTime";
  const end = parseTimestamp(pick(row, "endTime", "end_time"));
  const firstToken = parseTimestamp(pick(row, "completionStartTime", "completion_start_time"));
  const model = asString(pick(row, "model", "provided_model_name")) ?? "";
  const modelParameters = asObject(maybeJson(pick(row, "modelParameters", "model_parameters"))) ?? {};
  // Langfuse stores parameters as strings ("0.2", "512"); numbers are given back as numbers.
  const paramsIn: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(modelParameters))
    paramsIn[key] = typeof value === "string" && asNumber(value) !== undefined ? Number(value) : value;
  const params = chatParams(paramsIn);
  const tools = chatTools(inputObject?.tools ?? modelParameters.tools);
  const toolChoiceRaw = inputObject?.tool_choice ?? modelParameters.tool_choice;
  const toolChoice = toolChoiceRaw !== undefined ? chatToolChoice(toolChoiceRaw) : undefined;

  const arm: TrafficArm = { model, output: null, error: null };
  if (end !== undefined && end >= start) arm.latency_ms = end - start;
  if (firstToken !== undefined && firstToken >= start) arm.ttft_ms = firstToken - start;
  const usage = usageOf(maybeJson(pick(row, "usageDetails", "usage_details"))) ?? usageOf(row.usage);
  if (usage) arm.usage = usage;
  if (row.level === "ERROR") {
    arm.error = trafficError(undefined, "", asString(pick(row, "statusMessage", "status_message")) ?? "failed");
  } else {
    const output = maybeJson(row.output);
    if (output === null || output === undefined) return "no output";
    if (typeof output === "string") {
      arm.output = output;
      arm.tool_calls = [];
    } else {
      const object = asObject(output);
      const answer =
        completionAnswer(output) ?? (object ? { output: contentText(object.content), tool_calls: answerToolCalls(object.tool_calls) } : undefined);
      if (!answer) return "output is not a message";
      arm.output = answer.output;
      arm.tool_calls = answer.tool_calls;
    }
  }
  const traceId = asString(pick(row, "traceId", "trace_id"));
  const id = asString(row.id);
  const joinKey = traceId ?? id;
  if (!joinKey) return "no traceId or id";
  const promptName = asString(pick(row, "promptName", "prompt_name"));
  const promptVersion = pick(row, "promptVersion", "prompt_version");
  return {
    file,
    line,
    joinKey,
    ...(id !== undefined ? { recordId: id } : {}),
    ts: start,
    request: {
      messages,
      ...(tools ? { tools } : {}),
      ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
      ...(params ? { params } : {}),
    },
    arm,
    models: [model],
    ...(promptName ? { prompt: { name: promptName, ...(promptVersion != null ? { version: String(promptVersion) } : {}) } } : {}),
    field: (path) => readPath(row, path) ?? readPath({ ...row, metadata: maybeJson(row.metadata) }, path),
  };
}
