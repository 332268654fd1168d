import type OpenAI from "openai";
import type { ChatMessage, ModelRequest, ModelResponse, ToolCall } from "../types.js";
import { MalformedResponseError, sdkErrorClassifier } from "./errors.js";
import { parseToolArguments } from "./tool-arguments.js";
import type { Provider, ProviderEnvironment } from "./types.js";
import { makeUsage, StreamClock, servedFields } from "./usage.js";

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type WireMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type Completion = OpenAI.Chat.Completions.ChatCompletion;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/** OpenAI Chat Completions, also used for every OpenAI-compatible endpoint (vLLM, Ollama, LiteLLM). */
export async function createOpenAIProvider(model: string, environment: ProviderEnvironment): Promise<Provider> {
  const sdk = await import("openai");
  const client = openAIClient(sdk, environment);
  return chatCompletionsProvider(client, model, sdkErrorClassifier(sdk));
}

/** Chat Completions over a built client: the OpenAI one, or Azure's (src/providers/azure.ts). */
export function chatCompletionsProvider(client: OpenAI, model: string, classify: Provider["classify"]): Provider {
  return {
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      const body = chatBody(request, model);
      if (!request.options?.stream) return fromCompletion(await client.chat.completions.create(body, { signal }));
      const clock = new StreamClock();
      const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal });
      const completion = await collectChunks(stream, clock);
      const response = fromCompletion(completion);
      return { ...response, ...clock.fields(response.usage) };
    },
    // The SDK's own classes, for instanceof: their names do not survive the bundler.
    classify,
  };
}

function chatBody(request: ModelRequest, model: string): ChatParams {
  const body: ChatParams = {
    ...(request.params as object),
    model,
    messages: request.messages.map(toWireMessage),
  } as ChatParams;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, parameters: tool.parameters, ...(tool.description ? { description: tool.description } : {}) },
    }));
    if (request.tool_choice) {
      body.tool_choice =
        typeof request.tool_choice === "string" ? request.tool_choice : { type: "function", function: { name: request.tool_choice.name } };
    }
  }
  if (request.json_mode) body.response_format = { type: "json_object" };
  if (request.options?.reasoning) body.reasoning_effort = request.options.reasoning.effort;
  return body;
}

/** The official client as every OpenAI-wire provider builds it: the run's key, endpoint, fetch and headers; no SDK retries. */
export function openAIClient(sdk: typeof import("openai"), environment: ProviderEnvironment): OpenAI {
  return new sdk.default({
    // An OpenAI-compatible endpoint may need no key; the SDK insists on a non-empty one.
    apiKey: environment.apiKey ?? "no-key",
    baseURL: environment.baseURL ?? null,
    maxRetries: 0, // the runner owns retries
    timeout: environment.timeoutMs,
    ...(environment.fetch ? { fetch: environment.fetch } : {}),
    ...(environment.headers ? { defaultHeaders: environment.headers } : {}),
  });
}

function toWireMessage(message: ChatMessage): WireMessage {
  if (message.role === "tool") return { role: "tool", content: message.content, tool_call_id: message.tool_call_id ?? message.name ?? "call" };
  if (message.role === "assistant" && message.tool_calls?.length) {
    return {
      role: "assistant",
      content: message.content || null,
      tool_calls: message.tool_calls.map((call, index) => ({
        id: call.id ?? `call_${index}`,
        type: "function",
        function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) },
      })),
    };
  }
  if (message.parts) {
    const content = message.parts.map((part) =>
      part.type === "text"
        ? { type: "text" as const, text: part.text }
        : { type: "image_url" as const, image_url: { url: part.url, ...(part.detail ? { detail: part.detail as "auto" } : {}) } },
    );
    return { role: "user", content };
  }
  return { role: message.role, content: message.content } as WireMessage;
}

/**
 * Rebuilds a completion from its chunks: content, refusal and tool-call fragments by index, usage from
 * the last chunk (`stream_options.include_usage`). Written out rather than the SDK's
 * ChatCompletionStream, which throws on chunks without `finish_reason` that some gateways send.
 */
async function collectChunks(stream: AsyncIterable<Chunk>, clock: StreamClock): Promise<Completion> {
  let content = "";
  let refusal = "";
  let finish: string | null = null;
  let head: Pick<Chunk, "id" | "model" | "created" | "system_fingerprint"> | undefined;
  let usage: Completion["usage"];
  const calls: Array<{ id?: string; name: string; arguments: string }> = [];
  for await (const chunk of stream) {
    head ??= chunk;
    if (chunk.system_fingerprint) head = { ...head, system_fingerprint: chunk.system_fingerprint };
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    if (delta.content || delta.refusal || delta.tool_calls?.length) clock.first();
    if (delta.content) content += delta.content;
    if (delta.refusal) refusal += delta.refusal;
    for (const fragment of delta.tool_calls ?? []) {
      const call = (calls[fragment.index] ??= { name: "", arguments: "" });
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name += fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (!head) throw new MalformedResponseError("the stream ended before any chunk");
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    ...(head.system_fingerprint ? { system_fingerprint: head.system_fingerprint } : {}),
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: (finish ?? "stop") as Completion["choices"][number]["finish_reason"],
        message: {
          role: "assistant",
          content: content || null,
          refusal: refusal || null,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((call, index) => ({
                  id: call.id ?? `call_${index}`,
                  type: "function",
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
      },
    ],
    ...(usage ? { usage } : {}),
  } as Completion;
}

function fromCompletion(completion: Completion): ModelResponse {
  if (typeof completion !== "object" || completion === null) throw new MalformedResponseError("response body is not a JSON object");
  const choice = completion.choices?.[0];
  if (!choice?.message) throw new MalformedResponseError("response has no choices");
  const calls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type !== "function") continue;
    calls.push({ ...(call.id ? { id: call.id } : {}), name: call.function.name, ...parseToolArguments(call.function.arguments) });
  }
  const usage = completion.usage;
  const refusal = typeof choice.message.refusal === "string" && choice.message.refusal !== "" ? choice.message.refusal : undefined;
  return {
    // A refusal comes instead of content: the checks read it as the output (and not-refusal reads `refusal`).
    text: choice.message.content ?? refusal ?? "",
    tool_calls: calls,
    usage: usage
      ? makeUsage({
          input: usage.prompt_tokens,
          output: usage.completion_tokens,
          cachedInput: usage.prompt_tokens_details?.cached_tokens,
          reasoning: usage.completion_tokens_details?.reasoning_tokens,
        })
      : null,
    ...(choice.finish_reason ? { finish_reason: choice.finish_reason } : {}),
    ...servedFields(completion.model, completion.system_fingerprint),
    ...(refusal !== undefined ? { refusal } : {}),
  };
}
