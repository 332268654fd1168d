import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import { cacheEntries } from "../support/cache-entries.js";
import type { FakeServer } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";
import { spawnModelgate } from "../support/spawn-cli.js";

let server: FakeServer;

const planted = new Set(["tool-003", "json-004", "faq-005"]);
const base = [
  "eval",
  "--rubric",
  "rubric.yaml",
  "--baseline",
  "openai-compatible:baseline-2024-01-01",
  "--candidate",
  "openai-compatible:candidate-2024-02-01",
];

function project(cases = 12) {
  return makeProject({ "data.jsonl": scenarioCases(cases), "rubric.yaml": scenarioRubric });
}

function report(dir: string, out: string): RunReport {
  return JSON.parse(readFileSync(join(dir, out, "report.json"), "utf8")) as RunReport;
}

async function run(dir: string, out: string, extra: string[] = []) {
  return runModelgate([...base, "--out", out, ...extra], { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
}

describe("response cache", () => {
  test("a second identical run makes no request and gives the same verdicts", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted), latencyMs: 2 });
    const dir = project();
    const first = await run(dir, "one");
    expect(server.stats.requests).toBe(24);
    server.reset();
    const second = await run(dir, "two");
    expect(server.stats.requests).toBe(0);
    expect(second.exitCode).toBe(first.exitCode);
    const [a, b] = [report(dir, "one"), report(dir, "two")];
    expect(b.gate.rules.map((r) => r.verdict)).toEqual(a.gate.rules.map((r) => r.verdict));
    expect(b.regressions).toEqual(a.regressions);
    expect(b.run.requests).toEqual({ total: 24, reused: 24 });
    expect(b.cases.every((c) => c.candidate[0]?.cached)).toBe(true);
    expect(second.stdout).toContain("24 of 24 requests reused");
    // SPEC §5: a cached response counts with the latency measured when it first arrived
    for (const metric of ["latency.p50_ms", "latency.p95_ms", "latency.p99_ms"]) {
      expect(b.metrics.candidate[metric]).toBe(a.metrics.candidate[metric]);
      expect(b.metrics.baseline[metric]).toBe(a.metrics.baseline[metric]);
    }
    expect(b.run.cached_latencies).toBe(24);
    expect(a.run.cached_latencies).toBe(0);
    expect(second.stderr + second.stdout).toMatch(/24 latencies from the cache/);
    await run(dir, "three", ["--no-cached-latency"]);
    expect(report(dir, "three").metrics.candidate["latency.p95_ms"]).toBeNull();
    expect(report(dir, "three").run.cached_latencies).toBe(0);
  });

  test("a latency rule gives the same exit code on an identical re-run from the warm cache", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 5 });
    const dir = makeProject({
      "data.jsonl": scenarioCases(10),
      "rubric.yaml": `${scenarioRubric.replace(/gate:[\s\S]*$/, "")}gate:\n  - { metric: latency.p95_ms, max: 5000 }\n  - { metric: pass_rate, max_drop: 0.5 }\n`,
    });
    const first = await run(dir, "one");
    expect(first.exitCode).toBe(0);
    const second = await run(dir, "two");
    expect(server.stats.requests).toBe(20);
    expect(second.exitCode).toBe(0);
    expect(report(dir, "two").gate.rules.map((r) => r.verdict)).toEqual(report(dir, "one").gate.rules.map((r) => r.verdict));
  });

  test("cache entries written without a latency are requested again, and the run says so once", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 2 });
    const dir = project(4);
    await run(dir, "one");
    // Strip the latency from every stored entry, as an older modelgate would have left them.
    for (const file of cacheEntries(dir).files) {
      const text = readFileSync(file, "utf8");
      writeFileSync(file, text.replace(/,"latency_ms":\d+/g, ""));
    }
    server.reset();
    const second = await run(dir, "two");
    expect(server.stats.requests).toBe(8);
    expect(second.stderr.match(/without a recorded latency/g)?.length).toBe(1);
    expect(report(dir, "two").metrics.candidate["latency.p95_ms"]).toBeGreaterThan(0);
  });

  test("changing one case re-requests only that case; --no-cache bypasses the cache", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted) });
    const dir = project();
    await run(dir, "one");
    const lines = readFileSync(join(dir, "data.jsonl"), "utf8").trim().split("\n");
    const changed = JSON.parse(lines[2] ?? "{}") as { input: string };
    changed.input = `${changed.input} (Please hurry.)`;
    lines[2] = JSON.stringify(changed);
    writeFileSync(join(dir, "data.jsonl"), `${lines.join("\n")}\n`);
    server.reset();
    await run(dir, "two");
    expect(server.stats.requests).toBe(2);
    expect(server.stats.log.every((request) => request.lastUser.includes("Please hurry"))).toBe(true);
    server.reset();
    await run(dir, "three", ["--no-cache"]);
    expect(server.stats.requests).toBe(24);
  });

  test("--repeat draws are distinct cache entries", async () => {
    server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = project(3);
    await run(dir, "one", ["--repeat", "3"]);
    expect(server.stats.requests).toBe(18);
    server.reset();
    await run(dir, "two", ["--repeat", "4"]);
    expect(server.stats.requests).toBe(6); // only the 4th draw of each case and side is new
  });

  test("a run killed with SIGKILL halfway, then re-run, makes only the remaining requests", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted), latencyMs: 30 });
    const dir = project(60);
    const args = [...base, "--out", "killed", "--concurrency", "4"];
    const cli = spawnModelgate(args, { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    const deadline = Date.now() + 20_000;
    while (server.stats.requests < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    cli.kill("SIGKILL");
    await cli.exited;
    const before = server.stats.requests;
    expect(before).toBeLessThan(120);
    // Every complete line is an entry (a kill -9 may tear only the last line, which is not one).
    const cached = new Set(cacheEntries(dir).entries.map((entry) => entry.key));
    server.reset();
    const resumed = await run(dir, "resumed", ["--concurrency", "8"]);
    // Requests in flight at the kill may be repeated; nothing that finished is.
    expect(server.stats.requests).toBeLessThanOrEqual(120 - cached.size);
    expect(server.stats.requests + cached.size).toBe(120);
    server.reset();
    const fresh = await run(dir, "fresh", ["--no-cache"]);
    expect(resumed.exitCode).toBe(fresh.exitCode);
    expect(report(dir, "resumed").regressions).toEqual(report(dir, "fresh").regressions);
    expect(report(dir, "resumed").gate.rules.map((r) => r.verdict)).toEqual(report(dir, "fresh").gate.rules.map((r) => r.verdict));
  }, 40_000);

  test("two concurrent runs sharing a cache both finish and leave valid entries", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted), latencyMs: 5 });
    const dir = project(30);
    const [a, b] = await Promise.all([run(dir, "a", ["--concurrency", "6"]), run(dir, "b", ["--concurrency", "6"])]);
    expect(a.exitCode).toBe(1);
    expect(b.exitCode).toBe(1);
    // Each run appended to its own segment; every line parses, and together they hold the 60 requests.
    const { entries, torn } = cacheEntries(dir);
    expect(torn).toBe(0);
    expect(new Set(entries.map((entry) => entry.key)).size).toBe(60);
    server.reset();
    await run(dir, "c");
    expect(server.stats.requests).toBe(0);
  });

  test("cache stats and cache clear", async () => {
    server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = project(3);
    await run(dir, "one");
    const stats = await runModelgate(["cache", "stats"], { cwd: dir });
    expect(stats.stdout).toMatch(/6 cached responses/);
    const cleared = await runModelgate(["cache", "clear"], { cwd: dir });
    expect(cleared.stdout).toMatch(/cleared 6 cached responses/);
    expect((await runModelgate(["cache", "stats"], { cwd: dir })).stdout).toMatch(/0 cached responses/);
  });
});

describe("--baseline-report", () => {
  test("reuses the baseline side: half the requests, the same verdicts", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted) });
    const dir = project();
    const first = await run(dir, "one", ["--no-cache"]);
    server.reset();
    const second = await run(dir, "two", ["--no-cache", "--baseline-report", "one/report.json"]);
    expect(server.stats.requests).toBe(12);
    expect(server.stats.log.every((request) => request.model.startsWith("candidate"))).toBe(true);
    expect(second.exitCode).toBe(first.exitCode);
    expect(report(dir, "two").regressions).toEqual(report(dir, "one").regressions);
    expect(report(dir, "two").run.requests.reused).toBe(12);
  });

  test("refuses (exit 2, naming what changed) when the baseline variant or dataset differ, unless --force", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted) });
    const dir = project();
    await run(dir, "one", ["--no-cache"]);
    const otherBaseline = await runModelgate(
      [
        "eval",
        "--rubric",
        "rubric.yaml",
        "--baseline",
        "openai-compatible:baseline-2024-09-09",
        "--candidate",
        "openai-compatible:candidate-2024-02-01",
        "--baseline-report",
        "one/report.json",
      ],
      { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } },
    );
    expect(otherBaseline.exitCode).toBe(2);
    expect(otherBaseline.stderr).toMatch(
      /cannot stand in for this run's baseline: the baseline model changed \(openai-compatible:baseline-2024-01-01 then, openai-compatible:baseline-2024-09-09 now\)\. Run without --baseline-report to call the baseline again, or add --force/,
    );
    writeFileSync(join(dir, "data.jsonl"), `${readFileSync(join(dir, "data.jsonl"), "utf8")}\n`);
    const changedData = await run(dir, "two", ["--baseline-report", "one/report.json"]);
    expect(changedData.exitCode).toBe(2);
    expect(changedData.stderr).toMatch(/the dataset/);
    const forced = await run(dir, "three", ["--baseline-report", "one/report.json", "--force"]);
    expect(forced.exitCode).toBe(1);
  });

  test("a rubric-only change re-scores the reused baseline with the current rubric", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted) });
    const dir = project();
    await run(dir, "one", ["--no-cache"]);
    // A new check that every baseline output fails: the reused outputs must be scored by it.
    writeFileSync(
      join(dir, "rubric.yaml"),
      scenarioRubric.replace("checks:\n", 'checks:\n  - { id: never, type: contains, value: "zzz-not-in-any-output" }\n'),
    );
    server.reset();
    const second = await run(dir, "two", ["--no-cache", "--baseline-report", "one/report.json"]);
    expect(second.stderr).not.toMatch(/cannot stand in/);
    expect(server.stats.log.every((request) => request.model.startsWith("candidate"))).toBe(true);
    const rescored = report(dir, "two");
    expect(rescored.cases.every((c) => c.baseline[0]?.checks.never?.status === "fail")).toBe(true);
  });

  test("reads the earlier report a case at a time: a reformatted one still works, a cut-short one is exit 2 naming file:line", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(planted) });
    const dir = project();
    await run(dir, "one", ["--no-cache"]);
    const text = readFileSync(join(dir, "one", "report.json"), "utf8");
    writeFileSync(join(dir, "pretty.json"), JSON.stringify(JSON.parse(text), null, 4));
    server.reset();
    await run(dir, "two", ["--no-cache", "--baseline-report", "pretty.json"]);
    expect(report(dir, "two").run.requests.reused).toBe(12);
    expect(server.stats.requests).toBe(12);

    const lines = text.split("\n");
    const cases = lines.indexOf('  "cases": [');
    writeFileSync(join(dir, "cut.json"), `${lines.slice(0, cases + 3).join("\n")}\n    {"id": "json-00`);
    const cut = await run(dir, "three", ["--no-cache", "--baseline-report", "cut.json"]);
    expect(cut.exitCode).toBe(2);
    expect(cut.stderr).toMatch(new RegExp(`--baseline-report \\S*cut\\.json:${cases + 4}: not a case of a modelgate report`));
  });
});

describe("--max-cost", () => {
  test("refuses a run estimated above the limit before any request (exit 3)", async () => {
    server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({
      "data.jsonl": scenarioCases(12),
      "rubric.yaml": scenarioRubric,
      "modelgate.config.yaml": `variants:\n  a: { provider: openai-compatible, base_url: "${server.openaiBaseUrl}", model: a-2024-01-01, pricing: { input_per_mtok: 1000, output_per_mtok: 1000 } }\n  b: { provider: openai-compatible, base_url: "${server.openaiBaseUrl}", model: b-2024-01-01, pricing: { input_per_mtok: 1000, output_per_mtok: 1000 } }\n`,
    });
    const result = await runModelgate(["eval", "--rubric", "rubric.yaml", "--baseline", "a", "--candidate", "b", "--max-cost", "0.5"], { cwd: dir });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /estimated at \$\d+\.\d+, over --max-cost \$0\.5; not started\n {2}\(estimated from request characters \/ 4 as input tokens;/,
    );
    expect(server.stats.requests).toBe(0);
  });

  test("stops a run whose spending crosses the limit (exit 3) and keeps what finished", async () => {
    server = await fakeServerForTest({ respond: scriptedModel(), usage: undefined } as never);
    const dir = makeProject({
      "data.jsonl": scenarioCases(60),
      "rubric.yaml": scenarioRubric,
      // Estimated cheap (tiny output), but the server reports big usage.
      "modelgate.config.yaml": `variants:\n  a: { provider: openai-compatible, base_url: "${server.openaiBaseUrl}", model: a-2024-01-01, params: { max_tokens: 1 }, pricing: { input_per_mtok: 0.01, output_per_mtok: 1000 } }\n  b: { provider: openai-compatible, base_url: "${server.openaiBaseUrl}", model: b-2024-01-01, params: { max_tokens: 1 }, pricing: { input_per_mtok: 0.01, output_per_mtok: 1000 } }\n`,
    });
    const result = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--baseline", "a", "--candidate", "b", "--max-cost", "0.2", "--concurrency", "2", "--out", "out"],
      {
        cwd: dir,
      },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/cost guard: this run has spent/);
    expect(server.stats.requests).toBeLessThan(120);
    const partial = report(dir, "out");
    expect(partial.run.interrupted).toBe(true);
    expect(partial.cases.length).toBeGreaterThan(0);
  });
});
