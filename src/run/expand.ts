import type { ChatMessage, EvalCase, JsonObject, ModelRequest, RequestOptions, VariantSpec } from "../types.js";
import { applyVars } from "../vars.js";

/**
 * The request one variant gets for one case and draw. A dataset case: the variant's prompt (templated
 * with the case's vars) as the system message, then the case's conversation (templated too). A traffic
 * case (SPEC §9) is production's request as it was sent: the variant's prompt, when it has one, takes the
 * place of the first system/developer message, and nothing is templated.
 */
export function buildRequest(variant: VariantSpec, testCase: EvalCase, draw: number): ModelRequest {
  const messages = testCase.traffic ? trafficMessages(variant, testCase) : datasetMessages(variant, testCase);
  return {
    messages,
    params: testCase.traffic?.params ? { ...replayedParams(testCase.traffic.params, variant), ...variant.params } : variant.params,
    draw,
    ...(testCase.tools ? { tools: testCase.tools } : {}),
    ...(testCase.tool_choice ? { tool_choice: testCase.tool_choice } : {}),
    ...requestOptionsOf(variant),
  };
}

function datasetMessages(variant: VariantSpec, testCase: EvalCase): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (variant.prompt) messages.push({ role: "system", content: applyVars(variant.prompt.text, testCase.vars) });
  if (testCase.messages) {
    for (const message of testCase.messages) messages.push(templated(message, testCase));
  } else {
    messages.push({ role: "user", content: applyVars(testCase.input ?? "", testCase.vars) });
  }
  return messages;
}

function templated(message: ChatMessage, testCase: EvalCase): ChatMessage {
  const content = applyVars(message.content, testCase.vars);
  if (!message.parts) return { ...message, content };
  const parts = message.parts.map((part) => (part.type === "text" ? { ...part, text: applyVars(part.text, testCase.vars) } : part));
  return { ...message, content, parts };
}

function trafficMessages(variant: VariantSpec, testCase: EvalCase): ChatMessage[] {
  const messages = [...(testCase.messages ?? [])];
  if (!variant.prompt) return messages;
  const system: ChatMessage = { role: "system", content: variant.prompt.text };
  const first = messages.findIndex((message) => message.role === "system" || message.role === "developer");
  if (first === -1) messages.unshift(system);
  else messages[first] = { ...system, role: messages[first]?.role ?? "system" };
  return messages;
}

/**
 * The sampling parameters of a logged request that a replay keeps (the variant's own params win): never
 * `model`, `stream`, `n`, `user` or anything else that changes what comes back or who pays. Logged
 * requests are OpenAI-shaped; an Anthropic variant keeps only what its API means the same way.
 */
const replayedParamNames = [
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "response_format",
];
const anthropicParamNames = ["temperature", "top_p", "max_tokens"];

function replayedParams(params: JsonObject, variant: VariantSpec): JsonObject {
  const kept: JsonObject = {};
  const names = variant.provider === "anthropic" ? anthropicParamNames : replayedParamNames;
  for (const name of names) if (params[name] !== undefined) kept[name] = params[name];
  // OpenAI's newer name for the same limit, which the Messages API calls max_tokens.
  if (variant.provider === "anthropic" && kept.max_tokens === undefined && typeof params.max_completion_tokens === "number")
    kept.max_tokens = params.max_completion_tokens;
  return kept;
}

/** The variant's reasoning / thinking / stream fields, as the request carries them (nothing when unset). */
export function requestOptionsOf(variant: VariantSpec): { options?: RequestOptions } {
  const options: RequestOptions = {
    ...(variant.reasoning ? { reasoning: variant.reasoning } : {}),
    ...(variant.thinking ? { thinking: variant.thinking } : {}),
    ...(variant.stream ? { stream: true } : {}),
  };
  return Object.keys(options).length > 0 ? { options } : {};
}
