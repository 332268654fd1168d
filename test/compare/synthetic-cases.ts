/**
 * Seeded synthetic runs for the comparison stage: repeats, request errors, cached draws, skipped and
 * errored checks, a pairwise judge, missing prices and tags of very different sizes, so every branch
 * of `compareMetric` (McNemar, clustered t, bootstrap, "no paired cases", counts) and segments with
 * different case counts are exercised.
 */
import { caseOutcome } from "../../src/score/outcome.js";
import { createRng, type Rng } from "../../src/stats/index.js";
import type { CaseReport, CaseRun, CheckInfo, CheckResult, GateRule } from "../../src/types.js";
import { makeCaseReport, makeCaseRun } from "../support/make-report.js";

export interface SyntheticOptions {
  seed: number;
  cases: number;
  repeats: number;
  /** share of successful draws with no price (makes the cost metrics null on that side) */
  unpriced?: number;
}

/** One check per category except `quality`, so `format.score` equals `check.format.score` case by case. */
export const syntheticChecks: CheckInfo[] = [
  { id: "format", type: "json-schema", category: "format" },
  { id: "fact", type: "contains", category: "quality" },
  { id: "helpful", type: "judge", category: "quality", uses_judge: true },
  { id: "prefer", type: "judge", category: "preference", pairwise: true, uses_judge: true },
];

/** Rules with relative and absolute bounds, so some comparisons carry a candidate interval. */
export const syntheticGate: GateRule[] = [
  { metric: "pass_rate", bound: { max_drop: 0.05 }, bound_text: "0.05", mode: "non-inferior" },
  { metric: "quality.score", bound: { max_drop: 0.02 }, bound_text: "0.02", mode: "significant" },
  { metric: "error_rate", bound: { max: 0.05 }, bound_text: "0.05", mode: "point" },
  { metric: "latency.p95_ms", bound: { max: 2500 }, bound_text: "2500", mode: "non-inferior" },
  { metric: "format.score", bound: { min: 0.5 }, bound_text: "0.5", mode: "point" },
  { metric: "check.helpful.score", bound: { min: 0.5 }, bound_text: "0.5", mode: "point" },
  { metric: "cost.total_usd", bound: { max_increase: 0.1, relative: true }, bound_text: "10%", mode: "point" },
  { metric: "segment.tenant:t1.pass_rate", bound: { max_drop: 0.1 }, bound_text: "0.1", mode: "point" },
  { metric: "segment.tenant:t2.latency.p50_ms", bound: { max: 1500 }, bound_text: "1500", mode: "point" },
];

/** `options.cases` cases of `options.repeats` draws per side, the candidate a little worse and slower. */
export function makeSyntheticCases(options: SyntheticOptions): CaseReport[] {
  const rng = createRng(options.seed);
  return Array.from({ length: options.cases }, (_, index) => {
    const difficulty = rng.next();
    const baseline = Array.from({ length: options.repeats }, (_, repeat) => makeRun(rng, repeat, difficulty, 0, options));
    const candidate = Array.from({ length: options.repeats }, (_, repeat) => makeRun(rng, repeat, difficulty, 0.05, options));
    const tags = [`tenant:t${index % 3}`, ...(index % 17 === 0 ? ["rare"] : []), ...(rng.next() < 0.3 ? ["long"] : [])];
    return makeCaseReport({ id: `case-${index}`, tags, baseline, candidate, outcome: caseOutcome(baseline, candidate) });
  });
}

function makeRun(rng: Rng, repeat: number, difficulty: number, handicap: number, options: SyntheticOptions): CaseRun {
  const cached = rng.next() < 0.1;
  if (rng.next() < 0.03) {
    const failed = { status: "error", score: null, reason: "request failed" } as const;
    return makeCaseRun({
      repeat,
      output: null,
      usage: null,
      cost_usd: null,
      cached,
      attempts: 3,
      latency_ms: 30_000,
      error: { kind: "timeout", message: "timed out" },
      checks: { format: failed, fact: failed, helpful: failed, prefer: failed },
    });
  }
  const skill = 1 - difficulty - handicap + (rng.next() - 0.5) * 0.4;
  const binary = (threshold: number): CheckResult =>
    skill > threshold ? { status: "pass", score: 1, reason: "ok" } : { status: "fail", score: 0, reason: "no" };
  const helpfulScore = Math.min(1, Math.max(0, skill + (rng.next() - 0.5) * 0.3));
  const helpful: CheckResult =
    rng.next() < 0.02
      ? { status: "error", score: null, reason: "judge reply unparsable" }
      : { status: helpfulScore >= 0.5 ? "pass" : "fail", score: Math.round(helpfulScore * 100) / 100, reason: "judged" };
  const verdict = rng.next();
  const prefer: CheckResult =
    rng.next() < 0.1
      ? { status: "skipped", score: null, reason: "not applicable" }
      : {
          status: "pass",
          score: 1,
          reason: "pairwise",
          pairwise: verdict < 0.3 + handicap ? "loss" : verdict < 0.6 ? "win" : verdict < 0.95 ? "tie" : "inconsistent",
        };
  return makeCaseRun({
    repeat,
    cached,
    attempts: rng.next() < 0.08 ? 2 : 1,
    latency_ms: Math.round(300 + rng.next() * 1500 + handicap * 2000 + (rng.next() < 0.05 ? 4000 : 0)),
    usage: { input_tokens: 100 + Math.floor(rng.next() * 50), output_tokens: 10 + Math.floor(rng.next() * 40) },
    cost_usd: rng.next() < (options.unpriced ?? 0) ? null : Math.round(rng.next() * 1e6) / 1e9,
    checks: { format: binary(0.15), fact: binary(0.35), helpful, prefer },
  });
}
