/**
 * OpenAI chat shapes → traffic shapes, shared by the formats that log OpenAI-style requests (Batch
 * bodies, LiteLLM payloads, Langfuse generations). Messages keep the wire shape the dataset loader
 * accepts (`developer` role, content parts, assistant `tool_calls`); tools become `{name, description,
 * parameters}` as in a dataset case; the answer becomes `output` + parsed `tool_calls`.
 */
import { parseToolArguments } from "../../providers/tool-arguments.js";
import type { JsonObject, JsonValue, ToolCall, Usage } from "../../types.js";
import type { TrafficError, TrafficErrorKind } from "../types.js";
import { asNumber, asObject, asString } from "./json-path.js";

const messageKeys = ["role", "content", "tool_calls", "tool_call_id", "name"];

/** Chat messages with only the keys a case carries (no `refusal`, `annotations`, `audio`); undefined if not a list. */
export function chatMessages(value: unknown): JsonValue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const messages: JsonValue[] = [];
  for (const item of value) {
    const message = asObject(item);
    if (!message || typeof message.role !== "string") return undefined;
    const kept: JsonObject = {};
    for (const key of messageKeys) if (message[key] !== undefined && message[key] !== null) kept[key] = message[key];
    if (kept.content === undefined) kept.content = "";
    messages.push(kept);
  }
  return messages.length > 0 ? messages : undefined;
}

/** Tools as a dataset case declares them; the OpenAI wire shape `{type: "function", function: {...}}` is unwrapped. */
export function chatTools(value: unknown): JsonValue[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const tools: JsonValue[] = [];
  for (const item of value) {
    const entry = asObject(item);
    const fn = asObject(entry?.function) ?? entry;
    const name = asString(fn?.name);
    if (!fn || !name) continue;
    const tool: JsonObject = { name };
    if (typeof fn.description === "string") tool.description = fn.description;
    tool.parameters = asObject(fn.parameters) ?? { type: "object" };
    tools.push(tool);
  }
  return tools.length > 0 ? tools : undefined;
}

/** `auto` / `none` / `required` / a tool name (SPEC §3), from the wire's string or `{type, function: {name}}`. */
export function chatToolChoice(value: unknown): JsonValue | undefined {
  if (typeof value === "string") return value;
  const name = asString(asObject(asObject(value)?.function)?.name) ?? asString(asObject(value)?.name);
  return name;
}

/** Request keys that are not parameters: the payload itself, routing, and bookkeeping. */
const notParams = new Set([
  "model",
  "messages",
  "tools",
  "tool_choice",
  "functions",
  "function_call",
  "metadata",
  "user",
  "stream",
  "stream_options",
  "store",
  "extra_body",
  "extra_headers",
]);

/** The request's sampling/length parameters as sent (temperature, max_tokens, …); undefined when none. */
export function chatParams(body: unknown): JsonObject | undefined {
  const object = asObject(body);
  if (!object) return undefined;
  const params: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (notParams.has(key) || value === null || value === undefined) continue;
    params[key] = value;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

/** A message's text: a string, or the text parts of a content list joined. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => {
      const object = asObject(part);
      return asString(object?.text) ?? (typeof part === "string" ? part : "");
    })
    .join("");
}

/** Tool calls of an answer, arguments parsed (bad JSON kept and reported on the call, as providers do). */
export function answerToolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  const calls: ToolCall[] = [];
  for (const item of value) {
    const call = asObject(item);
    const fn = asObject(call?.function) ?? call;
    const name = asString(fn?.name);
    if (!call || !name) continue;
    const id = asString(call.id);
    calls.push({ ...(id !== undefined ? { id } : {}), name, ...parseToolArguments(fn?.arguments ?? {}) });
  }
  return calls;
}

/** The answer of a chat completion body (first choice): its text and tool calls, or undefined without choices. */
export function completionAnswer(body: unknown): { output: string; tool_calls: ToolCall[] } | undefined {
  const choices = asObject(body)?.choices;
  const message = asObject(asObject(Array.isArray(choices) ? choices[0] : undefined)?.message);
  if (!message) return undefined;
  return { output: contentText(message.content), tool_calls: answerToolCalls(message.tool_calls) };
}

/** `{prompt_tokens, completion_tokens}` or `{input_tokens, output_tokens}` (or Langfuse's `{input, output}`) → Usage. */
export function usageOf(value: unknown): Usage | undefined {
  const usage = asObject(value);
  if (!usage) return undefined;
  const input = asNumber(usage.prompt_tokens ?? usage.input_tokens ?? usage.input ?? usage.promptTokens);
  const output = asNumber(usage.completion_tokens ?? usage.output_tokens ?? usage.output ?? usage.completionTokens);
  if (input === undefined || output === undefined) return undefined;
  return { input_tokens: input, output_tokens: output };
}

/**
 * The SPEC §9 error kind of a failure, from its HTTP status where the source has one, else from the
 * error's class or code and message (LiteLLM's `error_class`, Batch error codes, OTel `error.type`).
 */
export function errorKind(status: number | undefined, text: string): TrafficErrorKind {
  if (status === 429) return "rate_limit";
  if (status === 401 || status === 403) return "auth";
  if (status === 408 || status === 504) return "timeout";
  if (status !== undefined && status >= 500) return "server";
  if (status !== undefined && status >= 400) return "bad_request";
  if (/rate.?limit|too many requests|quota/i.test(text)) return "rate_limit";
  if (/time.?out|timed out|expired|deadline/i.test(text)) return "timeout";
  if (/auth|permission|api.?key|forbidden/i.test(text)) return "auth";
  if (/connection|network|econn|enotfound|socket|dns/i.test(text)) return "network";
  if (/bad.?request|invalid|context.?window|content.?policy|not.?found|unprocessable|validation/i.test(text)) return "bad_request";
  return "server";
}

/** An error object of SPEC kinds; the message is the source's, trimmed to a readable length. */
export function trafficError(status: number | undefined, classOrCode: string, message: string): TrafficError {
  const text = message.trim() === "" ? classOrCode || "failed" : message;
  return { kind: errorKind(status, `${classOrCode} ${message}`), message: text.length > 2000 ? `${text.slice(0, 2000)}…` : text };
}
