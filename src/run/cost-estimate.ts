import { UserError } from "../errors.js";
import { priceOf } from "../pricing.js";
import type { Check, EvalCase, VariantSpec } from "../types.js";
import { buildRequest } from "./expand.js";

/** Characters per token for the quick estimate (English prose and JSON average close to 4). */
const charsPerToken = 4;
/** Output tokens assumed when a case gives no reference answer and the variant sets no max_tokens. */
const defaultOutputTokens = 300;
/** What one judge call adds on top of the material it reads (instructions in, a short JSON verdict out). */
const judgeOverhead = { input: 400, output: 80 };

export interface CostEstimate {
  usd: number;
  /** the judge's share of `usd` (0 without a judge) */
  judgeUsd: number;
  /** models with no known price (their calls are left out of `usd`) */
  unpriced: string[];
}

function tokens(text: string): number {
  return Math.ceil(text.length / charsPerToken);
}

function outputTokens(variant: VariantSpec, testCase: EvalCase): number {
  const cap = typeof variant.params.max_tokens === "number" ? variant.params.max_tokens : Number.POSITIVE_INFINITY;
  const expected = testCase.expected.output !== undefined ? tokens(testCase.expected.output) * 1.5 : defaultOutputTokens;
  return Math.min(cap, expected);
}

/**
 * A fast upper-ish estimate of a run's cost before it starts (--max-cost): request characters / 4 as
 * input tokens, the reference answer (or a default) as output, both variants × repeats, plus the judge
 * reading each output (twice per pair for pairwise checks).
 */
export async function estimateRunCost(input: {
  /** the run's cases, read once */
  cases: AsyncIterable<EvalCase>;
  /** undefined: a recorded side (`eval --traffic`), which costs nothing to run but may still be judged */
  baseline: VariantSpec | undefined;
  candidate: VariantSpec | undefined;
  judge?: VariantSpec;
  checks: Check[];
  repeat: number;
}): Promise<CostEstimate> {
  const unpriced = new Set<string>();
  let usd = 0;
  let judgeUsd = 0;
  const add = (variant: VariantSpec, inTokens: number, outTokens: number, isJudge = false) => {
    const price = priceOf(variant);
    if (!price) unpriced.add(`${variant.provider}:${variant.model}`);
    else {
      const cost = (inTokens * price.input_per_mtok + outTokens * price.output_per_mtok) / 1_000_000;
      usd += cost;
      if (isJudge) judgeUsd += cost;
    }
  };
  for await (const testCase of input.cases) {
    for (const side of ["baseline", "candidate"] as const) {
      const variant = input[side];
      const messages = variant ? buildRequest(variant, testCase, 0).messages : testCase.messages;
      const inTokens = tokens(JSON.stringify(messages)) + tokens(JSON.stringify(testCase.tools ?? []));
      const outTokens = variant ? outputTokens(variant, testCase) : tokens(testCase.traffic?.arms[side]?.output ?? "");
      if (variant) add(variant, inTokens * input.repeat, outTokens * input.repeat);
      if (!input.judge) continue;
      for (const check of input.checks) {
        if (!check.usesJudge || !check.appliesTo(testCase)) continue;
        // Pointwise: one call per output. Pairwise: two calls per pair (one per side here), each reading both outputs.
        const judgeIn = (judgeOverhead.input + inTokens + outTokens * (check.scorePair ? 2 : 1)) * input.repeat;
        add(input.judge, judgeIn, judgeOverhead.output * input.repeat, true);
      }
    }
  }
  return { usd, judgeUsd, unpriced: [...unpriced] };
}

/** How the estimate was made, for the line `eval --max-cost` prints beside it. */
export const estimateMethod =
  `request characters / ${charsPerToken} as input tokens; the reference answer × 1.5 (else ${defaultOutputTokens} tokens, capped by max_tokens) as output; ` +
  `× repeats, at each variant's price; the judge reads each output (+${judgeOverhead.input} tokens in, ${judgeOverhead.output} out per call); cache and cassette hits not subtracted`;

/** Refuses a run whose estimate exceeds --max-cost (exit 3), or that cannot be priced. */
export function enforceCostLimit(estimate: CostEstimate, maxCostUsd: number): void {
  if (estimate.unpriced.length > 0) {
    throw new UserError(
      `--max-cost: no price known for ${estimate.unpriced.join(", ")}; add \`pricing: { input_per_mtok, output_per_mtok }\` to the variant`,
    );
  }
  if (estimate.usd > maxCostUsd) {
    throw new UserError(
      `cost guard: this run is estimated at $${estimate.usd.toFixed(4)}, over --max-cost $${maxCostUsd}; not started\n  (estimated from ${estimateMethod})`,
      3,
    );
  }
}
