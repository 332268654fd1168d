import type Anthropic from "@anthropic-ai/sdk";
import type { ChatMessage, ContentPart, ModelRequest, ModelResponse, ToolCall } from "../types.js";
import { MalformedResponseError, sdkErrorClassifier } from "./errors.js";
import { parseToolArguments } from "./tool-arguments.js";
import type { Provider, ProviderEnvironment } from "./types.js";
import { makeUsage, StreamClock, servedFields } from "./usage.js";

type MessageParams = Anthropic.Messages.MessageCreateParamsNonStreaming;
type WireMessage = Anthropic.Messages.MessageParam;
type Block = Anthropic.Messages.ContentBlockParam;

/** The Messages API requires max_tokens; used when the variant's params set none. */
const defaultMaxTokens = 1024;

/** Anthropic Messages API: one `system` string, tool calls as `tool_use` blocks with object input. */
export async function createAnthropicProvider(model: string, environment: ProviderEnvironment): Promise<Provider> {
  const sdk = await import("@anthropic-ai/sdk");
  const AnthropicClient = sdk.default;
  const client = new AnthropicClient({
    apiKey: environment.apiKey ?? null,
    baseURL: environment.baseURL ?? null,
    maxRetries: 0, // the runner owns retries
    timeout: environment.timeoutMs,
    ...(environment.fetch ? { fetch: environment.fetch } : {}),
    ...(environment.headers ? { defaultHeaders: environment.headers } : {}),
  });
  return {
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      const system = request.messages
        .filter((m) => m.role === "system" || m.role === "developer")
        .map((m) => m.content)
        .join("\n\n");
      const { max_tokens, ...params } = request.params as Record<string, unknown>;
      const thinking = request.options?.thinking;
      // max_tokens must exceed the thinking budget (the budget is part of it): room for an answer on top.
      const fallbackMaxTokens = thinking ? thinking.budget_tokens + defaultMaxTokens : defaultMaxTokens;
      const body = {
        ...params,
        model,
        max_tokens: typeof max_tokens === "number" ? max_tokens : fallbackMaxTokens,
        ...(thinking ? { thinking: { type: "enabled", budget_tokens: thinking.budget_tokens } } : {}),
        messages: toWireMessages(request.messages.filter((m) => m.role !== "system" && m.role !== "developer")),
        ...(system ? { system } : {}),
      } as MessageParams;
      if (request.tools?.length) {
        body.tools = request.tools.map((tool) => ({
          name: tool.name,
          input_schema: tool.parameters as Anthropic.Messages.Tool.InputSchema,
          ...(tool.description ? { description: tool.description } : {}),
        }));
        const choice = request.tool_choice;
        if (choice === "auto") body.tool_choice = { type: "auto" };
        else if (choice === "required") body.tool_choice = { type: "any" };
        else if (choice === "none") body.tool_choice = { type: "none" };
        else if (choice) body.tool_choice = { type: "tool", name: choice.name };
      }
      if (!request.options?.stream) return fromMessage(await client.messages.create(body, { signal }));
      const clock = new StreamClock();
      const stream = client.messages.stream(body, { signal });
      for await (const event of stream) {
        if (event.type === "content_block_delta" && (event.delta.type === "text_delta" || event.delta.type === "input_json_delta")) clock.first();
      }
      const response = fromMessage(await stream.finalMessage());
      return { ...response, ...clock.fields(response.usage) };
    },
    // The SDK's own classes, for instanceof: their names do not survive the bundler.
    classify: sdkErrorClassifier(sdk),
  };
}

/** Tool results become user turns with tool_result blocks; assistant tool calls become tool_use blocks. */
function toWireMessages(messages: ChatMessage[]): WireMessage[] {
  const wire: WireMessage[] = [];
  for (const message of messages) {
    let role: "user" | "assistant" = message.role === "assistant" ? "assistant" : "user";
    let blocks: Block[];
    if (message.role === "tool") {
      role = "user";
      blocks = [{ type: "tool_result", tool_use_id: message.tool_call_id ?? message.name ?? "call", content: message.content }];
    } else if (message.role === "assistant" && message.tool_calls?.length) {
      blocks = [
        ...(message.content ? [{ type: "text", text: message.content } as Block] : []),
        ...message.tool_calls.map(
          (call, index): Block => ({
            type: "tool_use",
            id: call.id ?? `toolu_${index}`,
            name: call.name,
            input: (call.arguments ?? {}) as Record<string, unknown>,
          }),
        ),
      ];
    } else if (message.parts) blocks = message.parts.map(toContentBlock);
    else blocks = [{ type: "text", text: message.content }];
    // The API wants alternating turns: merge consecutive same-role messages.
    const previous = wire[wire.length - 1];
    if (previous && previous.role === role && Array.isArray(previous.content)) previous.content.push(...blocks);
    else wire.push({ role, content: blocks });
  }
  return wire;
}

/** A text or image part as a Messages API block: a `data:` URL becomes a base64 source, any other URL a URL source. */
function toContentBlock(part: ContentPart): Block {
  if (part.type === "text") return { type: "text", text: part.text };
  const data = /^data:(image\/[a-z+.-]+);base64,(.*)$/is.exec(part.url);
  if (data) {
    const mediaType = data[1]?.toLowerCase() as "image/png";
    return { type: "image", source: { type: "base64", media_type: mediaType, data: data[2] ?? "" } };
  }
  return { type: "image", source: { type: "url", url: part.url } };
}

function fromMessage(message: Anthropic.Messages.Message): ModelResponse {
  if (typeof message !== "object" || message === null || !Array.isArray(message.content)) {
    throw new MalformedResponseError("response has no content array");
  }
  if (message.content.length === 0 && message.stop_reason !== "end_turn" && message.stop_reason !== "max_tokens") {
    throw new MalformedResponseError("response has empty content");
  }
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === "text") texts.push(block.text);
    else if (block.type === "tool_use") calls.push({ id: block.id, name: block.name, ...parseToolArguments(block.input) });
  }
  return {
    text: texts.join(""),
    tool_calls: calls,
    usage: message.usage ? usageOf(message.usage) : null,
    ...(message.stop_reason ? { finish_reason: message.stop_reason } : {}),
    ...servedFields(message.model),
  };
}

/**
 * Anthropic counts cache reads and writes apart from `input_tokens`; modelgate's input total includes
 * them (src/types.ts `Usage`). Thinking tokens are billed as output and not reported apart.
 */
function usageOf(usage: Anthropic.Messages.Usage): ReturnType<typeof makeUsage> {
  const read = usage.cache_read_input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  const input = (usage.input_tokens ?? 0) + (typeof read === "number" ? read : 0) + (typeof written === "number" ? written : 0);
  return makeUsage({ input, output: usage.output_tokens, cachedInput: read, cacheWrite: written });
}
