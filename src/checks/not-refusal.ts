import { RE2JS } from "re2js";
import type { CheckFactory } from "../types.js";
import { checkOptions, excerpt, noOutput } from "./common.js";
import { judgedRefusal } from "./judged-refusal.js";
import { classifyRefusal } from "./refusal-phrases.js";

type Finder = (text: string) => { index: number; text: string } | undefined;

/** A rubric's own decline pattern, compiled by RE2 (linear time: no pattern can hang a run), case-insensitive. */
function finderFor(pattern: RE2JS): Finder {
  return (text) => {
    const matcher = pattern.matcher(text);
    if (!matcher.find()) return undefined;
    return { index: matcher.start(), text: matcher.group() ?? "" };
  };
}

/**
 * `not-refusal`: the output is not a refusal or decline — by phrase patterns near its start (a reply
 * that declines part of the request and helps with the rest is not a refusal: src/checks/refusal-phrases.ts),
 * or with `by: judge`, as the LLM judge classifies it (fenced as data, like every judge call).
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
  const extra: Finder[] = [];
  (Array.isArray(options.patterns) ? options.patterns : []).forEach((pattern, index) => {
    if (typeof pattern !== "string") {
      context.issue(`patterns[${index}]`, `expected a string (a regular expression), got ${JSON.stringify(pattern)}`);
      return;
    }
    try {
      extra.push(finderFor(RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE)));
    } catch (error) {
      context.issue(`patterns[${index}]`, `not a valid regular expression (RE2 syntax): ${(error as Error).message}`);
    }
  });
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => true,
    score: ({ output, tool_calls, refusal }) => {
      if (output === null) return noOutput;
      // The API said so itself (OpenAI's `refusal`): no phrase needs to match.
      if (refusal !== undefined) return { status: "fail", score: 0, reason: `refusal (the API's refusal field): ${excerpt(refusal, 60)}` };
      if (output.trim() === "" && tool_calls.length > 0) return { status: "pass", score: 1, reason: "answered with a tool call" };
      const verdict = classifyRefusal(output, extra);
      if (verdict.kind === "answer") return { status: "pass", score: 1, reason: "not a refusal" };
      if (verdict.kind === "partial")
        return {
          status: "pass",
          score: 1,
          reason: `not a refusal: declines ${excerpt(verdict.phrase, 60)} but helps (${excerpt(verdict.help, 40)})`,
        };
      return { status: "fail", score: 0, reason: `refusal: ${excerpt(verdict.phrase, 60)}` };
    },
  };
};
