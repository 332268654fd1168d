import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { caseIdOf, scenarioCases, scenarioEvalArgs, scenarioRubric, scriptedModel } from "../support/scenario.js";

/**
 * Providers that stall (SPEC §7, issue: "abandoned fast"), identical requests in flight, and flags out of
 * range — through the real CLI and the real OpenAI SDK against the loopback server.
 */

function project(cases: number, extra: Record<string, string | object | object[]> = {}): string {
  return makeProject({ "data.jsonl": scenarioCases(cases), "rubric.yaml": scenarioRubric, ...extra });
}

function readReport(dir: string): RunReport {
  return JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
}

const args = [...scenarioEvalArgs, "--no-cache", "--out", "out"];

describe("providers that stall are abandoned fast", () => {
  test("an endpoint that accepts and never answers ends the run with exit 3 in well under a minute, with default flags", async () => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "hang" }) });
    const dir = project(40);
    const started = Date.now();
    const result = await runModelgate(args, { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    const seconds = (Date.now() - started) / 1000;
    expect(result.exitCode).toBe(3);
    expect(seconds).toBeLessThan(40);
    expect(result.stderr).toMatch(/unreachable: it has not answered once/);
    expect(result.stderr).toMatch(/--timeout/);
    expect(result.stdout + result.stderr).not.toMatch(/not safe/i);
    expect(readReport(dir).gate.verdict).toBe("error");
  }, 60_000);

  test("once an endpoint has answered, a slow answer within --timeout is waited for", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 300 });
    const dir = project(3);
    const result = await runModelgate([...args, "--timeout", "5000"], { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.exitCode).toBe(0);
  });

  test("Retry-After: 86400 stops the run at once with exit 3, naming the wait", async () => {
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => (request.model.includes("b-2024") ? { kind: "status", status: 429, retryAfter: "86400" } : undefined),
    });
    const dir = project(30);
    const started = Date.now();
    const result = await runModelgate(args, { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.exitCode).toBe(3);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toMatch(/asked to wait 86400 s before retrying/);
    expect(readReport(dir).gate.verdict).toBe("error");
  });

  test.each([
    ["--timeout", "2147483648"],
    ["--timeout", "0"],
    ["--concurrency", "100000"],
    ["--max-retries", "1000"],
    ["--repeat", "1e3"],
  ])("%s %s is an input error (exit 2), nothing is called", async (flag, value) => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = project(2);
    const result = await runModelgate([...args, flag, value], { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(flag);
    expect(server.stats.requests).toBe(0);
  });

  test("a config timeout out of range is an input error naming the file and field", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = project(2, { "modelgate.config.yaml": "timeout: 99999999999\n" });
    const result = await runModelgate(args, { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/modelgate\.config\.yaml.*timeout.*from 1 to 3600000/s);
  });
});

describe("identical requests in flight share one call", () => {
  test("duplicate cases (same request) are sent once, and both get the same answer", async () => {
    let calls = 0;
    const server = await fakeServerForTest({
      latencyMs: 50,
      respond: (request) => {
        calls++;
        return { text: `answer ${calls} for ${caseIdOf(request)}` };
      },
    });
    const cases = [0, 1, 2].map((i) => ({ id: `dup-${i}`, input: "[dup] What is the return window?" }));
    const dir = makeProject({
      "data.jsonl": cases,
      "rubric.yaml": "dataset: data.jsonl\nchecks:\n  - { id: polite, type: not-refusal }\ngate:\n  - { metric: pass_rate, max_drop: 0 }\n",
    });
    const result = await runModelgate([...args, "--concurrency", "8"], { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.exitCode).toBe(0);
    // one request per variant, not three
    expect(server.stats.requests).toBe(2);
    const report = readReport(dir);
    const outputs = new Set(report.cases.map((c) => c.candidate[0]?.output));
    expect(outputs.size).toBe(1);
    expect(report.run.requests).toEqual({ total: 6, reused: 4 });
  });
});

describe("--quiet", () => {
  test("silences only the progress display: warnings and the summary still print", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = project(3);
    const result = await runModelgate(
      [
        "eval",
        "--rubric",
        "rubric.yaml",
        "--baseline",
        "openai:gpt-4o",
        "--candidate",
        "openai-compatible:b-2024-01-01",
        "--no-cache",
        "--out",
        "out",
        "--quiet",
      ],
      { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "sk-test-quiet-000000000000000000" } },
    );
    expect(result.stderr).toMatch(/warning: baseline model "gpt-4o" is a floating alias/);
    expect(result.stdout).toMatch(/safe to roll out/);
  });
});

describe("a cache that cannot be used", () => {
  test("a cache folder that cannot be read stops the run before paying, with a report and exit 3, not a crash", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 5 });
    // The cache's segment folder is a file: the cache cannot be read.
    const dir = project(30);
    mkdirSync(join(dir, ".modelgate", "cache"), { recursive: true });
    writeFileSync(join(dir, ".modelgate", "cache", "segments"), "not a folder");
    const result = await runModelgate([...scenarioEvalArgs, "--out", "out", "--concurrency", "2"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/the response cache could not be read \(ENOTDIR\): stopped before paying/);
    expect(result.stderr).not.toMatch(/crashed/);
    expect(server.stats.requests).toBe(0);
    expect(readReport(dir).gate.verdict).toBe("error");
  });
});
