import type OpenAI from "openai";
import type { ChatMessage, ModelRequest, ModelResponse, ToolCall } from "../types.js";
import { MalformedResponseError, sdkErrorClassifier } from "./errors.js";
import { parseToolArguments } from "./tool-arguments.js";
import type { Provider, ProviderEnvironment } from "./types.js";

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type WireMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** OpenAI Chat Completions, also used for every OpenAI-compatible endpoint (vLLM, Ollama, LiteLLM). */
export async function createOpenAIProvider(model: string, environment: ProviderEnvironment): Promise<Provider> {
  const sdk = await import("openai");
  const OpenAIClient = sdk.default;
  const client = new OpenAIClient({
    // An OpenAI-compatible endpoint may need no key; the SDK insists on a non-empty one.
    apiKey: environment.apiKey ?? "no-key",
    baseURL: environment.baseURL ?? null,
    maxRetries: 0, // the runner owns retries
    timeout: environment.timeoutMs,
    ...(environment.fetch ? { fetch: environment.fetch } : {}),
    ...(environment.headers ? { defaultHeaders: environment.headers } : {}),
  });
  return {
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
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
      return fromCompletion(await client.chat.completions.create(body, { signal }));
    },
    // The SDK's own classes, for instanceof: their names do not survive the bundler.
    classify: sdkErrorClassifier(sdk),
  };
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

function fromCompletion(completion: OpenAI.Chat.Completions.ChatCompletion): ModelResponse {
  if (typeof completion !== "object" || completion === null) throw new MalformedResponseError("response body is not a JSON object");
  const choice = completion.choices?.[0];
  if (!choice?.message) throw new MalformedResponseError("response has no choices");
  const calls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type !== "function") continue;
    calls.push({ ...(call.id ? { id: call.id } : {}), name: call.function.name, ...parseToolArguments(call.function.arguments) });
  }
  const usage = completion.usage;
  return {
    text: choice.message.content ?? "",
    tool_calls: calls,
    usage: usage ? { input_tokens: usage.prompt_tokens ?? 0, output_tokens: usage.completion_tokens ?? 0 } : null,
    ...(choice.finish_reason ? { finish_reason: choice.finish_reason } : {}),
  };
}
