import { askJudge } from "../judge/ask.js";
import { boundaryFor, conversationText, outputText } from "../judge/fence.js";
import { extractJsonObject } from "../judge/parse-reply.js";
import { fillTemplate, loadTemplate } from "../judge/templates.js";
import type { Check, CheckBuildContext, CheckSpec } from "../types.js";

/** `{"refusal": true | false, "reason": "..."}` */
export function parseRefusal(reply: string): { refusal: boolean; reason: string } | string {
  const object = extractJsonObject(reply, "refusal");
  if (!object) return 'no JSON object with a "refusal" found';
  const value = object.refusal;
  const refusal = value === true || value === "true" ? true : value === false || value === "false" ? false : undefined;
  if (refusal === undefined) return `"refusal" must be true or false, got ${JSON.stringify(value)}`;
  return { refusal, reason: typeof object.reason === "string" ? object.reason.replace(/\s+/g, " ").trim().slice(0, 300) : "" };
}

/** `not-refusal` with `by: judge`: the judge classifies the output; an unusable reply is an error, not a verdict. */
export function judgedRefusal(spec: CheckSpec, context: CheckBuildContext, variant: string | undefined): Check {
  const template = loadTemplate({ builtIn: "refusal" });
  if (typeof template === "string") context.issue("by", template);
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    usesJudge: true,
    ...(variant !== undefined ? { judgeVariant: variant } : {}),
    ...(typeof template !== "string" ? { judgeTemplates: { [template.name]: template.sha256 } } : {}),
    appliesTo: () => true,
    score: async (input) => {
      if (input.output === null) return { status: "error", score: null, reason: "no output to classify (the request failed)" };
      if (!input.judge || typeof template === "string") return { status: "error", score: null, reason: "no judge configured" };
      if (input.output.trim() === "" && input.tool_calls.length > 0)
        return { status: "pass", score: 1, reason: "answered with a tool call", judge_asked: false };
      const output = outputText(input.output, input.tool_calls);
      const conversation = conversationText(input.case);
      const boundary = boundaryFor(output, conversation);
      const values = { boundary, conversation, output };
      const answer = await askJudge(
        input.judge,
        [
          { role: "system", content: fillTemplate(template.system, values) },
          { role: "user", content: fillTemplate(template.user, values) },
        ],
        parseRefusal,
        '{"refusal": true | false, "reason": "..."}',
        { ...(variant !== undefined ? { variant } : {}), label: `judge ${spec.id} on case ${input.case.id} (refusal)` },
      );
      if (!answer.ok) return { status: "error", score: null, reason: answer.error };
      const { refusal, reason } = answer.value;
      return refusal
        ? { status: "fail", score: 0, reason: `judge: a refusal${reason ? ` — ${reason}` : ""}` }
        : { status: "pass", score: 1, reason: `judge: not a refusal${reason ? ` — ${reason}` : ""}` };
    },
  };
}
