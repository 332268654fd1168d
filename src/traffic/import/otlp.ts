/**
 * The OTLP JSON encoding (opentelemetry-proto, docs/specification.md "JSON Protobuf Encoding"): what the
 * SDKs' file exporters and the Collector's `file` exporter write, one ExportTraceServiceRequest /
 * ExportLogsServiceRequest per line. Ids are hex strings, 64-bit integers may be strings, values are
 * `AnyValue`s ({stringValue} | {intValue} | {doubleValue} | {boolValue} | {arrayValue} | {kvlistValue} | {bytesValue}).
 */
import type { JsonObject, JsonValue } from "../../types.js";
import { asObject } from "./json-path.js";

/** An AnyValue as plain JSON. */
export function anyValue(value: unknown): JsonValue {
  const object = asObject(value);
  if (!object) return null;
  if ("stringValue" in object) return object.stringValue ?? "";
  if ("intValue" in object) return Number(object.intValue);
  if ("doubleValue" in object) return Number(object.doubleValue);
  if ("boolValue" in object) return object.boolValue === true;
  if ("bytesValue" in object) return object.bytesValue ?? "";
  if ("arrayValue" in object) {
    const values = asObject(object.arrayValue)?.values;
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  if ("kvlistValue" in object) return attributes(asObject(object.kvlistValue)?.values);
  return null;
}

/** A `[{key, value}]` list as an object (keys kept whole: `gen_ai.request.model` is one key). */
export function attributes(list: unknown): JsonObject {
  const out: JsonObject = {};
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const entry = asObject(item);
    if (entry && typeof entry.key === "string") out[entry.key] = anyValue(entry.value);
  }
  return out;
}

/** Nanoseconds since the epoch (a string or a number) → milliseconds, via BigInt so large values keep their digits. */
export function nanosToMs(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value / 1e6;
  if (typeof value !== "string" || !/^\d+$/.test(value)) return undefined;
  const nanos = BigInt(value);
  return Number(nanos / 1000n) / 1000;
}

export interface OtlpSpan {
  span: JsonObject;
  attrs: JsonObject;
  resource: JsonObject;
}

export interface OtlpLog {
  log: JsonObject;
  attrs: JsonObject;
  /** the event name: `eventName` (OTLP ≥ 1.5) or the `event.name` attribute */
  name: string;
  body: JsonValue;
}

/** Every span of an ExportTraceServiceRequest line. */
export function* spansOf(request: JsonObject): Generator<OtlpSpan> {
  for (const resourceSpans of listOf(request.resourceSpans)) {
    const resource = attributes(asObject(resourceSpans.resource)?.attributes);
    for (const scopeSpans of listOf(resourceSpans.scopeSpans ?? resourceSpans.instrumentationLibrarySpans)) {
      for (const span of listOf(scopeSpans.spans)) yield { span, attrs: attributes(span.attributes), resource };
    }
  }
}

/** Every log record of an ExportLogsServiceRequest line. */
export function* logsOf(request: JsonObject): Generator<OtlpLog> {
  for (const resourceLogs of listOf(request.resourceLogs)) {
    for (const scopeLogs of listOf(resourceLogs.scopeLogs)) {
      for (const log of listOf(scopeLogs.logRecords)) {
        const attrs = attributes(log.attributes);
        const name = typeof log.eventName === "string" && log.eventName !== "" ? log.eventName : String(attrs["event.name"] ?? "");
        yield { log, attrs, name, body: anyValue(log.body) };
      }
    }
  }
}

function listOf(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.flatMap((item) => (asObject(item) ? [item as JsonObject] : [])) : [];
}
