import type OpenAI from "openai";
import type { ChatMessage, JsonObject, ModelRequest, ModelResponse, ToolCall } from "../types.js";
import { MalformedResponseError, sdkErrorClassifier } from "./errors.js";
import { openAIClient } from "./openai.js";
import { parseToolArguments } from "./tool-arguments.js";
import type { Provider, ProviderEnvironment } from "./types.js";
import { makeUsage, StreamClock, servedFields } from "./usage.js";

type CreateParams = OpenAI.Responses.ResponseCreateParamsNonStreaming;
type InputItem = OpenAI.Responses.ResponseInputItem;
type Response = OpenAI.Responses.Response;

/**
 * OpenAI's Responses API (`client.responses`): system turns become `instructions`, tool calls and their
 * results are `function_call` / `function_call_output` items, structured outputs go in `text.format`.
 * `store: false` unless the variant's params say otherwise: an eval has no use for server-side state.
 */
export async function createOpenAIResponsesProvider(model: string, environment: ProviderEnvironment): Promise<Provider> {
  const sdk = await import("openai");
  return responsesProvider(openAIClient(sdk, environment), model, sdkErrorClassifier(sdk));
}

/** The Responses API over a built client (OpenAI's, or Azure's). */
export function responsesProvider(client: OpenAI, model: string, classify: Provider["classify"]): Provider {
  return {
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      const body = responsesBody(request, model);
      if (!request.options?.stream) return fromResponse(await client.responses.create(body, { signal }));
      const clock = new StreamClock();
      const stream = await client.responses.create({ ...body, stream: true }, { signal });
      let final: Response | undefined;
      for await (const event of stream) {
        if (
          event.type === "response.output_text.delta" ||
          event.type === "response.refusal.delta" ||
          event.type === "response.function_call_arguments.delta"
        ) {
          clock.first();
        } else if (event.type === "response.completed" || event.type === "response.incomplete" || event.type === "response.failed") {
          final = event.response;
        } else if (event.type === "error") {
          throw new MalformedResponseError(`stream error${event.code ? ` ${event.code}` : ""}: ${event.message}`);
        }
      }
      if (!final) throw new MalformedResponseError("the stream ended without a response.completed event");
      const response = fromResponse(final);
      return { ...response, ...clock.fields(response.usage) };
    },
    classify,
  };
}

/** Chat-style params a variant may carry, renamed to the Responses API's (it refuses the old names). */
function responsesBody(request: ModelRequest, model: string): CreateParams {
  const { max_tokens, max_completion_tokens, response_format, reasoning_effort, ...params } = request.params as Record<string, unknown>;
  const instructions = request.messages
    .filter((message) => message.role === "system")
    .map((message) => message.content)
    .join("\n\n");
  const body: Record<string, unknown> = {
    store: false,
    ...params,
    model,
    input: request.messages.filter((message) => message.role !== "system").flatMap(toInputItems),
    ...(instructions ? { instructions } : {}),
  };
  const maxTokens = max_completion_tokens ?? max_tokens;
  if (typeof maxTokens === "number" && body.max_output_tokens === undefined) body.max_output_tokens = maxTokens;
  const format = request.json_mode ? { type: "json_object" } : textFormat(response_format);
  if (format) body.text = { ...(body.text as object | undefined), format };
  const effort = request.options?.reasoning?.effort ?? (typeof reasoning_effort === "string" ? reasoning_effort : undefined);
  if (effort) body.reasoning = { ...(body.reasoning as object | undefined), effort };
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      name: tool.name,
      parameters: tool.parameters,
      // Strict mode would reject schemas that are fine elsewhere (optional properties): off, like Chat Completions.
      strict: false,
      ...(tool.description ? { description: tool.description } : {}),
    }));
    const choice = request.tool_choice;
    if (choice) body.tool_choice = typeof choice === "string" ? choice : { type: "function", name: choice.name };
  }
  return body as unknown as CreateParams;
}

/** Chat Completions' `response_format` → the Responses API's `text.format` (json_schema is flattened). */
function textFormat(format: unknown): JsonObject | undefined {
  if (typeof format !== "object" || format === null) return undefined;
  const { type, json_schema } = format as { type?: unknown; json_schema?: JsonObject };
  if (type === "json_schema" && json_schema) return { type: "json_schema", ...json_schema };
  if (type === "json_object" || type === "text") return { type };
  return format as JsonObject;
}

/** A chat turn as Responses input items: an assistant turn with calls is its text plus one item per call. */
function toInputItems(message: ChatMessage): InputItem[] {
  if (message.role === "tool") {
    return [{ type: "function_call_output", call_id: message.tool_call_id ?? message.name ?? "call", output: message.content }];
  }
  const items: InputItem[] = [];
  if (message.content !== "" || !message.tool_calls?.length) {
    items.push({ type: "message", role: message.role as "user" | "assistant", content: message.content } as InputItem);
  }
  message.tool_calls?.forEach((call, index) => {
    items.push({ type: "function_call", call_id: call.id ?? `call_${index}`, name: call.name, arguments: JSON.stringify(call.arguments ?? {}) });
  });
  return items;
}

function fromResponse(response: Response): ModelResponse {
  if (typeof response !== "object" || response === null || !Array.isArray(response.output)) {
    throw new MalformedResponseError("response has no output array");
  }
  if (response.status === "failed") {
    throw new MalformedResponseError(`response failed${response.error ? `: ${response.error.code} ${response.error.message}` : ""}`);
  }
  const texts: string[] = [];
  const refusals: string[] = [];
  const calls: ToolCall[] = [];
  for (const item of response.output) {
    if (item.type === "message") {
      for (const part of item.content ?? []) {
        if (part.type === "output_text") texts.push(part.text);
        else if (part.type === "refusal") refusals.push(part.refusal);
      }
    } else if (item.type === "function_call") {
      calls.push({ id: item.call_id, name: item.name, ...parseToolArguments(item.arguments) });
    }
  }
  const refusal = refusals.join("");
  const usage = response.usage;
  const finish =
    response.status === "incomplete"
      ? (response.incomplete_details?.reason ?? "incomplete")
      : calls.length > 0
        ? "tool_calls"
        : refusal
          ? "refusal"
          : "stop";
  return {
    // A refusal comes instead of text: the checks read it as the output (and not-refusal reads `refusal`).
    text: texts.length > 0 ? texts.join("") : refusal,
    tool_calls: calls,
    usage: usage
      ? makeUsage({
          input: usage.input_tokens,
          output: usage.output_tokens,
          cachedInput: usage.input_tokens_details?.cached_tokens,
          cacheWrite: (usage.input_tokens_details as { cache_write_tokens?: unknown } | undefined)?.cache_write_tokens,
          reasoning: usage.output_tokens_details?.reasoning_tokens,
        })
      : null,
    finish_reason: finish,
    ...servedFields(response.model),
    ...(refusal ? { refusal } : {}),
  };
}
