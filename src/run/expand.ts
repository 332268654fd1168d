import { applyVars } from "../load/vars.js";
import type { ChatMessage, EvalCase, ModelRequest, RequestOptions, VariantSpec } from "../types.js";

/**
 * The request one variant gets for one case and draw: the variant's prompt (templated with the case's
 * vars) as the system message, then the case's conversation (templated too).
 */
export function buildRequest(variant: VariantSpec, testCase: EvalCase, draw: number): ModelRequest {
  const messages: ChatMessage[] = [];
  if (variant.prompt) messages.push({ role: "system", content: applyVars(variant.prompt.text, testCase.vars) });
  if (testCase.messages) {
    for (const message of testCase.messages) messages.push({ ...message, content: applyVars(message.content, testCase.vars) });
  } else {
    messages.push({ role: "user", content: applyVars(testCase.input ?? "", testCase.vars) });
  }
  return {
    messages,
    params: variant.params,
    draw,
    ...(testCase.tools ? { tools: testCase.tools } : {}),
    ...(testCase.tool_choice ? { tool_choice: testCase.tool_choice } : {}),
    ...requestOptionsOf(variant),
  };
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
