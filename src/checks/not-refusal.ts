import type { CheckFactory } from "../types.js";
import { checkOptions, excerpt, noOutput } from "./common.js";
import { judgedRefusal } from "./judged-refusal.js";

/**
 * Phrases that open or carry a refusal. Matched near the start of the reply, where refusals live, so an
 * answer that merely quotes a policy ("we cannot refund gift cards") is not mistaken for one.
 */
const refusalPatterns: RegExp[] = [
  /\bI(?:'m| am)\s+(?:really\s+|very\s+)?sorry,?\s+(?:but\s+)?I\s+(?:can(?:'|no)t|cannot|am unable to|won't|will not|am not able to)\b/i,
  /\bI\s+(?:can(?:'|no)t|cannot|won't|will not|am unable to|am not able to|must decline to|have to decline to)\s+(?:help|assist|provide|do that|comply|fulfil|fulfill|support|answer|share|complete|process|engage)/i,
  /\b(?:I'm|I am)\s+(?:not\s+(?:able|allowed|permitted)|unable)\s+to\s+(?:help|assist|provide|answer|share|comply)/i,
  /\bI\s+(?:must|have to)\s+(?:respectfully\s+)?decline\b/i,
  /\b(?:as an AI(?: language model)?|as a language model),?\s+I\s+(?:can(?:'|no)t|cannot|don't|do not|am unable)/i,
  /\b(?:that|this) (?:request )?(?:is|goes) (?:against|outside) (?:my|our) (?:guidelines|policies|policy|scope)/i,
  /\bI(?:'m| am) not (?:comfortable|in a position) (?:helping|to help|providing|to provide|with)/i,
];

/**
 * `not-refusal`: the output is not a refusal or decline — by phrase patterns near its start, or with
 * `by: judge`, as the LLM judge classifies it (fenced as data, like every judge call).
 */
export const notRefusal: CheckFactory = (spec, context) => {
  const options = checkOptions(spec, context, { by: "string", patterns: "array", judge: "string" });
  if (options.by !== undefined && options.by !== "patterns" && options.by !== "judge") {
    context.issue("by", `expected "patterns" or "judge", got ${JSON.stringify(options.by)}`);
  }
  if (options.by === "judge") {
    if (options.patterns !== undefined) context.issue("patterns", "not used with by: judge");
    return judgedRefusal(spec, context, options.judge as string | undefined);
  }
  if (options.judge !== undefined) context.issue("judge", "only used with by: judge");
  const extra: RegExp[] = [];
  (Array.isArray(options.patterns) ? options.patterns : []).forEach((pattern, index) => {
    try {
      extra.push(new RegExp(String(pattern), "i"));
    } catch (error) {
      context.issue(`patterns[${index}]`, `not a valid regular expression: ${(error as Error).message}`);
    }
  });
  const patterns = [...refusalPatterns, ...extra];
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => true,
    score: ({ output, tool_calls }) => {
      if (output === null) return noOutput;
      if (output.trim() === "" && tool_calls.length > 0) return { status: "pass", score: 1, reason: "answered with a tool call" };
      const head = output.slice(0, 400);
      const hit = patterns.find((pattern) => pattern.test(head));
      if (!hit) return { status: "pass", score: 1, reason: "not a refusal" };
      const match = head.match(hit)?.[0] ?? "";
      return { status: "fail", score: 0, reason: `refusal: ${excerpt(match, 60)}` };
    },
  };
};
