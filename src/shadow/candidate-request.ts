/**
 * The candidate's copy of a client request: the same messages, tools and tool choice, with the candidate
 * variant's model, params and (if it has one) prompt. The client's own parameters stay unless the
 * variant sets them: a copy should differ from the served request only by what the upgrade changes.
 */
import type { JsonObject, JsonValue, VariantSpec } from "../types.js";

/** Request fields that are not parameters: what a traffic line keeps apart from `params`. */
const nonParams = new Set(["model", "messages", "tools", "tool_choice", "stream", "stream_options"]);

/** The parts of a Chat Completions body a traffic line's `request` holds (SPEC §9). */
export function trafficRequest(body: JsonObject): { messages: JsonValue[]; tools?: JsonValue[]; tool_choice?: JsonValue; params: JsonObject } {
  const params: JsonObject = {};
  for (const [key, value] of Object.entries(body)) if (!nonParams.has(key)) params[key] = value;
  return {
    messages: Array.isArray(body.messages) ? body.messages : [],
    ...(Array.isArray(body.tools) ? { tools: body.tools } : {}),
    ...(body.tool_choice !== undefined ? { tool_choice: body.tool_choice } : {}),
    params,
  };
}

/** The candidate's body. A streaming request stays streaming (so time to first token compares) and asks for usage. */
export function candidateBody(body: JsonObject, candidate: VariantSpec): JsonObject {
  const copy: JsonObject = { ...body, ...candidate.params, model: candidate.model };
  if (candidate.prompt && Array.isArray(body.messages)) copy.messages = candidatePrompt(body.messages, candidate.prompt.text);
  if (copy.stream === true) {
    const options = typeof copy.stream_options === "object" && copy.stream_options !== null ? copy.stream_options : {};
    copy.stream_options = { ...(options as JsonObject), include_usage: true };
  } else delete copy.stream_options;
  return copy;
}

/** SPEC §9: the variant's prompt replaces the first system/developer message; without one it comes first. */
export function candidatePrompt(messages: JsonValue[], prompt: string): JsonValue[] {
  const index = messages.findIndex((message) => isRole(message, "system") || isRole(message, "developer"));
  if (index === -1) return [{ role: "system", content: prompt }, ...messages];
  const copy = [...messages];
  copy[index] = { ...(copy[index] as JsonObject), content: prompt };
  return copy;
}

function isRole(message: JsonValue, role: string): boolean {
  return typeof message === "object" && message !== null && !Array.isArray(message) && message.role === role;
}
