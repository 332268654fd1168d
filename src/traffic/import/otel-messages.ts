/**
 * The three ways GenAI instrumentations record a chat on OpenTelemetry (SPEC §9), decoded to the
 * OpenAI message shapes a traffic line carries:
 *
 * - semantic conventions ≥ 1.37: span attributes `gen_ai.input.messages` / `gen_ai.output.messages` /
 *   `gen_ai.system_instructions`, JSON lists of `{role, parts: [{type: "text", content} |
 *   {type: "tool_call", id, name, arguments} | {type: "tool_call_response", id, response} | {type: "uri" | "blob", …}]}`
 *   (semantic-conventions docs/gen-ai/gen-ai-spans.md and gen-ai-input-messages.json);
 * - semantic conventions ≤ 1.36: one log event per message, `gen_ai.system.message` /
 *   `gen_ai.user.message` / `gen_ai.assistant.message` / `gen_ai.tool.message` with body `{content,
 *   tool_calls, id}`, and `gen_ai.choice` with body `{index, finish_reason, message: {content, tool_calls}}`
 *   (docs/gen-ai/gen-ai-events.md; what @opentelemetry/instrumentation-openai emits);
 * - OpenLLMetry (traceloop/openllmetry, semconv_ai): flattened attributes `gen_ai.prompt.N.role` /
 *   `.content` / `.tool_calls.M.{id,name,arguments}` / `.tool_call_id`, `gen_ai.completion.N.*`, and
 *   the tools as `llm.request.functions.N.{name,description,parameters}`.
 */
import type { JsonObject, JsonValue, ToolCall } from "../../types.js";
import { answerToolCalls, chatMessages, chatTools, contentText } from "./chat.js";
import { asObject, asString, maybeJson } from "./json-path.js";

export interface DecodedChat {
  messages: JsonValue[];
  /** undefined when the output was not recorded */
  answer?: { output: string; tool_calls: ToolCall[] };
  tools?: JsonValue[];
}

// ---------------------------------------------------------------- semconv >= 1.37

/** `gen_ai.*.messages` parts → OpenAI messages (a tool response part becomes its own `tool` message). */
function fromParts(role: string, parts: unknown): JsonObject[] {
  if (!Array.isArray(parts)) return [];
  const content: JsonObject[] = [];
  const toolCalls: JsonObject[] = [];
  const toolResults: JsonObject[] = [];
  for (const item of parts) {
    const part = asObject(item);
    if (!part) continue;
    if (part.type === "text") content.push({ type: "text", text: asString(part.content) ?? "" });
    else if (part.type === "tool_call") {
      const args = part.arguments;
      toolCalls.push({
        ...(typeof part.id === "string" ? { id: part.id } : {}),
        type: "function",
        function: { name: asString(part.name) ?? "", arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
      });
    } else if (part.type === "tool_call_response") {
      const response = part.response;
      toolResults.push({
        role: "tool",
        ...(typeof part.id === "string" ? { tool_call_id: part.id } : {}),
        content: typeof response === "string" ? response : JSON.stringify(response ?? null),
      });
    } else if (part.type === "uri" && part.modality === "image" && typeof part.uri === "string") {
      content.push({ type: "image_url", image_url: { url: part.uri } });
    } else if (part.type === "blob" && part.modality === "image" && typeof part.content === "string") {
      content.push({ type: "image_url", image_url: { url: `data:${asString(part.mime_type) ?? "image/png"};base64,${part.content}` } });
    }
  }
  const messages: JsonObject[] = [];
  if (content.length > 0 || toolCalls.length > 0) {
    const onlyText = content.every((part) => part.type === "text");
    messages.push({
      role,
      content: onlyText ? content.map((part) => part.text as string).join("") : content,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    });
  }
  return [...messages, ...toolResults];
}

export function decodeSemconvMessages(attrs: JsonObject): DecodedChat | undefined {
  const input = maybeJson(attrs["gen_ai.input.messages"]);
  if (!Array.isArray(input)) return undefined;
  const messages: JsonValue[] = [];
  const system = maybeJson(attrs["gen_ai.system_instructions"]);
  if (Array.isArray(system)) messages.push(...fromParts("system", system));
  for (const item of input) {
    const message = asObject(item);
    if (message && typeof message.role === "string") messages.push(...fromParts(message.role, message.parts));
  }
  const decoded: DecodedChat = { messages };
  const output = maybeJson(attrs["gen_ai.output.messages"]);
  if (Array.isArray(output)) {
    const first = asObject(output[0]);
    const [answer] = fromParts("assistant", first?.parts);
    decoded.answer = { output: contentText(answer?.content), tool_calls: answerToolCalls(answer?.tool_calls) };
  }
  const tools = chatTools(maybeJson(attrs["gen_ai.tool.definitions"]));
  if (tools) decoded.tools = tools;
  return decoded;
}

// ---------------------------------------------------------------- semconv <= 1.36 events

const eventRoles: Record<string, string> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};

export function isChatEvent(name: string): boolean {
  return name in eventRoles || name === "gen_ai.choice";
}

/** Log events (in the order they were emitted) → messages and the first choice. */
export function decodeEvents(events: { name: string; body: JsonValue }[]): DecodedChat {
  const messages: JsonValue[] = [];
  let answer: DecodedChat["answer"];
  for (const { name, body } of events) {
    const object = asObject(body) ?? {};
    const role = eventRoles[name];
    if (role) {
      const message: JsonObject = { role, content: typeof object.content === "string" ? object.content : contentText(object.content) };
      if (role === "assistant" && Array.isArray(object.tool_calls) && object.tool_calls.length > 0) message.tool_calls = object.tool_calls;
      if (role === "tool" && typeof object.id === "string") message.tool_call_id = object.id;
      messages.push(message);
    } else if (name === "gen_ai.choice" && answer === undefined && (object.index === undefined || Number(object.index) === 0)) {
      const message = asObject(object.message) ?? {};
      answer = { output: contentText(message.content), tool_calls: answerToolCalls(message.tool_calls) };
    }
  }
  return { messages: chatMessages(messages) ?? [], ...(answer ? { answer } : {}) };
}

// ---------------------------------------------------------------- OpenLLMetry flattened attributes

/** `prefix.N.rest` attributes grouped by N, in index order. */
function indexed(attrs: JsonObject, prefix: string): JsonObject[] {
  const groups = new Map<number, JsonObject>();
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(prefix)) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(prefix.length));
    if (!match) continue;
    const index = Number(match[1]);
    const group = groups.get(index) ?? {};
    group[match[2] as string] = value;
    groups.set(index, group);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, group]) => group);
}

function flatToolCalls(group: JsonObject): JsonObject[] {
  return indexed(group, "tool_calls.").map((call) => ({
    ...(typeof call.id === "string" ? { id: call.id } : {}),
    type: "function",
    function: { name: asString(call.name) ?? "", arguments: asString(call.arguments) ?? "{}" },
  }));
}

export function hasFlattened(attrs: JsonObject): boolean {
  return Object.keys(attrs).some((key) => key.startsWith("gen_ai.prompt.") || key.startsWith("gen_ai.completion."));
}

export function decodeFlattened(attrs: JsonObject): DecodedChat {
  const messages: JsonValue[] = [];
  for (const group of indexed(attrs, "gen_ai.prompt.")) {
    // Multimodal content is written as the JSON text of its parts; any other text is the message itself.
    const parsed = maybeJson(group.content);
    const content =
      Array.isArray(parsed) && parsed.every((part) => typeof asObject(part)?.type === "string") ? parsed : (asString(group.content) ?? "");
    const message: JsonObject = { role: asString(group.role) ?? "user", content };
    const calls = flatToolCalls(group);
    if (calls.length > 0) message.tool_calls = calls;
    if (typeof group.tool_call_id === "string") message.tool_call_id = group.tool_call_id;
    messages.push(message);
  }
  const decoded: DecodedChat = { messages: chatMessages(messages) ?? [] };
  const [completion] = indexed(attrs, "gen_ai.completion.");
  if (completion) decoded.answer = { output: asString(completion.content) ?? "", tool_calls: answerToolCalls(flatToolCalls(completion)) };
  const tools = chatTools(
    indexed(attrs, "llm.request.functions.").map((fn) => ({
      name: fn.name ?? "",
      description: fn.description,
      parameters: maybeJson(fn.parameters) as JsonValue,
    })),
  );
  if (tools) decoded.tools = tools;
  return decoded;
}
