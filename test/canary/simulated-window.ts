/**
 * Builders for canary tests: a window's CaseRecords drawn from per-arm pass rates (seeded), and the
 * metric definitions of a small live rubric (a `format` and a `quality` check, reference-free).
 */
import { type MetricDefinition, metricDefinitions } from "../../src/aggregate/metrics.js";
import type { CanaryPlan } from "../../src/canary/plan.js";
import { createRng, type Rng } from "../../src/stats/index.js";
import type { CaseRecord, GateRule, RunRecord } from "../../src/types.js";

export const liveDefinitions: MetricDefinition[] = metricDefinitions([
  { id: "format", type: "is-json", category: "format" },
  { id: "quality", type: "not-refusal", category: "quality" },
]);

export interface ArmTruth {
  format: number;
  quality: number;
  error?: number;
  latency?: number;
}

function draw(rng: Rng, truth: ArmTruth): RunRecord {
  const failed = rng.bernoulli(truth.error ?? 0) === 1;
  const status = (p: number) => (rng.bernoulli(p) === 1 ? "pass" : "fail") as "pass" | "fail";
  const format = status(truth.format);
  const quality = status(truth.quality);
  return {
    repeat: 0,
    usage: { input_tokens: 100, output_tokens: 20 },
    latency_ms: (truth.latency ?? 800) * (0.5 + rng.next()),
    cost_usd: 0.0001,
    attempts: 1,
    cached: false,
    error: failed ? { kind: "server", message: "500" } : null,
    checks: failed
      ? {}
      : {
          format: { status: format, score: format === "pass" ? 1 : 0, reason: "" },
          quality: { status: quality, score: quality === "pass" ? 1 : 0, reason: "" },
        },
  } as RunRecord;
}

/** One window of canary traffic: `baseline` lines served by the baseline, `candidate` by the candidate. */
export function simulatedWindow(
  rng: Rng,
  counts: { baseline: number; candidate: number },
  truth: { baseline: ArmTruth; candidate: ArmTruth },
  tags: (arm: "baseline" | "candidate", i: number) => string[] = () => [],
): CaseRecord[] {
  const cases: CaseRecord[] = [];
  for (const arm of ["baseline", "candidate"] as const) {
    for (let i = 0; i < counts[arm]; i++) {
      const run = draw(rng, truth[arm]);
      cases.push({
        id: `${arm}-${i}`,
        tags: tags(arm, i),
        baseline: arm === "baseline" ? [run] : [],
        candidate: arm === "candidate" ? [run] : [],
        outcome: "pass",
      });
    }
  }
  return cases;
}

export const rule = (metric: string, bound: GateRule["bound"], mode: GateRule["mode"] = "point"): GateRule => ({
  metric,
  bound,
  bound_text: String(Object.values(bound)[0]),
  mode,
});

/** A plan with SPEC §11's shape, 15-minute windows over one day unless overridden. */
export function simulatedPlan(overrides: Partial<CanaryPlan> = {}): CanaryPlan {
  return {
    path: "/plans/canary.yaml",
    displayPath: "canary.yaml",
    sha256: "0".repeat(64),
    name: "sim",
    rubricPath: "/plans/live.yaml",
    baseline: "stable",
    candidate: "canary",
    traffic: { kind: "files", globs: [] },
    window_ms: 15 * 60_000,
    window_lag_ms: 2 * 60_000,
    min_requests: 100,
    compare_within: [],
    stages: [
      { kind: "percent", name: "5%", percent: 5, min_duration_ms: 0 },
      { kind: "percent", name: "25%", percent: 25, min_duration_ms: 0 },
      { kind: "percent", name: "100%", percent: 100, min_duration_ms: 0 },
    ],
    promote: { consecutive: 4, rules: [rule("quality.pass_rate", { max_drop: 0.03 }, "non-inferior")] },
    rollback: {
      windows: 1,
      rules: [rule("format.pass_rate", { max_drop: 0 }, "significant"), rule("quality.pass_rate", { max_drop: 0.02 }, "significant")],
    },
    max_duration_ms: 86_400_000,
    ...overrides,
  };
}

export { createRng };
