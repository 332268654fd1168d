import { costOf, priceOf } from "../pricing.js";
import type { Provider } from "../providers/types.js";
import { agreementOf } from "../score/agreement.js";
import { caseOutcome, isFlaky } from "../score/outcome.js";
import { orderLike, scoreDraw, scoreInput } from "../score/score-draw.js";
import type {
  CaseRecord,
  CaseReport,
  CaseRun,
  Check,
  CheckResult,
  EvalCase,
  JudgeCaller,
  ModelResponse,
  Pricing,
  RecordedArm,
  RequestOutcome,
  Side,
  VariantSpec,
} from "../types.js";
import type { ReusedDraw } from "./baseline-report.js";
import { buildRequest } from "./expand.js";
import { type Endpoint, requestKey } from "./request-key.js";
import type { Runner } from "./runner.js";

/** A variant ready to be called: its spec, endpoint identity and a lazily-built provider. */
export interface LiveVariant {
  spec: VariantSpec;
  endpoint: Endpoint;
  /** where its key comes from (undefined: it needs none) */
  keyVariable?: string;
  provider: () => Promise<Provider>;
}

/**
 * A side whose answers are a traffic file's recorded arm (SPEC §9): nothing is called for it; each
 * case's `traffic.arms[side]` is its one draw, with the recorded latency, usage and error.
 */
export interface RecordedVariant {
  recorded: true;
  /**
   * A line without this side's arm: an error on the case (`eval --traffic`: the user asked for that arm),
   * or no draw on that side (canary traffic: each line carries the one arm that served it).
   */
  whenAbsent?: "error" | "no-draw";
}

export type SideVariant = LiveVariant | RecordedVariant;

export interface EvaluationPlan {
  /** read as the run goes (a dataset streamed from its file): a long run holds only the cases in progress */
  cases: AsyncIterable<EvalCase> | Iterable<EvalCase>;
  checks: Check[];
  baseline: SideVariant;
  candidate: SideVariant;
  repeat: number;
  runner: Runner;
  judge?: JudgeCaller;
  /**
   * What the run keeps of each finished case (default: all of it). `eval` writes the case to its case
   * log here and keeps only the record, so memory does not grow with what the models wrote.
   */
  keep?: (report: CaseReport) => CaseRecord;
  /** cases in progress at once (default 64); requests in flight are bounded by the runner, not this */
  window?: number;
  /**
   * --baseline-report: the baseline's draws from an earlier run, by case id (scored again, not
   * re-requested). Handed over too: a case's entry is deleted once the case has finished.
   */
  reusedBaseline?: Map<string, ReusedDraw[]>;
}

/**
 * Runs every case × side × draw through the runner (all submitted at once; the runner bounds what is in
 * flight), scores each draw as soon as it lands, and pairwise checks once both sides of a draw exist.
 * Cases interrupted before they finished are left out: what is reported is complete.
 */
export async function evaluateCases(plan: EvaluationPlan): Promise<CaseRecord[]> {
  // A fixed set of workers (a few times the concurrency) each take the next case, rather than every
  // case being queued at once: a 100,000-case run holds a window of pending cases, not 100,000 tasks,
  // and the runner still sees plenty queued. Records keep the order the cases came in.
  const records: Array<CaseRecord | undefined> = [];
  const source = (Symbol.asyncIterator in plan.cases ? plan.cases : inOrder(plan.cases))[Symbol.asyncIterator]();
  let taken = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const index = taken++;
      records[index] = undefined; // the slot is taken in order, so the array stays dense
      records[index] = await evaluateCase(plan, next.value);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(64, plan.window ?? 64) }, worker));
  } finally {
    await source.return?.();
  }
  return records.filter((record): record is CaseRecord => record !== undefined);
}

async function* inOrder<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

async function evaluateCase(plan: EvaluationPlan, testCase: EvalCase): Promise<CaseRecord | undefined> {
  const draws = Array.from({ length: plan.repeat }, (_, draw) => draw);
  const runs = await Promise.all(
    draws.map(async (draw) => {
      const [baseline, candidate] = await Promise.all([runSide(plan, testCase, "baseline", draw), runSide(plan, testCase, "candidate", draw)]);
      if (baseline && candidate) {
        await scorePairwise(plan, testCase, baseline, candidate);
        if (baseline.outcome.status === "ok" && candidate.outcome.status === "ok") {
          const agreement = agreementOf(testCase, baseline.outcome.response, candidate.outcome.response);
          if (agreement) candidate.run.agreement = agreement;
        }
      }
      return { baseline: baseline?.run, candidate: candidate?.run, interrupted: baseline?.interrupted === true || candidate?.interrupted === true };
    }),
  );
  plan.reusedBaseline?.delete(testCase.id);
  if (runs.some((draw) => draw.interrupted)) return undefined;
  const baseline = runs.flatMap((draw) => (draw.baseline ? [draw.baseline] : []));
  const candidate = runs.flatMap((draw) => (draw.candidate ? [draw.candidate] : []));
  const report: CaseReport = {
    id: testCase.id,
    line: testCase.line,
    tags: testCase.tags,
    ...(testCase.input !== undefined ? { input: testCase.input } : {}),
    ...(testCase.messages ? { messages: testCase.messages } : {}),
    expected: testCase.expected,
    ...(testCase.metadata !== undefined ? { metadata: testCase.metadata } : {}),
    ...(testCase.traffic ? { traffic: { ts: testCase.traffic.ts, ...(testCase.traffic.source ? { source: testCase.traffic.source } : {}) } } : {}),
    baseline,
    candidate,
    outcome: caseOutcome(baseline, candidate),
    ...(plan.repeat > 1 ? { flaky: isFlaky(baseline) || isFlaky(candidate) } : {}),
  };
  return plan.keep ? plan.keep(report) : report;
}

interface SideResult {
  run: CaseRun;
  outcome: RequestOutcome;
  interrupted: boolean;
}

/** One side of one draw; undefined for a recorded side the line has no arm for, under `whenAbsent: "no-draw"`. */
async function runSide(plan: EvaluationPlan, testCase: EvalCase, side: Side, draw: number): Promise<SideResult | undefined> {
  const variant = plan[side];
  if ("recorded" in variant) {
    const arm = testCase.traffic?.arms[side];
    if (!arm && variant.whenAbsent === "no-draw") return undefined;
    const price = arm ? priceOf({ model: arm.model }) : null;
    return scoreSide(plan, testCase, draw, plan.runner.recordedAnswer({ side, price }, recordedOutcome(arm, side)), price);
  }
  const reused = side === "baseline" ? plan.reusedBaseline?.get(testCase.id)?.[draw] : undefined;
  const price = priceOf(variant.spec);
  const outcome = reused ? plan.runner.reuse({ side, price }, reusedOutcome(reused)) : await send(plan, variant, testCase, side, draw, price);
  return scoreSide(plan, testCase, draw, outcome, price);
}

function send(
  plan: EvaluationPlan,
  variant: LiveVariant,
  testCase: EvalCase,
  side: Side,
  draw: number,
  price: Pricing | null,
): Promise<RequestOutcome> {
  const request = buildRequest(variant.spec, testCase, draw);
  return plan.runner.send({
    provider: variant.provider,
    key: () => requestKey(variant.endpoint, request),
    request,
    endpoint: variant.endpoint,
    label: `case ${testCase.id}${plan.repeat > 1 ? ` draw ${draw}` : ""} (${side}: ${variant.spec.name})`,
    side,
    price,
    ...(variant.keyVariable ? { keyVariable: variant.keyVariable } : {}),
  });
}

/**
 * A recorded arm as the outcome of its draw: its error as the request's error, its latency only where
 * the source measured one (never invented). A line without the arm is an error on that case.
 */
function recordedOutcome(arm: RecordedArm | undefined, side: Side): RequestOutcome {
  if (!arm) {
    return {
      status: "error",
      error: { kind: "not_recorded", message: `this traffic line has no recorded ${side} arm` },
      latency_ms: null,
      attempts: 0,
      cached: false,
    };
  }
  const latency = arm.latency_ms ?? null;
  if (arm.error) return { status: "error", error: arm.error, latency_ms: latency, attempts: 1, cached: false };
  return {
    status: "ok",
    response: {
      text: arm.output ?? "",
      tool_calls: arm.tool_calls,
      usage: arm.usage,
      ...(arm.ttft_ms !== undefined ? { ttft_ms: arm.ttft_ms } : {}),
    },
    latency_ms: latency,
    attempts: 1,
    cached: false,
  };
}

/** A draw taken from an earlier report, as if it had just been answered. */
function reusedOutcome(run: ReusedDraw): RequestOutcome {
  const { output, tool_calls, usage, latency_ms: _latency, attempts: _attempts, cached: _cached, ...served } = run;
  return {
    status: "ok",
    response: { text: output ?? "", tool_calls, usage, ...served },
    latency_ms: run.latency_ms,
    attempts: run.attempts,
    cached: run.cached,
  };
}

async function scoreSide(
  plan: EvaluationPlan,
  testCase: EvalCase,
  draw: number,
  outcome: RequestOutcome,
  price: Pricing | null,
): Promise<SideResult> {
  const interrupted = outcome.status === "error" && (outcome.error.kind === "aborted" || outcome.error.kind === "cassette_miss");
  const input = scoreInput(testCase, outcome, plan.judge);
  const checks = interrupted ? {} : await scoreDraw(plan.checks, input, outcome);
  const ok = outcome.status === "ok";
  const run: CaseRun = {
    repeat: draw,
    output: ok ? outcome.response.text : null,
    tool_calls: ok ? outcome.response.tool_calls : [],
    usage: ok ? outcome.response.usage : null,
    latency_ms: outcome.latency_ms,
    cost_usd: ok ? costOf(outcome.response.usage, price) : null,
    attempts: outcome.attempts,
    cached: outcome.cached,
    error: outcome.status === "error" ? outcome.error : null,
    checks,
    ...(ok ? responseFacts(outcome.response) : {}),
  };
  return { run, outcome, interrupted };
}

/** What a draw records of the response beyond its output: who answered, streaming timings, a refusal. */
function responseFacts(response: ModelResponse): Pick<CaseRun, "served_model" | "system_fingerprint" | "ttft_ms" | "tokens_per_s" | "refusal"> {
  return {
    ...(response.served_model !== undefined ? { served_model: response.served_model } : {}),
    ...(response.system_fingerprint !== undefined ? { system_fingerprint: response.system_fingerprint } : {}),
    ...(response.ttft_ms !== undefined ? { ttft_ms: response.ttft_ms } : {}),
    ...(response.tokens_per_s !== undefined ? { tokens_per_s: response.tokens_per_s } : {}),
    ...(response.refusal !== undefined ? { refusal: response.refusal } : {}),
  };
}

/** Pairwise checks see both sides of one draw and write the same verdict (from each side's view) to both. */
async function scorePairwise(plan: EvaluationPlan, testCase: EvalCase, baseline: SideResult, candidate: SideResult): Promise<void> {
  const pairwise = plan.checks.filter((check) => check.scorePair);
  if (pairwise.length === 0 || baseline.interrupted || candidate.interrupted) return;
  for (const check of pairwise) {
    let result: CheckResult;
    if (!check.appliesTo(testCase)) result = { status: "skipped", score: null, reason: "does not apply to this case" };
    else if (baseline.outcome.status === "error" || candidate.outcome.status === "error") {
      // Not scored on either side; the side whose request failed already counts in error_rate, and
      // the other side's judge did nothing wrong (so this is not a judge error there).
      const failed = baseline.outcome.status === "error" ? baseline : candidate;
      const other = failed === baseline ? candidate : baseline;
      failed.run.checks[check.id] = { status: "error", score: null, reason: "no output to compare (this side's request failed)" };
      other.run.checks[check.id] = { status: "skipped", score: null, reason: "nothing to compare against (the other side's request failed)" };
      continue;
    } else {
      try {
        result = await (check.scorePair?.({
          case: testCase,
          baseline: scoreInput(testCase, baseline.outcome, plan.judge),
          candidate: scoreInput(testCase, candidate.outcome, plan.judge),
        }) as Promise<CheckResult>);
      } catch (error) {
        result = { status: "error", score: null, reason: `check failed to run: ${(error as Error).message}` };
      }
    }
    candidate.run.checks[check.id] = result;
    baseline.run.checks[check.id] = mirror(result);
  }
  baseline.run.checks = orderLike(plan.checks, baseline.run.checks);
  candidate.run.checks = orderLike(plan.checks, candidate.run.checks);
}

/** The baseline's view of a pairwise verdict: a candidate win is a baseline loss. */
function mirror(result: CheckResult): CheckResult {
  if (!result.pairwise) return result;
  const flipped = { win: "loss", loss: "win", tie: "tie", inconsistent: "inconsistent" } as const;
  const pairwise = flipped[result.pairwise];
  const score = result.score === null ? null : 1 - result.score;
  const status = result.status === "pass" || result.status === "fail" ? (pairwise === "loss" ? "fail" : "pass") : result.status;
  return { ...result, pairwise, score, status };
}
