import { createHash } from "node:crypto";
import type { ChatMessage, EvalCase } from "../types.js";
import { applyVars } from "../vars.js";

/**
 * A boundary marker the fenced material cannot contain. It is derived from a hash of the material
 * itself (no text can contain a hash of itself), so it is unguessable to the model that wrote the
 * output, yet the same on every run — judge requests stay cacheable and replayable.
 */
export function boundaryFor(...materials: string[]): string {
  const all = materials.join("\u0000");
  for (let salt = 0; ; salt++) {
    const marker = `@@DATA-${createHash("sha256").update(`${salt}:${all}`).digest("hex").slice(0, 20)}@@`;
    if (!all.includes(marker)) return marker;
  }
}

/** The conversation a case's model saw, as plain labelled text for the judge. */
export function conversationText(testCase: EvalCase): string {
  const messages: ChatMessage[] = testCase.messages ?? [{ role: "user", content: testCase.input ?? "" }];
  return messages
    .map((message) => {
      const calls = message.tool_calls?.length
        ? ` [tool calls: ${JSON.stringify(message.tool_calls.map((c) => ({ name: c.name, arguments: c.arguments })))}]`
        : "";
      return `[${message.role}] ${applyVars(message.content, testCase.vars)}${calls}`;
    })
    .join("\n");
}

/** A model's output as the judge sees it: its text, and its tool calls when it made any. */
export function outputText(output: string, toolCalls: Array<{ name: string; arguments: unknown }>): string {
  if (toolCalls.length === 0) return output;
  const calls = toolCalls.map((call) => `${call.name}(${JSON.stringify(call.arguments)})`).join("\n");
  return `${output}${output ? "\n" : ""}[tool calls]\n${calls}`;
}
