import { cpSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import type { TrafficLine } from "../../src/traffic/types.js";
import type { RunReport } from "../../src/types.js";
import { runModelgate } from "../support/run-cli.js";
import { tempFolderForTest } from "../support/temp-folder.js";

/*
 * examples/traffic/ is run, not just read: the two commands of its README, word for word, in a copy of the
 * repository's files, with no API key and every provider URL pointing at a closed port (a call would fail,
 * and none may reach the internet). The planted regressions are the ones the example's data file plants.
 */

const repoRoot = resolve(import.meta.dirname, "../..");
const readme = readFileSync(join(repoRoot, "examples/traffic/README.md"), "utf8");

const importArgs = [
  "import",
  "litellm",
  "examples/traffic/litellm.jsonl",
  "--out",
  "reports/traffic-example/prod.traffic.jsonl",
  "--arm",
  "baseline=gpt-4o-2024-08-06",
  "--arm",
  "candidate=gpt-4.1-2025-04-14",
  "--tag",
  "tenant=metadata.requester_metadata.tenant",
  "--tag",
  "route=metadata.requester_metadata.route",
];
const evalArgs = [
  "eval",
  "--rubric",
  "examples/traffic/rubric.yaml",
  "--traffic",
  "reports/traffic-example/prod.traffic.jsonl",
  "--baseline",
  "recorded",
  "--candidate",
  "recorded",
  "--out",
  "reports/traffic-example",
];

/** The trace ids of the three requests whose mirrored answer is planted to fail (and the check that catches it). */
const planted: Record<string, string> = {
  "5a68f35d-264e-459c-ac25-7a0b0ed00c49": "tool-args",
  "472d2a89-eada-4c4f-a9c1-85bbedf5b9ce": "triage-json",
  "d1a1c5d5-e9e8-4255-a67b-6b8691c9ef8c": "no-refusal",
};

const offline = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", ANTHROPIC_BASE_URL: "http://127.0.0.1:9" };

/** The `node dist/bin.js …` lines of the README's first ```sh block, as arguments. */
function readmeCommands(): string[][] {
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("no ```sh block in examples/traffic/README.md");
  return block
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      // The split below is only honest for plain words: no quoting, no variables, no continuations.
      expect(line).toMatch(/^node dist\/bin\.js [\w\s./,:=-]+$/);
      return line.trim().split(/\s+/).slice(2);
    });
}

/** The files the commands read from the repository root: the example, and the root config they pick up. */
function repoCopy(): string {
  const dir = tempFolderForTest("modelgate-traffic-example-");
  for (const path of ["examples/traffic", "modelgate.config.yaml", "prompts", "evals", "datasets"]) {
    cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
  }
  return dir;
}

describe("examples/traffic: production logs to a gate, offline (SPEC §9)", () => {
  test("the README's commands are the ones this test runs", () => {
    expect(readmeCommands()).toEqual([importArgs, evalArgs]);
  });

  test("import pairs every request with its silent_model mirror; eval gates on exactly the planted regressions, calling nothing", async () => {
    const dir = repoCopy();
    const imported = await runModelgate(importArgs, { cwd: dir, env: offline });
    expect(imported.stderr).toBe("");
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).toContain("examples/traffic/litellm.jsonl: litellm, StandardLoggingPayload\n  read 80, imported 80, dropped 0\n");
    expect(imported.stdout).toContain("wrote 40 line(s), 40 with both arms, to reports/traffic-example/prod.traffic.jsonl");

    const traceIds = new Set(
      readFileSync(join(dir, "examples/traffic/litellm.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((text) => (JSON.parse(text) as { trace_id: string }).trace_id),
    );
    const lines = readFileSync(join(dir, "reports/traffic-example/prod.traffic.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((text) => JSON.parse(text) as TrafficLine);
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map((line) => line.id))).toEqual(traceIds);
    for (const line of lines) {
      expect(line.arms.baseline).toMatchObject({ model: "gpt-4o-2024-08-06", served: true, error: null });
      expect(line.arms.candidate).toMatchObject({ model: "gpt-4.1-2025-04-14", served: false, error: null });
      expect(line.tags).toEqual(expect.arrayContaining([expect.stringMatching(/^tenant:(acme|globex|initech)$/), expect.stringMatching(/^route:/)]));
    }

    const evaluated = await runModelgate(evalArgs, { cwd: dir, env: offline });
    expect(evaluated.stderr).not.toContain("crashed");
    expect(evaluated.exitCode).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, "reports/traffic-example/report.json"), "utf8")) as RunReport;
    expect(report.run.requests.total).toBe(0);
    expect([...report.regressions].sort()).toEqual(Object.keys(planted).sort());
    expect(report.improvements).toEqual([]);
    for (const [id, check] of Object.entries(planted)) {
      const testCase = report.cases.find((c) => c.id === id);
      expect(testCase?.baseline[0]?.checks[check]?.status).toBe("pass");
      expect(testCase?.candidate[0]?.checks[check]?.status).toBe("fail");
    }
    expect(report.gate.verdict).toBe("fail");
    expect(report.gate.rules.filter((rule) => rule.verdict === "fail").map((rule) => rule.metric)).toEqual(["regressions"]);
    for (const tenant of ["acme", "globex", "initech"]) {
      expect(report.metrics.candidate[`segment.tenant:${tenant}.pass_rate`]).toEqual(expect.any(Number));
    }
    expect(evaluated.stdout).toMatch(/Segments, worst first[\s\S]*tenant:acme[\s\S]*tenant:initech/);
  });
});
