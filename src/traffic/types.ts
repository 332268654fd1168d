/**
 * The traffic file of SPEC §9: captured production requests, one per line, each with the responses
 * recorded for it. `modelgate import` and `modelgate shadow` write these lines; `eval --traffic` and a
 * canary plan read them. This module is the one shape they share.
 */
import type { JsonObject, JsonValue, ToolCall, Usage } from "../types.js";

/** The version every line carries as `v`. */
export const trafficVersion = 1;

/** The error kinds a recorded arm may carry (SPEC §9). */
export const trafficErrorKinds = ["rate_limit", "server", "timeout", "network", "bad_request", "auth"] as const;
export type TrafficErrorKind = (typeof trafficErrorKinds)[number];

export interface TrafficError {
  kind: TrafficErrorKind;
  message: string;
}

/** What one arm (baseline or candidate) answered, as recorded. Absent measurements are absent, never invented. */
export interface TrafficArm {
  /** the model id that was asked for (or that answered, where the source records only that) */
  model: string;
  /** whether this arm's answer went back to the user */
  served?: boolean;
  /** null when the arm failed */
  output: string | null;
  tool_calls?: ToolCall[];
  usage?: Usage | null;
  /** the whole request's duration; absent where the source has none */
  latency_ms?: number;
  /** time to first token, only where the source measured one */
  ttft_ms?: number;
  status?: number;
  error: TrafficError | null;
}

export type TrafficArmName = "baseline" | "candidate";

/** One line of a traffic file. `request` holds a dataset case's messages/tools/tool_choice (SPEC §3 shapes). */
export interface TrafficLine {
  v: typeof trafficVersion;
  id: string;
  /** ISO 8601, when the request arrived */
  ts: string;
  source?: string;
  tags?: string[];
  request: {
    /** chat messages as in a dataset case (OpenAI wire shapes accepted: content parts, `developer` role) */
    messages: JsonValue[];
    tools?: JsonValue[];
    tool_choice?: JsonValue;
    /** the request's parameters as sent (temperature, max_tokens, …) */
    params?: JsonObject;
  };
  prompt?: { name?: string; version?: string; sha256?: string };
  arms: Partial<Record<TrafficArmName, TrafficArm>>;
  /** a label added later (SPEC §3 `expected`) */
  expected?: JsonObject;
  metadata?: JsonValue;
}

/** One line as JSON text, newline-terminated: what every writer appends. */
export function serializeTrafficLine(line: TrafficLine): string {
  return `${JSON.stringify(line)}\n`;
}
