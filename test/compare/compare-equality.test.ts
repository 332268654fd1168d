/**
 * The comparison stage must give the same numbers, to the last bit, however it is organised (batched
 * resamples, deduplicated clusters, shared clusters). The snapshot was recorded with the one-bootstrap-
 * per-metric implementation; each comparison is one line of JSON, whose numbers are the shortest
 * round-trip form (and -0 is kept), so a one-ulp change fails here.
 */
import { describe, expect, test } from "vitest";
import { clustersOf, type MetricDefinition, metricDefinitions, metricValue, segmentTagsOf } from "../../src/aggregate/metrics.js";
import { analyse } from "../../src/compare/analyse.js";
import { type CompareOptions, compareMetric, compareMetrics } from "../../src/compare/compare.js";
import type { CaseReport } from "../../src/types.js";
import { makeSyntheticCases, type SyntheticOptions, syntheticChecks, syntheticGate } from "./synthetic-cases.js";

const datasets: Array<{
  name: string;
  options: SyntheticOptions;
  compare: CompareOptions;
  analyse?: { segments: string[]; cachedLatency: boolean };
}> = [
  { name: "single draw", options: { seed: 11, cases: 240, repeats: 1 }, compare: {} },
  { name: "three repeats", options: { seed: 12, cases: 120, repeats: 3 }, compare: {} },
  {
    name: "two repeats, some unpriced, other seed",
    options: { seed: 13, cases: 90, repeats: 2, unpriced: 0.02 },
    compare: { seed: 7, resamples: 500 },
  },
  { name: "tiny", options: { seed: 14, cases: 4, repeats: 2 }, compare: { resamples: 50 } },
  {
    name: "configured segments (one repeated, one absent), cached latency counted",
    options: { seed: 15, cases: 150, repeats: 2 },
    compare: {},
    analyse: { segments: ["tenant:t1", "rare", "tenant:t1", "absent"], cachedLatency: true },
  },
];

/** Segment metrics of each kind (binary, score, quantile, sum, pairwise, tokens, count). */
const segmentMetrics = [
  "pass_rate",
  "format.score",
  "quality.score",
  "latency.p95_ms",
  "cost.total_usd",
  "check.prefer.net_win",
  "tokens.output.mean",
  "regressions",
];

/** Every metric, some segment metrics of every tag, and names that are no metric at all. */
function namesOf(cases: CaseReport[]): string[] {
  return [
    ...metricDefinitions(syntheticChecks).map((d) => d.name),
    ...segmentTagsOf(cases, undefined).flatMap((tag) => segmentMetrics.map((metric) => `segment.${tag}.${metric}`)),
    "no.such.metric",
    "segment.tenant:t1.no_such",
  ];
}

/** One exact line per object: JSON keeps every number's shortest round-trip form; -0 is spelled out. */
const exact = (value: object) => JSON.stringify(value, (_, v) => (Object.is(v, -0) ? "-0" : v));

describe.each(datasets)("$name", ({ options, compare, analyse: configured }) => {
  const cases = makeSyntheticCases(options);
  const names = namesOf(cases);
  const definitions = metricDefinitions(syntheticChecks);

  test("compareMetrics with candidate intervals on every metric", () => {
    const comparisons = compareMetrics(names, definitions, cases, { ...compare, candidateIntervals: new Set(names) });
    expect(comparisons.map(exact)).toMatchSnapshot();
  });

  test("analyse", () => {
    const analysis = analyse({ cases, checks: syntheticChecks, gate: syntheticGate, ...configured });
    const includeCachedLatency = configured?.cachedLatency ?? false;
    const metrics = referenceMetrics(cases, metricDefinitions(syntheticChecks, { includeCachedLatency }), segmentTagsOf(cases, configured?.segments));
    expect(analysis.metrics).toEqual(metrics);
    expect(Object.keys(analysis.metrics.candidate)).toEqual(Object.keys(metrics.candidate));
    expect({ comparison: analysis.comparison.map(exact), gate: [analysis.gate.verdict, ...analysis.gate.rules.map(exact)] }).toMatchSnapshot();
  });

  test("compareMetrics equals compareMetric one name at a time", () => {
    const candidateIntervals = new Set(names.filter((_, i) => i % 2 === 0));
    const batched = compareMetrics(names, definitions, cases, { ...compare, candidateIntervals });
    const single = names.flatMap((name) => compareMetrics([name], definitions, cases, { ...compare, candidateIntervals }));
    expect(batched).toEqual(single);
    const direct = definitions.map((definition) => compareMetric(definition, definition.name, cases, { ...compare, candidateIntervals }));
    expect(batched.slice(0, definitions.length)).toEqual(direct);
  });
});

/** The plain definition of the metrics (every subset's clusters built from scratch): the oracle for the fast path. */
function referenceMetrics(cases: CaseReport[], definitions: MetricDefinition[], segmentTags: string[]) {
  const result = { baseline: {} as Record<string, number | null>, candidate: {} as Record<string, number | null> };
  const fill = (subset: CaseReport[], prefix: string) => {
    for (const definition of definitions) {
      for (const side of ["baseline", "candidate"] as const) {
        result[side][`${prefix}${definition.name}`] = metricValue(definition, clustersOf(definition, subset, side), subset, side);
      }
    }
  };
  fill(cases, "");
  for (const tag of segmentTags)
    fill(
      cases.filter((testCase) => testCase.tags.includes(tag)),
      `segment.${tag}.`,
    );
  return result;
}
