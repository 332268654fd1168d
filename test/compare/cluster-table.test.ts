/**
 * The analysis keeps in memory only what a later stage reads again: the cluster table holds the gated
 * metrics' clusters for the whole analysis and any other metric's only until the next one is asked
 * for, and an ungated metric's evidence keeps its delta, not its cases' values. Neither may change a
 * number: the analysis must equal one over a table that keeps everything.
 */
import { describe, expect, it } from "vitest";
import { computeMetrics, createClusterTable, metricDefinitions, segmentTagsOf } from "../../src/aggregate/metrics.js";
import { analyse } from "../../src/analyse.js";
import { compareMetrics } from "../../src/compare/compare.js";
import { recordOf } from "../../src/run/case-log.js";
import { makeSyntheticCases, syntheticChecks, syntheticGate } from "./synthetic-cases.js";

const cases = makeSyntheticCases({ seed: 7, cases: 300, repeats: 2, unpriced: 0.1 }).map((report) => recordOf(report));
const definitions = metricDefinitions(syntheticChecks);
const byName = (name: string) => {
  const definition = definitions.find((d) => d.name === name);
  if (!definition) throw new Error(`no metric ${name}`);
  return definition;
};

describe("cluster table", () => {
  it("keeps a kept metric's clusters and rebuilds another's once a different metric was asked for", () => {
    const table = createClusterTable(cases, (definition) => definition.name === "pass_rate");
    const kept = table.clusters(byName("pass_rate"), "baseline");
    const other = table.clusters(byName("latency.p95_ms"), "baseline");
    expect(table.clusters(byName("latency.p95_ms"), "baseline")).toBe(other);
    table.clusters(byName("error_rate"), "baseline");
    expect(table.clusters(byName("pass_rate"), "baseline")).toBe(kept);
    const rebuilt = table.clusters(byName("latency.p95_ms"), "baseline");
    expect(rebuilt).not.toBe(other);
    expect(rebuilt).toEqual(other);
  });

  it("an ungated metric's evidence answers for the delta only", () => {
    const evidence = compareMetrics(["pass_rate", "quality.score"], definitions, cases, { gated: new Set(["pass_rate"]) });
    expect(evidence.get("pass_rate")?.target(0)).not.toBeNull();
    const ungated = evidence.get("quality.score");
    expect(ungated?.target(0)).toBeNull();
    expect(ungated?.target(1)?.interval(0.95)).toEqual(ungated?.comparison.ci);
    expect(ungated?.comparison.ci).not.toBeNull();
  });

  it("the analysis gives the numbers of one over a table that keeps every metric", () => {
    const analysis = analyse({ cases, checks: syntheticChecks, gate: syntheticGate, falseFailReplications: 200 });
    const table = createClusterTable(cases);
    const tags = segmentTagsOf(cases, undefined);
    expect(analysis.metrics).toEqual(computeMetrics(cases, definitions, tags, table));
    expect(Object.keys(analysis.metrics.baseline)).toEqual(Object.keys(computeMetrics(cases, definitions, tags).baseline));
    const names = [
      ...new Set([...syntheticGate.map((rule) => rule.metric), ...definitions.map((d) => d.name), ...tags.map((tag) => `segment.${tag}.pass_rate`)]),
    ];
    const evidence = compareMetrics(names, definitions, cases, { gated: new Set(syntheticGate.map((rule) => rule.metric)), table });
    expect(analysis.comparison).toEqual([...evidence.values()].map((e) => e.comparison));
  });
});
