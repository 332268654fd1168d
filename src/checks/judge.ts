import { dirname } from "node:path";
import { askJudge } from "../judge/ask.js";
import { boundaryFor, conversationText, outputText } from "../judge/fence.js";
import { extractJsonObject } from "../judge/parse-reply.js";
import { fillTemplate, type JudgeTemplate, loadTemplate } from "../judge/templates.js";
import type { ChatMessage, CheckFactory, CheckResult, EvalCase, ScoreInput } from "../types.js";
import { checkOptions } from "./common.js";

const noJudge: CheckResult = { status: "error", score: null, reason: "no judge configured" };

/** The criteria the judge grades against: the rubric's, plus the case's own. */
function criteriaFor(criteria: string, testCase: EvalCase): string {
  return testCase.criteria ? `${criteria}\nAlso, for this case: ${testCase.criteria}` : criteria;
}

function referenceBlock(testCase: EvalCase, boundary: string): string {
  if (testCase.expected.output === undefined) return "";
  return `A reference answer (data; the reply need not match it word for word):\n${boundary} BEGIN REFERENCE\n${testCase.expected.output}\n${boundary} END REFERENCE\n\n`;
}

function messagesFrom(template: JudgeTemplate, values: Record<string, string>): ChatMessage[] {
  return [
    { role: "system", content: fillTemplate(template.system, values) },
    { role: "user", content: fillTemplate(template.user, values) },
  ];
}

/**
 * `judge`: an LLM judge grades the output against `criteria` (+ the case's criteria, + `expected.output`
 * as reference). Pointwise: a score on `scale`, normalised to 0..1, pass at `pass_at` (original scale).
 * `mode: pairwise`: the judge compares baseline and candidate twice, positions swapped; a win counts
 * only when both orders agree, a flip is `inconsistent`. The output is fenced as data with a boundary
 * it cannot contain. An unusable judge reply is an `error` of the check, never a pass or fail.
 */
export const judge: CheckFactory = (spec, context) => {
  const options = checkOptions(spec, context, {
    criteria: "string",
    scale: "array",
    pass_at: "number",
    mode: "string",
    judge: "string",
    prompt: "string",
  });
  const criteria = (options.criteria as string | undefined) ?? "";
  if (criteria.trim() === "") context.issue("criteria", "required for a judge check: what a good output does");
  const mode = (options.mode as string | undefined) ?? "pointwise";
  if (mode !== "pointwise" && mode !== "pairwise") context.issue("mode", `expected pointwise | pairwise, got ${JSON.stringify(mode)}`);
  const scale = (options.scale as number[] | undefined) ?? [1, 5];
  const [lo = 1, hi = 5] = scale;
  if (scale.length !== 2 || !scale.every((n) => typeof n === "number" && Number.isFinite(n)) || lo >= hi) {
    context.issue("scale", `expected [low, high] with low < high, got ${JSON.stringify(options.scale)}`);
  }
  const passAt = (options.pass_at as number | undefined) ?? lo + 0.75 * (hi - lo);
  if (mode === "pairwise" && options.pass_at !== undefined)
    context.issue("pass_at", "not used by a pairwise judge (it reports wins, losses and ties)");
  if (options.pass_at !== undefined && (passAt < lo || passAt > hi))
    context.issue("pass_at", `expected a value on the scale [${lo}, ${hi}], got ${passAt}`);
  const custom = typeof options.prompt === "string" ? options.prompt : undefined;
  const template = loadTemplate(
    custom !== undefined ? { path: custom, root: dirname(context.rubricPath) } : { builtIn: mode === "pairwise" ? "pairwise" : "pointwise" },
  );
  if (typeof template === "string") context.issue(custom !== undefined ? "prompt" : "mode", template);
  else if (custom !== undefined)
    for (const problem of templateProblems(template, mode === "pairwise" ? "pairwise" : "pointwise"))
      context.issue("prompt", `${custom}: ${problem}`);
  const variant = options.judge as string | undefined;
  const common = {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    usesJudge: true,
    ...(variant !== undefined ? { judgeVariant: variant } : {}),
    // A custom template is named as the rubric names it (an absolute path would differ per machine).
    ...(typeof template !== "string" ? { judgeTemplates: { [custom ?? template.name]: template.sha256 } } : {}),
    appliesTo: () => true,
  };

  if (mode === "pairwise") {
    return {
      ...common,
      score: () => ({ status: "skipped", score: null, reason: "pairwise judge: scored on the pair" }),
      scorePair: async ({ case: testCase, baseline, candidate }) => {
        if (!candidate.judge || typeof template === "string") return noJudge;
        const base = outputText(baseline.output ?? "", baseline.tool_calls);
        const cand = outputText(candidate.output ?? "", candidate.tool_calls);
        // Nothing to prefer: asking would only measure the judge's position bias (and a noisy judge could
        // invent a regression between identical outputs), at the price of two calls. Marked as not asked,
        // so judge.inconsistency_rate and judge.error_rate count only the pairs the judge was asked about.
        if (base.trim() === cand.trim())
          return {
            status: "pass",
            score: 0.5,
            reason: "tie: the outputs are identical (the judge was not asked)",
            pairwise: "tie",
            judge_asked: false,
          };
        const boundary = boundaryFor(base, cand, conversationText(testCase), testCase.expected.output ?? "");
        const ask = (a: string, b: string) =>
          askJudge(
            candidate.judge as NonNullable<ScoreInput["judge"]>,
            messagesFrom(template, {
              boundary,
              criteria: criteriaFor(criteria, testCase),
              reference_block: referenceBlock(testCase, boundary),
              conversation: conversationText(testCase),
              output_a: a,
              output_b: b,
            }),
            parseWinner,
            '{"winner": "A" | "B" | "tie", "reason": "..."}',
            {
              ...(variant !== undefined ? { variant } : {}),
              label: `judge ${spec.id} on case ${testCase.id} (pairwise, ${a === base ? "baseline as A" : "candidate as A"})`,
            },
          );
        const [first, second] = await Promise.all([ask(base, cand), ask(cand, base)]);
        if (!first.ok) return { status: "error", score: null, reason: first.error };
        if (!second.ok) return { status: "error", score: null, reason: second.error };
        // First order: candidate is B. Second order: candidate is A.
        const firstView = first.value.winner === "B" ? "win" : first.value.winner === "A" ? "loss" : "tie";
        const secondView = second.value.winner === "A" ? "win" : second.value.winner === "B" ? "loss" : "tie";
        return pairwiseVerdict(firstView, secondView, first.value.reason, second.value.reason);
      },
    };
  }

  return {
    ...common,
    score: async (input) => {
      if (input.output === null) return { status: "error", score: null, reason: "no output to judge (the request failed)" };
      if (!input.judge || typeof template === "string") return noJudge;
      const output = outputText(input.output, input.tool_calls);
      const boundary = boundaryFor(output, conversationText(input.case), input.case.expected.output ?? "");
      const answer = await askJudge(
        input.judge,
        messagesFrom(template, {
          boundary,
          criteria: criteriaFor(criteria, input.case),
          reference_block: referenceBlock(input.case, boundary),
          conversation: conversationText(input.case),
          output,
          scale_lo: String(lo),
          scale_hi: String(hi),
        }),
        (reply) => parseScore(reply, lo, hi),
        `{"score": <number from ${lo} to ${hi}>, "reason": "..."}`,
        { ...(variant !== undefined ? { variant } : {}), label: `judge ${spec.id} on case ${input.case.id}` },
      );
      if (!answer.ok) return { status: "error", score: null, reason: answer.error };
      const { score, reason } = answer.value;
      return {
        status: score >= passAt ? "pass" : "fail",
        score: (score - lo) / (hi - lo),
        reason: `judge: ${score}/${hi}${reason ? ` — ${reason}` : ""}`,
      };
    },
  };
};

/** Placeholders a judge template may use, by mode; the marked ones it must use. */
const placeholders = {
  pointwise: {
    known: ["boundary", "criteria", "reference_block", "conversation", "output", "scale_lo", "scale_hi"],
    required: ["boundary", "output"],
  },
  pairwise: {
    known: ["boundary", "criteria", "reference_block", "conversation", "output_a", "output_b"],
    required: ["boundary", "output_a", "output_b"],
  },
} as const;

/**
 * A custom template must fence what it shows (`{{boundary}}`) and show the output(s); a placeholder it
 * cannot fill would reach the judge verbatim, so it is an input error.
 */
export function templateProblems(template: JudgeTemplate, mode: keyof typeof placeholders): string[] {
  const used = new Set([...`${template.system}\n${template.user}`.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)].map((match) => match[1] ?? ""));
  const { known, required } = placeholders[mode];
  const problems: string[] = [];
  for (const name of required) if (!used.has(name)) problems.push(`a ${mode} judge template must use {{${name}}}`);
  for (const name of used)
    if (!(known as readonly string[]).includes(name))
      problems.push(`unknown placeholder {{${name}}} (a ${mode} template may use ${known.map((k) => `{{${k}}}`).join(", ")})`);
  return problems;
}

/** `{"score": 4, "reason": "..."}` with the score on the scale; a string says what was wrong. */
export function parseScore(reply: string, lo: number, hi: number): { score: number; reason: string } | string {
  const object = extractJsonObject(reply, "score");
  if (!object) return 'no JSON object with a "score" found';
  // A numeric string is accepted, but not "" or "  " (Number() makes those 0: a fail the judge never gave).
  const score = typeof object.score === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(object.score) ? Number(object.score) : object.score;
  if (typeof score !== "number" || !Number.isFinite(score)) return `"score" is not a number: ${JSON.stringify(object.score)}`;
  if (score < lo || score > hi) return `"score" ${score} is outside the scale [${lo}, ${hi}]`;
  return { score, reason: typeof object.reason === "string" ? object.reason.replace(/\s+/g, " ").trim().slice(0, 300) : "" };
}

/** `{"winner": "A" | "B" | "tie"}` */
export function parseWinner(reply: string): { winner: "A" | "B" | "tie"; reason: string } | string {
  const object = extractJsonObject(reply, "winner");
  if (!object) return 'no JSON object with a "winner" found';
  // "A", "b", "Reply A", "B." all name a reply; anything else (an array, "A and B") is not a verdict.
  const raw =
    typeof object.winner === "string"
      ? object.winner
          .trim()
          .toLowerCase()
          .replace(/^(?:reply|response|output|assistant)\s+/, "")
          .replace(/[.!]$/, "")
      : "";
  const winner = raw === "a" ? "A" : raw === "b" ? "B" : raw === "tie" || raw === "draw" ? "tie" : undefined;
  if (!winner) return `"winner" must be "A", "B" or "tie", got ${JSON.stringify(object.winner)}`;
  return { winner, reason: typeof object.reason === "string" ? object.reason.replace(/\s+/g, " ").trim().slice(0, 300) : "" };
}

type View = "win" | "loss" | "tie";

/** Both orders agree → that verdict; one says tie → tie; they contradict → inconsistent (scored as a tie). */
export function pairwiseVerdict(first: View, second: View, firstReason: string, secondReason: string): CheckResult {
  if (first === second) {
    const score = first === "win" ? 1 : first === "loss" ? 0 : 0.5;
    const words = first === "win" ? "candidate better in both orders" : first === "loss" ? "baseline better in both orders" : "tie in both orders";
    return { status: first === "loss" ? "fail" : "pass", score, reason: `${words}: ${firstReason}`, pairwise: first };
  }
  if (first === "tie" || second === "tie") {
    return { status: "pass", score: 0.5, reason: `tie (the orders disagree: ${first} then ${second}): ${firstReason}`, pairwise: "tie" };
  }
  return {
    status: "pass",
    score: 0.5,
    reason: `inconsistent: the verdict flipped with the positions (${first} as B, ${second} as A) — counted as a tie; ${secondReason}`,
    pairwise: "inconsistent",
  };
}
