/**
 * The wire formats fake-llm-server.ts gained for issue #24: OpenAI's Responses API (requests and
 * responses), server-sent-event streams for all three APIs, and the usage details (cached input,
 * cache writes, reasoning tokens) each API reports in its own shape. Kept apart from the server so its
 * edits stay small; the server calls these.
 */
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

type Json = Record<string, unknown>;

/** Usage in modelgate's normalised shape: totals, with cached / cache-written / reasoning parts of them. */
export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
}

const asObject = (value: unknown): Json => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  return asArray(content)
    .map((part) => {
      const p = asObject(part);
      return typeof p.text === "string" ? p.text : `[${String(p.type)}]`;
    })
    .join("\n");
}

/** A Responses API body as the server's normalised view: instructions are the system text, items are turns. */
export function normaliseResponsesBody(body: Json): {
  systems: string[];
  messages: Array<{ role: string; content: string }>;
  tools: Array<{ name: string; description?: string; parameters: unknown }>;
} {
  const systems = typeof body.instructions === "string" ? [body.instructions] : [];
  const messages: Array<{ role: string; content: string }> = [];
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : asArray(body.input);
  for (const raw of input.map(asObject)) {
    if (raw.type === "function_call") messages.push({ role: "assistant", content: `[tool_use ${String(raw.name)} ${String(raw.arguments ?? "")}]` });
    else if (raw.type === "function_call_output") messages.push({ role: "tool", content: String(raw.output ?? "") });
    else if (raw.role === "system" || raw.role === "developer") systems.push(partsText(raw.content));
    else messages.push({ role: String(raw.role ?? "user"), content: partsText(raw.content) });
  }
  const tools = asArray(body.tools)
    .map(asObject)
    .filter((tool) => tool.type === "function")
    .map((tool) => ({
      name: String(tool.name ?? ""),
      ...(typeof tool.description === "string" ? { description: tool.description } : {}),
      parameters: tool.parameters ?? {},
    }));
  return { systems, messages, tools };
}

/** OpenAI Chat Completions `usage` (prompt_tokens include cached ones; completion_tokens include reasoning). */
export function chatUsage(usage: FakeUsage): Json {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.input_tokens + usage.output_tokens,
    ...(usage.cached_input_tokens !== undefined ? { prompt_tokens_details: { cached_tokens: usage.cached_input_tokens, audio_tokens: 0 } } : {}),
    ...(usage.reasoning_tokens !== undefined ? { completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens, audio_tokens: 0 } } : {}),
  };
}

/** Anthropic `usage`: input_tokens exclude cache reads and writes, which come as their own counts. */
export function anthropicUsage(usage: FakeUsage): Json {
  const read = usage.cached_input_tokens ?? 0;
  const written = usage.cache_write_tokens ?? 0;
  return {
    input_tokens: usage.input_tokens - read - written,
    output_tokens: usage.output_tokens,
    ...(usage.cached_input_tokens !== undefined || usage.cache_write_tokens !== undefined
      ? { cache_read_input_tokens: read, cache_creation_input_tokens: written }
      : {}),
  };
}

/** Responses API `usage`, with the details objects the API always sends. */
function responsesUsage(usage: FakeUsage): Json {
  return {
    input_tokens: usage.input_tokens,
    input_tokens_details: { cached_tokens: usage.cached_input_tokens ?? 0 },
    output_tokens: usage.output_tokens,
    output_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
    total_tokens: usage.input_tokens + usage.output_tokens,
  };
}

/** A Responses API `response` object (status completed). */
export function responsesPayload(
  index: number,
  model: string,
  reply: { text?: string; refusal?: string; calls: Array<{ id: string; name: string; arguments: string }>; reasoning?: boolean },
  usage: FakeUsage,
): Json {
  const output: Json[] = [];
  if (reply.reasoning) output.push({ type: "reasoning", id: `rs_fake_${index}`, summary: [] });
  if (reply.text !== undefined || reply.refusal !== undefined || reply.calls.length === 0) {
    const content =
      reply.refusal !== undefined
        ? [{ type: "refusal", refusal: reply.refusal }]
        : [{ type: "output_text", text: reply.text ?? "", annotations: [], logprobs: [] }];
    output.push({ type: "message", id: `msg_fake_${index}`, status: "completed", role: "assistant", content });
  }
  for (const call of reply.calls) {
    output.push({ type: "function_call", id: `fc_${call.id}`, call_id: call.id, name: call.name, arguments: call.arguments, status: "completed" });
  }
  return {
    id: `resp_fake_${index}`,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: "completed",
    error: null,
    incomplete_details: null,
    model,
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage: responsesUsage(usage),
  };
}

/** Text cut into up to three pieces, so a stream has several deltas. */
function pieces(text: string): string[] {
  if (text.length < 3) return text === "" ? [] : [text];
  const third = Math.ceil(text.length / 3);
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter(Boolean);
}

/** An SSE writer that waits `delayMs` before every event after the first (a model producing tokens). */
function sse(res: ServerResponse, delayMs: number) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  let first = true;
  return async (event: string | undefined, data: unknown): Promise<void> => {
    if (!first && delayMs > 0) await sleep(delayMs);
    first = false;
    if (res.destroyed) return;
    res.write(`${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  };
}

/** Streams a finished Chat Completions payload as `chat.completion.chunk`s, usage last when asked for. */
export async function streamChat(res: ServerResponse, payload: Json, includeUsage: boolean, delayMs: number): Promise<void> {
  const send = sse(res, delayMs);
  const choice = asObject(asArray(payload.choices)[0]);
  const message = asObject(choice.message);
  const head = {
    id: payload.id,
    object: "chat.completion.chunk",
    created: payload.created,
    model: payload.model,
    ...(payload.system_fingerprint ? { system_fingerprint: payload.system_fingerprint } : {}),
  };
  const chunk = (delta: Json, finish: string | null = null) => ({ ...head, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  await send(undefined, chunk({ role: "assistant", content: "" }));
  for (const piece of pieces(typeof message.content === "string" ? message.content : "")) await send(undefined, chunk({ content: piece }));
  for (const piece of pieces(typeof message.refusal === "string" ? message.refusal : "")) await send(undefined, chunk({ refusal: piece }));
  for (const [index, raw] of asArray(message.tool_calls).entries()) {
    const call = asObject(raw);
    const fn = asObject(call.function);
    await send(undefined, chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: fn.name, arguments: "" } }] }));
    for (const piece of pieces(String(fn.arguments ?? ""))) await send(undefined, chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  }
  await send(undefined, chunk({}, String(choice.finish_reason ?? "stop")));
  if (includeUsage) await send(undefined, { ...head, choices: [], usage: payload.usage });
  await send(undefined, "[DONE]");
  res.end();
}

/** Streams a finished Anthropic message as its event sequence (message_start … message_stop). */
export async function streamAnthropic(res: ServerResponse, payload: Json, delayMs: number): Promise<void> {
  const send = sse(res, delayMs);
  const usage = asObject(payload.usage);
  await send("message_start", {
    type: "message_start",
    message: { ...payload, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  for (const [index, raw] of asArray(payload.content).entries()) {
    const block = asObject(raw);
    if (block.type === "tool_use") {
      await send("content_block_start", { type: "content_block_start", index, content_block: { ...block, input: {} } });
      for (const piece of pieces(JSON.stringify(block.input ?? {}))) {
        await send("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } });
      }
    } else {
      await send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
      for (const piece of pieces(String(block.text ?? ""))) {
        await send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
      }
    }
    await send("content_block_stop", { type: "content_block_stop", index });
  }
  await send("message_delta", {
    type: "message_delta",
    delta: { stop_reason: payload.stop_reason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  await send("message_stop", { type: "message_stop" });
  res.end();
}

/** Streams a finished Responses API response as its events (response.created … response.completed). */
export async function streamResponses(res: ServerResponse, payload: Json, delayMs: number): Promise<void> {
  const send = sse(res, delayMs);
  let sequence = 0;
  const event = (type: string, fields: Json) => send(type, { type, sequence_number: sequence++, ...fields });
  await event("response.created", { response: { ...payload, status: "in_progress", output: [], usage: null } });
  for (const [outputIndex, raw] of asArray(payload.output).entries()) {
    const item = asObject(raw);
    await event("response.output_item.added", {
      output_index: outputIndex,
      item: { ...item, ...(item.type === "message" ? { content: [] } : {}), ...(item.type === "function_call" ? { arguments: "" } : {}) },
    });
    if (item.type === "message") {
      for (const [contentIndex, rawPart] of asArray(item.content).entries()) {
        const part = asObject(rawPart);
        const type = part.type === "refusal" ? "response.refusal.delta" : "response.output_text.delta";
        for (const piece of pieces(String(part.type === "refusal" ? part.refusal : part.text))) {
          await event(type, {
            item_id: item.id,
            output_index: outputIndex,
            content_index: contentIndex,
            delta: piece,
            ...(type === "response.output_text.delta" ? { logprobs: [] } : {}),
          });
        }
      }
    } else if (item.type === "function_call") {
      for (const piece of pieces(String(item.arguments ?? ""))) {
        await event("response.function_call_arguments.delta", { item_id: item.id, output_index: outputIndex, delta: piece });
      }
    }
    await event("response.output_item.done", { output_index: outputIndex, item });
  }
  await event("response.completed", { response: payload });
  res.end();
}
