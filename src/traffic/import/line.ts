import { redactSecrets } from "../../redact.js";
import type { JsonValue } from "../../types.js";
import { maskPersonalData } from "../redact-pii.js";
import { type TrafficArm, type TrafficArmName, type TrafficLine, trafficVersion } from "../types.js";
import type { JoinedRequest } from "./join.js";

const armOrder: TrafficArmName[] = ["baseline", "candidate"];

/**
 * The traffic line of a joined request. Its id is the request identity (unique in the file; a second
 * line of the same identity — a retry on the same arm — gets the record's own id appended). `ts` is the
 * earliest arm's arrival. The request is the baseline record's (a mirror sends the same request).
 */
export function buildLine(request: JoinedRequest, source: string, id: string, redact: boolean): TrafficLine {
  const records = armOrder.flatMap((arm) => (request.arms[arm] ? [{ arm, record: request.arms[arm] }] : []));
  const first = records[0]?.record;
  if (!first) throw new Error("a joined request without an arm");
  const arms: TrafficLine["arms"] = {};
  for (const { arm, record } of records) {
    const recorded: TrafficArm = { ...record.arm };
    // Only where the source says which answer the user got (never guessed: a Batch run served no one).
    if (record.served !== undefined) recorded.served = record.served;
    arms[arm] = redact ? maskArm(recorded) : recorded;
  }
  const ts = Math.min(...records.flatMap(({ record }) => (Number.isFinite(record.ts) ? [record.ts] : [])));
  const line: TrafficLine = {
    v: trafficVersion,
    id,
    ts: new Date(ts).toISOString(),
    source,
    ...(request.tags.size > 0 ? { tags: [...request.tags].sort() } : {}),
    request: redact ? { ...first.request, messages: first.request.messages.map(maskValue) } : first.request,
    ...(first.prompt ? { prompt: first.prompt } : {}),
    arms,
  };
  return line;
}

/** A line as JSON text with secrets masked (always: SPEC §9); the masked text still parses. */
export function lineText(line: TrafficLine): string {
  return `${redactSecrets(JSON.stringify(line))}\n`;
}

function maskArm(arm: TrafficArm): TrafficArm {
  const masked: TrafficArm = { ...arm, output: arm.output === null ? null : maskPersonalData(arm.output) };
  if (arm.tool_calls) masked.tool_calls = arm.tool_calls.map((call) => ({ ...call, arguments: maskValue(call.arguments) }));
  if (arm.error) masked.error = { ...arm.error, message: maskPersonalData(arm.error.message) };
  return masked;
}

/** Every string inside a value, masked (message contents, text parts, tool arguments). */
function maskValue(value: JsonValue): JsonValue {
  if (typeof value === "string") return maskPersonalData(value);
  if (Array.isArray(value)) return value.map(maskValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = key === "role" || key === "type" ? item : maskValue(item);
    return out;
  }
  return value;
}
