import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

const planted = new Set(["tool-003", "json-004", "faq-005", "tool-021", "faq-032"]);
const args = [
  "eval",
  "--rubric",
  "rubric.yaml",
  "--baseline",
  "openai-compatible:baseline-2024-01-01",
  "--candidate",
  "openai-compatible:candidate-2024-02-01",
  "--no-cache",
];
const read = (dir: string, out: string) => JSON.parse(readFileSync(join(dir, out, "report.json"), "utf8")) as RunReport;

/** Everything but what timing moves (run metadata, latencies). */
function comparable(report: RunReport) {
  const noLatency = (values: Record<string, number | null>) =>
    Object.fromEntries(Object.entries(values).filter(([metric]) => !metric.includes("latency.")));
  return {
    cases: report.cases.map((c) => ({ ...c, baseline: c.baseline.map(stable), candidate: c.candidate.map(stable) })),
    metrics: { baseline: noLatency(report.metrics.baseline), candidate: noLatency(report.metrics.candidate) },
    comparison: report.comparison.filter((c) => !c.metric.includes("latency.")),
    gate: report.gate,
    regressions: report.regressions,
    improvements: report.improvements,
  };
}
function stable(run: RunReport["cases"][number]["baseline"][number]) {
  const { latency_ms: _latency, cached: _cached, attempts: _attempts, ...rest } = run;
  return rest;
}

test("--shard i/n runs disjoint slices; merge gives the unsharded run's metrics, statistics and verdicts", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel(planted) });
  const dir = makeProject({ "data.jsonl": scenarioCases(45), "rubric.yaml": scenarioRubric });
  const env = { OPENAI_BASE_URL: server.openaiBaseUrl };
  const whole = await runModelgate([...args, "--out", "whole"], { cwd: dir, env });
  const shards = [];
  for (const i of [1, 2, 3]) shards.push(await runModelgate([...args, "--shard", `${i}/3`, "--out", `shard-${i}`], { cwd: dir, env }));
  const sizes = [1, 2, 3].map((i) => read(dir, `shard-${i}`).cases.length);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(45);
  expect(sizes.every((size) => size > 0)).toBe(true);
  expect(read(dir, "shard-2").run.shard).toEqual({ index: 2, count: 3 });

  const merged = await runModelgate(
    ["merge", "shard-3/report.json", "shard-1/report.json", "shard-2/report.json", "--out", "merged", "--format", "table,json,md"],
    { cwd: dir },
  );
  expect(merged.exitCode).toBe(whole.exitCode);
  expect(merged.stdout).toContain("tool-003");
  expect(comparable(read(dir, "merged"))).toEqual(comparable(read(dir, "whole")));

  const incomplete = await runModelgate(["merge", "shard-1/report.json", "shard-2/report.json"], { cwd: dir });
  expect(incomplete.exitCode).toBe(2);
  expect(incomplete.stderr).toMatch(/missing shard 3\/3/);
  const twice = await runModelgate(["merge", "shard-1/report.json", "shard-1/report.json", "shard-2/report.json"], { cwd: dir });
  expect(twice.exitCode).toBe(2);
  expect(twice.stderr).toMatch(/shard 1\/3 is given twice/);

  // A shard reformatted by a tool is still a report; one cut short is an input error naming its line.
  const shard1 = readFileSync(join(dir, "shard-1", "report.json"), "utf8");
  writeFileSync(join(dir, "shard-1", "pretty.json"), JSON.stringify(JSON.parse(shard1), null, 2));
  const pretty = await runModelgate(["merge", "shard-1/pretty.json", "shard-2/report.json", "shard-3/report.json", "--out", "merged-pretty"], {
    cwd: dir,
  });
  expect(pretty.exitCode).toBe(whole.exitCode);
  expect(comparable(read(dir, "merged-pretty"))).toEqual(comparable(read(dir, "whole")));
  const lines = shard1.split("\n");
  const firstCase = lines.indexOf('  "cases": [') + 1;
  writeFileSync(join(dir, "shard-1", "cut.json"), lines.slice(0, firstCase + 2).join("\n") + '\n    {"id": "tool-0');
  const cut = await runModelgate(["merge", "shard-1/cut.json", "shard-2/report.json", "shard-3/report.json", "--out", "merged-cut"], { cwd: dir });
  expect(cut.exitCode).toBe(2);
  expect(cut.stderr).toContain(`merge: shard-1/cut.json:${firstCase + 3}: not a case of a modelgate report`);
  expect(cut.stderr).not.toContain("crashed");
  expect(existsSync(join(dir, "merged-cut", "report.json"))).toBe(false);
  expect(readdirSync(join(dir, "merged-cut"))).toEqual([]);
});
