/**
 * OpenTelemetry GenAI spans as OTLP JSON lines (otlp.ts), in any of the three dialects of
 * otel-messages.ts. A span that carries its messages as attributes (≥ 1.37, OpenLLMetry) is complete on
 * its own; one whose messages are log events (≤ 1.36) waits for its events — which the logs exporter may
 * write to another file, before or after the span — and is completed when all files are read. Both
 * waiting maps are bounded (`maxWaiting` spans and event groups); past it the oldest span is completed
 * with the events it has. Spans that are not GenAI chat calls (HTTP, DB, …) are not records and are skipped.
 */
import type { JsonObject, JsonValue } from "../../types.js";
import type { TrafficArm } from "../types.js";
import { trafficError, usageOf } from "./chat.js";
import { asNumber, asObject, asString, readPath } from "./json-path.js";
import { readJsonLines } from "./jsonl.js";
import { type DecodedChat, decodeEvents, decodeFlattened, decodeSemconvMessages, hasFlattened, isChatEvent } from "./otel-messages.js";
import { logsOf, nanosToMs, type OtlpSpan, spansOf } from "./otlp.js";
import type { FileReport, FormatReader, ImportRecord, ReaderSink } from "./types.js";

export const maxWaiting = 100_000;

const dialects = {
  messages: "gen_ai.input.messages / gen_ai.output.messages (semconv >= 1.37)",
  events: "gen_ai.*.message / gen_ai.choice log events (semconv <= 1.36)",
  flattened: "gen_ai.prompt.N / gen_ai.completion.N attributes (OpenLLMetry)",
};

interface WaitingSpan {
  otlp: OtlpSpan;
  file: string;
  line: number;
  report: FileReport;
}

export const otel: FormatReader = {
  neverRecorded: ["ttft"],
  async read(files: string[], sink: ReaderSink): Promise<void> {
    const waiting = new Map<string, WaitingSpan>();
    const events = new Map<string, { name: string; body: JsonValue; at: number }[]>();
    const complete = (key: string, span: WaitingSpan) => {
      waiting.delete(key);
      const found = events.get(key) ?? [];
      events.delete(key);
      found.sort((a, b) => a.at - b.at);
      if (found.length > 0) span.report.dialects.add(dialects.events);
      finish(span, decodeEvents(found), sink);
    };
    for (const file of files) {
      const report = sink.report(file);
      await readJsonLines(file, sink, (value, line) => {
        const request = asObject(value);
        if (!request) return sink.unreadable(file, line, "not an OTLP JSON object (expected {resourceSpans: …} or {resourceLogs: …})");
        if (request.resourceSpans === undefined && request.resourceLogs === undefined) {
          return sink.unreadable(file, line, "neither resourceSpans nor resourceLogs: not the OTLP JSON file format");
        }
        for (const otlp of spansOf(request)) {
          if (!isGenAiSpan(otlp.attrs)) continue;
          report.read++;
          const operation = asString(otlp.attrs["gen_ai.operation.name"]);
          if (operation !== undefined && operation !== "chat" && operation !== "text_completion" && operation !== "generate_content") {
            sink.drop(report, line, `gen_ai.operation.name ${operation} is not chat`);
            continue;
          }
          const key = spanKey(otlp.span);
          const span = { otlp, file, line, report };
          if (otlp.attrs["gen_ai.input.messages"] !== undefined) {
            report.dialects.add(dialects.messages);
            const decoded = decodeSemconvMessages(otlp.attrs);
            if (!decoded) sink.drop(report, line, "gen_ai.input.messages is not a JSON list");
            else finish(span, decoded, sink);
          } else if (hasFlattened(otlp.attrs)) {
            report.dialects.add(dialects.flattened);
            finish(span, decodeFlattened(otlp.attrs), sink);
          } else {
            // Span events (older SDKs put the message events on the span itself).
            for (const event of Array.isArray(otlp.span.events) ? otlp.span.events : []) {
              const object = asObject(event);
              const name = asString(object?.name) ?? "";
              if (!object || !isChatEvent(name)) continue;
              const attrs = attributesOf(object.attributes);
              addEvent(events, key, { name, body: attrs, at: nanosToMs(object.timeUnixNano) ?? 0 });
            }
            waiting.set(key, span);
            if (waiting.size > maxWaiting) {
              const oldest = waiting.entries().next().value;
              if (oldest) complete(oldest[0], oldest[1]);
            }
          }
        }
        for (const log of logsOf(request)) {
          if (!isChatEvent(log.name)) continue;
          const key = `${asString(log.log.traceId) ?? ""}:${asString(log.log.spanId) ?? ""}`;
          addEvent(events, key, { name: log.name, body: log.body, at: nanosToMs(log.log.timeUnixNano) ?? 0 });
          if (events.size > maxWaiting) events.delete(events.keys().next().value as string);
        }
      });
    }
    for (const [key, span] of [...waiting]) complete(key, span);
  },
};

function addEvent(
  events: Map<string, { name: string; body: JsonValue; at: number }[]>,
  key: string,
  event: { name: string; body: JsonValue; at: number },
) {
  const list = events.get(key);
  if (list) list.push(event);
  else events.set(key, [event]);
}

function attributesOf(list: unknown): JsonObject {
  const out: JsonObject = {};
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const entry = asObject(item);
    const value = asObject(entry?.value);
    if (entry && typeof entry.key === "string" && value)
      out[entry.key] = (value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? null) as JsonValue;
  }
  return out;
}

function isGenAiSpan(attrs: JsonObject): boolean {
  return attrs["gen_ai.request.model"] !== undefined || attrs["gen_ai.operation.name"] !== undefined || attrs["gen_ai.system"] !== undefined;
}

function spanKey(span: JsonObject): string {
  return `${asString(span.traceId) ?? ""}:${asString(span.spanId) ?? ""}`;
}

const paramAttributes: Record<string, string> = {
  "gen_ai.request.temperature": "temperature",
  "gen_ai.request.max_tokens": "max_tokens",
  "gen_ai.request.top_p": "top_p",
  "gen_ai.request.frequency_penalty": "frequency_penalty",
  "gen_ai.request.presence_penalty": "presence_penalty",
  "gen_ai.request.stop_sequences": "stop",
  "gen_ai.request.seed": "seed",
};

function finish(waiting: WaitingSpan, decoded: DecodedChat, sink: ReaderSink): void {
  const record = toRecord(waiting, decoded);
  if (typeof record === "string") sink.drop(waiting.report, waiting.line, record);
  else sink.record(record, waiting.report);
}

function toRecord({ otlp, file, line }: WaitingSpan, decoded: DecodedChat): ImportRecord | string {
  const { span, attrs, resource } = otlp;
  if (decoded.messages.length === 0) return "no messages recorded (content capture off?)";
  const start = nanosToMs(span.startTimeUnixNano);
  if (start === undefined) return "no startTimeUnixNano";
  const end = nanosToMs(span.endTimeUnixNano);
  const asked = asString(attrs["gen_ai.request.model"]) ?? "";
  const served = asString(attrs["gen_ai.response.model"]);
  const arm: TrafficArm = { model: served ?? asked, output: null, error: null };
  if (end !== undefined && end >= start) arm.latency_ms = Math.round((end - start) * 1000) / 1000;
  const usage =
    usageOf({ input_tokens: attrs["gen_ai.usage.input_tokens"], output_tokens: attrs["gen_ai.usage.output_tokens"] }) ??
    usageOf({ prompt_tokens: attrs["gen_ai.usage.prompt_tokens"], completion_tokens: attrs["gen_ai.usage.completion_tokens"] });
  if (usage) arm.usage = usage;
  const status = asNumber(attrs["http.response.status_code"] ?? attrs["http.status_code"]);
  if (status !== undefined) arm.status = status;
  const statusCode = asObject(span.status)?.code;
  if (statusCode === 2 || statusCode === "STATUS_CODE_ERROR") {
    arm.error = trafficError(status, asString(attrs["error.type"]) ?? "", asString(asObject(span.status)?.message) ?? "");
  } else if (decoded.answer) {
    arm.output = decoded.answer.output;
    arm.tool_calls = decoded.answer.tool_calls;
  } else return "no output recorded";
  const params: JsonObject = {};
  for (const [attribute, name] of Object.entries(paramAttributes)) if (attrs[attribute] !== undefined) params[name] = attrs[attribute] as JsonValue;
  const traceId = asString(span.traceId) ?? "";
  const spanId = asString(span.spanId);
  if (traceId === "") return "no traceId";
  return {
    file,
    line,
    joinKey: traceId,
    ...(spanId !== undefined ? { recordId: spanId } : {}),
    ts: start,
    request: {
      messages: decoded.messages,
      ...(decoded.tools ? { tools: decoded.tools } : {}),
      ...(Object.keys(params).length > 0 ? { params } : {}),
    },
    arm,
    models: [asked, ...(served ? [served] : [])],
    // `--tag tenant=app.tenant`: a span attribute name (dots and all), then a resource attribute, then a path.
    field: (path) => attrs[path] ?? resource[path] ?? readPath(span, path),
  };
}
