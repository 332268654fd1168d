/**
 * LiteLLM proxy logs: one `StandardLoggingPayload` per line, as its logging callbacks and bucket loggers
 * (S3, GCS) write it. Field names from upstream `litellm/types/utils.py` (class StandardLoggingPayload):
 * `id`, `trace_id` (shared by the calls of one request: retries, fallbacks and the `silent_model` mirror,
 * which sets `metadata.is_silent_experiment` — see docs/my-website/docs/traffic_mirroring.md),
 * `status` ("success" | "failure"), `model`, `model_group`, `startTime` / `endTime` /
 * `completionStartTime` (epoch seconds), `prompt_tokens` / `completion_tokens`, `messages`, `response`
 * (the ModelResponse), `model_parameters` (the request's optional params: temperature, max_tokens, tools,
 * tool_choice, …), `error_str`, `error_information` ({error_code, error_class, …}), `metadata`.
 */
import type { JsonValue } from "../../types.js";
import type { TrafficArm } from "../types.js";
import { chatMessages, chatParams, chatToolChoice, chatTools, completionAnswer, trafficError } from "./chat.js";
import { asNumber, asObject, asString, readPath } from "./json-path.js";
import { readJsonLines } from "./jsonl.js";
import type { FormatReader, ImportRecord, ReaderSink } from "./types.js";

export const litellm: FormatReader = {
  neverRecorded: [],
  async read(files: string[], sink: ReaderSink): Promise<void> {
    for (const file of files) {
      const report = sink.report(file);
      await readJsonLines(file, sink, (value, line) => {
        report.read++;
        const payload = asObject(value);
        if (!payload) return sink.drop(report, line, "not a JSON object");
        const parsed = fromPayload(payload, file, line);
        if (typeof parsed === "string") return sink.drop(report, line, parsed);
        report.dialects.add("StandardLoggingPayload");
        sink.record(parsed, report);
      });
    }
  },
};

/** Call types that carry a chat request; embeddings, image generation and the like are not traffic a gate can replay. */
const chatCallTypes = new Set(["completion", "acompletion", "text_completion", "atext_completion", "anthropic_messages"]);

function fromPayload(payload: Record<string, JsonValue>, file: string, line: number): ImportRecord | string {
  const callType = asString(payload.call_type);
  if (callType !== undefined && !chatCallTypes.has(callType)) return `call_type ${callType} is not a chat completion`;
  const messages = chatMessages(payload.messages);
  if (!messages) {
    // `turn_off_message_logging` writes a placeholder string instead of the messages.
    return typeof payload.messages === "string" ? "messages not logged (message logging off?)" : "no messages";
  }
  const start = asNumber(payload.startTime);
  if (start === undefined) return "no startTime";
  const end = asNumber(payload.endTime);
  const model = asString(payload.model) ?? "";
  const params = asObject(payload.model_parameters) ?? {};
  const tools = chatTools(params.tools);
  const toolChoice = params.tool_choice !== undefined ? chatToolChoice(params.tool_choice) : undefined;
  const requestParams = chatParams(params);

  const arm: TrafficArm = { model, output: null, error: null };
  if (end !== undefined && end >= start) arm.latency_ms = roundMs((end - start) * 1000);
  const firstToken = asNumber(payload.completionStartTime);
  // LiteLLM sets completionStartTime to endTime when nothing streamed: a first token is measured only
  // on a streamed call, or where it came before the end.
  if (firstToken !== undefined && firstToken >= start && (payload.stream === true || (end !== undefined && firstToken < end))) {
    arm.ttft_ms = roundMs((firstToken - start) * 1000);
  }
  const promptTokens = asNumber(payload.prompt_tokens);
  const completionTokens = asNumber(payload.completion_tokens);
  if (payload.status !== "failure" && promptTokens !== undefined && completionTokens !== undefined) {
    arm.usage = { input_tokens: promptTokens, output_tokens: completionTokens };
  }

  if (payload.status === "failure") {
    const info = asObject(payload.error_information) ?? {};
    const code = asNumber(info.error_code);
    if (code !== undefined && code >= 100 && code < 600) arm.status = code;
    arm.error = trafficError(arm.status, asString(info.error_class) ?? "", asString(payload.error_str) ?? asString(info.error_message) ?? "");
  } else {
    const answer = completionAnswer(payload.response);
    if (!answer) return "no response message";
    arm.output = answer.output;
    arm.tool_calls = answer.tool_calls;
  }

  const metadata = asObject(payload.metadata);
  const silent = metadata?.is_silent_experiment === true || asObject(metadata?.requester_metadata)?.is_silent_experiment === true;
  const id = asString(payload.id);
  const traceId = asString(payload.trace_id) ?? id;
  if (!traceId) return "no trace_id or id";
  const modelGroup = asString(payload.model_group);
  return {
    file,
    line,
    joinKey: traceId,
    ...(id !== undefined ? { recordId: id } : {}),
    ts: start * 1000,
    request: {
      messages,
      ...(tools ? { tools } : {}),
      ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
      ...(requestParams ? { params: requestParams } : {}),
    },
    arm,
    models: [model, ...(modelGroup ? [modelGroup] : [])],
    served: !silent,
    field: (path) => readPath(payload, path),
  };
}

/** Milliseconds to the microsecond: float seconds carry binary noise (1.24 s → 1239.9999 ms). */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
