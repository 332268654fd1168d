/**
 * A candidate on the Anthropic Messages API. The served path stays byte-transparent to whatever the
 * baseline speaks (an OpenAI-compatible endpoint, since the clients speak Chat Completions); only the
 * copy changes wire: the client's Chat Completions request is read as a dataset case is
 * (`parseMessages`, the same OpenAI tool shapes) and sent through the Anthropic provider
 * (src/providers/anthropic.ts), so the mapping to Messages — system prompt, tool_use / tool_result
 * blocks, images, thinking, streaming — is the one every eval run uses, not a second one.
 */
import { parseMessages } from "../load/dataset.js";
import { createHttpClient } from "../providers/http-client.js";
import { providers } from "../providers/index.js";
import type { Provider, ProviderEnvironment } from "../providers/types.js";
import type { TrafficErrorKind } from "../traffic/types.js";
import type { ErrorKind, JsonObject, JsonValue, ModelRequest, ToolChoice, ToolDefinition, VariantSpec } from "../types.js";
import type { CandidateClient, CandidateReply } from "./candidate-copier.js";
import { candidatePrompt } from "./candidate-request.js";
import { failedAnswer } from "./read-completion.js";
import type { ProxySettings } from "./upstream-agent.js";

/** Chat Completions parameters that mean the same on the Messages API; the rest (n, seed, response_format, …) have no place there. */
const portable: Record<string, (value: JsonValue) => [string, JsonValue] | undefined> = {
  temperature: (value) => ["temperature", value],
  top_p: (value) => ["top_p", value],
  max_tokens: (value) => ["max_tokens", value],
  max_completion_tokens: (value) => ["max_tokens", value],
  stop: (value) => (value === null ? undefined : ["stop_sequences", Array.isArray(value) ? value : [value]]),
};

/** The copy of a client's Chat Completions body as a provider request, with the candidate variant's prompt, params and options. */
export function modelRequestOf(body: JsonObject, variant: VariantSpec): { request: ModelRequest } | { problems: string[] } {
  const problems: string[] = [];
  const report = (field: string, message: string) => problems.push(`${field}: ${message}`);
  const withPrompt = variant.prompt && Array.isArray(body.messages) ? candidatePrompt(body.messages, variant.prompt.text) : body.messages;
  const messages = parseMessages(withPrompt, "messages", report);
  const tools = toolsOf(body.tools, report);
  const toolChoice = toolChoiceOf(body.tool_choice);
  if (!messages || problems.length > 0) return { problems };
  const params: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    const mapped = value === undefined ? undefined : portable[key]?.(value);
    if (mapped) params[mapped[0]] = mapped[1];
  }
  Object.assign(params, variant.params);
  const stream = body.stream === true;
  return {
    request: {
      messages,
      ...(tools && tools.length > 0 ? { tools } : {}),
      ...(toolChoice && tools && tools.length > 0 ? { tool_choice: toolChoice } : {}),
      params,
      draw: 0,
      ...(stream || variant.thinking
        ? { options: { ...(stream ? { stream } : {}), ...(variant.thinking ? { thinking: variant.thinking } : {}) } }
        : {}),
    },
  };
}

function toolsOf(value: JsonValue | undefined, report: (field: string, message: string) => void): ToolDefinition[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    report("tools", "expected an array");
    return undefined;
  }
  const tools: ToolDefinition[] = [];
  for (const entry of value) {
    const fn = isObject(entry) && isObject(entry.function) ? entry.function : entry;
    if (!isObject(fn) || typeof fn.name !== "string") {
      report("tools", "expected {type: function, function: {name, parameters}}");
      continue;
    }
    tools.push({
      name: fn.name,
      parameters: isObject(fn.parameters) ? fn.parameters : { type: "object", properties: {} },
      ...(typeof fn.description === "string" ? { description: fn.description } : {}),
    });
  }
  return tools;
}

function toolChoiceOf(value: JsonValue | undefined): ToolChoice | undefined {
  if (value === "auto" || value === "required" || value === "none") return value;
  const fn = isObject(value) && isObject(value.function) ? value.function : undefined;
  return fn && typeof fn.name === "string" ? { name: fn.name } : undefined;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** modelgate's error taxonomy folded into a traffic line's (SPEC §9). */
function trafficKind(kind: ErrorKind): TrafficErrorKind {
  if (kind === "rate_limit" || kind === "auth" || kind === "timeout" || kind === "network" || kind === "bad_request") return kind;
  if (kind === "not_found") return "bad_request";
  if (kind === "aborted") return "timeout";
  return "server";
}

export async function anthropicClient(
  variant: VariantSpec,
  environment: Omit<ProviderEnvironment, "fetch">,
  proxies: ProxySettings,
  connections: number,
  maxResponseBytes: number,
): Promise<CandidateClient> {
  const env = { HTTP_PROXY: proxies.httpProxy, HTTPS_PROXY: proxies.httpsProxy, NO_PROXY: proxies.noProxy };
  const http = createHttpClient({ connections, env, maxResponseBytes });
  const provider: Provider = await providers.anthropic.create(variant.model, { ...environment, fetch: http.fetch });
  return {
    model: variant.model,
    async call(body: JsonObject, signal: AbortSignal): Promise<CandidateReply> {
      const mapped = modelRequestOf(body, variant);
      if ("problems" in mapped)
        return { answer: failedAnswer({ kind: "bad_request", message: `the request has no Messages API form: ${mapped.problems.join("; ")}` }) };
      try {
        const response = await provider.complete(mapped.request, signal);
        return {
          answer: { output: response.text, tool_calls: response.tool_calls, usage: response.usage, error: null },
          status: 200,
          ...(response.ttft_ms !== undefined ? { ttftMs: response.ttft_ms } : {}),
        };
      } catch (error) {
        // An abort is the copier's (timeout, shutdown): it says which.
        if (signal.aborted) throw error;
        const classified = provider.classify(error, false);
        return {
          answer: failedAnswer({ kind: trafficKind(classified.kind), message: classified.message }),
          ...(classified.status !== undefined ? { status: classified.status } : {}),
          ...(classified.retryAfterMs !== undefined ? { retryAfterMs: classified.retryAfterMs } : {}),
        };
      }
    },
    close: () => http.close(),
  };
}
