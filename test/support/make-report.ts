/**
 * Builders for run reports in tests: small defaults you override field by field, a deterministic
 * generator of N cases for scale tests, and the hand-written fixture.
 */
import { readFileSync } from "node:fs";
import type { CaseOutcome, CaseReport, CaseRun, CheckResult, GateRuleResult, RunReport } from "../../src/types.js";

const SMALL_FIXTURE = new URL("../fixtures/report-small.json", import.meta.url);

/** The hand-written fixture: 6 cases with regressions, an improvement, an error and hostile strings. */
export function loadSmallReport(): RunReport {
  return JSON.parse(readFileSync(SMALL_FIXTURE, "utf8")) as RunReport;
}

export function makeCheckResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return { status: "pass", score: 1, reason: "ok", ...overrides };
}

export function makeCaseRun(overrides: Partial<CaseRun> = {}): CaseRun {
  return {
    repeat: 0,
    output: "The order ships tomorrow.",
    tool_calls: [],
    usage: { input_tokens: 120, output_tokens: 12 },
    latency_ms: 800,
    cost_usd: 0.0004,
    attempts: 1,
    cached: false,
    error: null,
    checks: { format: makeCheckResult(), helpful: makeCheckResult({ score: 0.75 }) },
    ...overrides,
  };
}

export function makeCaseReport(overrides: Partial<CaseReport> = {}): CaseReport {
  return {
    id: "case-001",
    tags: [],
    input: "When does my order ship?",
    baseline: [makeCaseRun()],
    candidate: [makeCaseRun()],
    outcome: "pass",
    ...overrides,
  };
}

export function makeGateRule(overrides: Partial<GateRuleResult> = {}): GateRuleResult {
  return {
    metric: "pass_rate",
    baseline: 0.9,
    candidate: 0.88,
    delta: -0.02,
    ci: [-0.06, 0.02],
    p_value: 0.5,
    method: "exact McNemar; Newcombe paired interval",
    n: 50,
    bound: { max_drop: 0.05 },
    bound_text: "0.05",
    mode: "point",
    verdict: "pass",
    inconclusive: false,
    reason: "dropped 2.0 pp; the bound allows 5.0 pp",
    ...overrides,
  };
}

type ReportOverrides = Partial<Omit<RunReport, "run">> & { run?: Partial<RunReport["run"]> };

export function makeReport(overrides: ReportOverrides = {}): RunReport {
  const { run, ...rest } = overrides;
  const cases = rest.cases ?? [makeCaseReport()];
  const rules = rest.gate?.rules ?? [makeGateRule()];
  return {
    schema_version: 1,
    run: {
      id: "run-test",
      started_at: "2025-03-01T10:00:00.000Z",
      finished_at: "2025-03-01T10:01:30.000Z",
      modelgate_version: "0.1.0",
      dataset: { path: "datasets/test.jsonl", sha256: "a".repeat(64) },
      rubric: { path: "evals/test.yaml", sha256: "b".repeat(64) },
      repeat: 1,
      interrupted: false,
      warnings: [],
      requests: { total: cases.length * 2, reused: 0 },
      ...run,
    },
    variants: {
      baseline: { name: "stable", provider: "openai", model: "gpt-4o-2024-08-06", prompt_sha256: "c".repeat(64), params: {} },
      candidate: { name: "canary", provider: "openai", model: "gpt-4o-2025-01-21", prompt_sha256: "c".repeat(64), params: {} },
    },
    checks: [
      { id: "format", type: "json-schema", category: "format" },
      { id: "helpful", type: "judge", category: "quality" },
    ],
    metrics: { baseline: { pass_rate: 0.9 }, candidate: { pass_rate: 0.88 } },
    comparison: rules.map(({ metric, baseline, candidate, delta, ci, p_value, method, n }) => ({
      metric,
      baseline,
      candidate,
      delta,
      ci,
      p_value,
      method,
      n,
    })),
    regressions: cases.filter((testCase) => testCase.outcome === "regression").map((testCase) => testCase.id),
    improvements: cases.filter((testCase) => testCase.outcome === "improvement").map((testCase) => testCase.id),
    ...rest,
    cases,
    gate: rest.gate ?? { verdict: rules.some((rule) => rule.verdict === "fail") ? "fail" : "pass", rules },
  };
}

// ------------------------------------------------------------------ scale

const WORDS = (
  "the order refund shipping customer policy account card charge return label carrier days business " +
  "window damaged item replacement support ticket update status delivery tracking number invoice"
).split(" ");

/** A small deterministic PRNG (mulberry32), so generated reports are stable across runs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(next: () => number, words: number): string {
  const picked = Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)] ?? "the");
  return `${picked.join(" ")}.`;
}

function outcomeAt(index: number): CaseOutcome {
  if (index % 20 === 0) return "regression";
  if (index % 33 === 1) return "improvement";
  if (index % 97 === 2) return "error";
  if (index % 11 === 3) return "fail";
  return "pass";
}

/** N generated cases: ~5% regressions, ~3% improvements, ~1% errors, ~9% failing on both sides. */
export function makeManyCases(count: number, options: { seed?: number; outputWords?: number } = {}): CaseReport[] {
  const next = random(options.seed ?? 42);
  const words = options.outputWords ?? 40;
  return Array.from({ length: count }, (_, index) => {
    const outcome = outcomeAt(index);
    const baselinePasses = outcome === "pass" || outcome === "regression" || outcome === "error";
    const candidatePasses = outcome === "pass" || outcome === "improvement";
    const baselineOutput = sentence(next, words);
    const candidateOutput = baselineOutput.replace(/\b(order|refund|days)\b/, () => sentence(next, 2).slice(0, -1));
    const result = (passes: boolean) => ({
      format: makeCheckResult(passes ? { reason: "valid" } : { status: "fail", score: 0, reason: "/amount: must be number" }),
      helpful: makeCheckResult({ score: passes ? 0.75 + next() * 0.25 : next() * 0.5, status: passes ? "pass" : "fail", reason: "judged" }),
    });
    const candidate =
      outcome === "error"
        ? makeCaseRun({
            output: null,
            usage: null,
            cost_usd: null,
            attempts: 5,
            latency_ms: 30_000,
            error: { kind: "rate_limit", message: "429 Too Many Requests", status: 429 },
            checks: {
              format: makeCheckResult({ status: "error", score: null, reason: "request failed: rate_limit" }),
              helpful: makeCheckResult({ status: "error", score: null, reason: "request failed: rate_limit" }),
            },
          })
        : makeCaseRun({ output: candidateOutput, latency_ms: Math.round(500 + next() * 1800), checks: result(candidatePasses) });
    return makeCaseReport({
      id: `case-${String(index).padStart(5, "0")}`,
      tags: [`tenant:t${index % 7}`, `kind:${["qa", "json", "tools"][index % 3] ?? "qa"}`],
      input: `Question ${index}: ${sentence(next, 12)}`,
      baseline: [makeCaseRun({ output: baselineOutput, latency_ms: Math.round(400 + next() * 1500), checks: result(baselinePasses) })],
      candidate: [candidate],
      outcome,
    });
  });
}

/** A report of N generated cases, gate failed on regressions. */
export function makeLargeReport(count: number): RunReport {
  const cases = makeManyCases(count);
  const regressions = cases.filter((testCase) => testCase.outcome === "regression").length;
  return makeReport({
    cases,
    gate: {
      verdict: "fail",
      rules: [
        makeGateRule(),
        makeGateRule({
          metric: "regressions",
          baseline: null,
          candidate: regressions,
          delta: null,
          ci: null,
          p_value: null,
          bound: { max: 0 },
          bound_text: "0",
          verdict: "fail",
          reason: `${regressions} regressions > 0`,
        }),
      ],
    },
  });
}
