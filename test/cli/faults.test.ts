/**
 * Provider faults through the real CLI and the real SDKs against the loopback server: every transient
 * fault is absorbed by retries (no error left on any case), Retry-After is honoured in both its forms,
 * permanent faults stay on their case and are counted by kind in `run.errors`, bad tool-call JSON is
 * data on the call, and a wrong key stops the run after a handful of requests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { ErrorCounts, RunReport } from "../../src/types.js";
import { type FakeRequest, type FakeServer, type Fault, failFirstAttempts } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { caseIdOf, scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

type Api = "openai" | "anthropic";

/** eval of a baseline and a candidate on the same API, reports to `out/`, no cache. */
function evalArgs(api: Api, ...extra: string[]): string[] {
  const [baseline, candidate] =
    api === "openai"
      ? ["openai-compatible:baseline-2024-01-01", "openai-compatible:candidate-2024-02-01"]
      : ["anthropic:claude-baseline-20240101", "anthropic:claude-candidate-20240201"];
  return ["eval", "--rubric", "rubric.yaml", "--baseline", baseline, "--candidate", candidate, "--no-cache", "--out", "out", ...extra];
}

function envFor(api: Api, fake: FakeServer, key = "sk-test-faults-000000000000"): Record<string, string> {
  return api === "openai" ? { OPENAI_BASE_URL: fake.openaiBaseUrl } : { ANTHROPIC_BASE_URL: fake.anthropicBaseUrl, ANTHROPIC_API_KEY: key };
}

function project(cases: number, errorBudget?: string): string {
  const rubric = errorBudget ? `${scenarioRubric}error_budget: ${errorBudget}\n` : scenarioRubric;
  return makeProject({ "data.jsonl": scenarioCases(cases), "rubric.yaml": rubric });
}

function readReport(dir: string): RunReport {
  return JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
}

function noErrors(): ErrorCounts {
  return {
    rate_limit: 0,
    server: 0,
    overloaded: 0,
    timeout: 0,
    network: 0,
    malformed: 0,
    auth: 0,
    bad_request: 0,
    not_found: 0,
    cassette_miss: 0,
    not_recorded: 0,
    aborted: 0,
    unknown: 0,
  };
}

interface TransientRow {
  name: string;
  api: Api;
  fault: Fault;
  extra?: string[];
}

const transient: TransientRow[] = [
  { name: "429 without Retry-After", api: "openai", fault: { kind: "status", status: 429 } },
  { name: "500", api: "openai", fault: { kind: "status", status: 500 } },
  { name: "502", api: "openai", fault: { kind: "status", status: 502 } },
  { name: "503", api: "openai", fault: { kind: "status", status: 503 } },
  { name: "connection reset mid-body", api: "openai", fault: { kind: "reset" } },
  { name: "200 with a truncated JSON body", api: "openai", fault: { kind: "malformed" } },
  { name: "200 with empty choices", api: "openai", fault: { kind: "empty-choices" } },
  { name: "a hang past --timeout", api: "openai", fault: { kind: "hang" }, extra: ["--timeout", "300"] },
  { name: "529 overloaded", api: "anthropic", fault: { kind: "status", status: 529 } },
  { name: "429 rate limited", api: "anthropic", fault: { kind: "status", status: 429 } },
  { name: "500", api: "anthropic", fault: { kind: "status", status: 500 } },
  { name: "connection reset mid-body", api: "anthropic", fault: { kind: "reset" } },
  { name: "200 with a truncated JSON body", api: "anthropic", fault: { kind: "malformed" } },
  { name: "200 with empty content and no stop_reason", api: "anthropic", fault: { kind: "empty-choices", stopReason: null } },
  { name: "a hang past --timeout", api: "anthropic", fault: { kind: "hang" }, extra: ["--timeout", "300"] },
];

describe("transient provider faults are absorbed: no error on any case", () => {
  test.each(transient)("$api: $name", async ({ api, fault, extra }) => {
    const server = await fakeServerForTest({ respond: scriptedModel(), fault: failFirstAttempts(1, fault) });
    const dir = project(6);
    const result = await runModelgate(evalArgs(api, ...(extra ?? [])), { cwd: dir, env: envFor(api, server) });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(0);
    const report = readReport(dir);
    const runs = report.cases.flatMap((c) => [...c.baseline, ...c.candidate]);
    expect(runs).toHaveLength(12);
    expect(runs.map((run) => run.error)).toEqual(runs.map(() => null));
    expect(runs.map((run) => run.attempts)).toEqual(runs.map(() => 2));
    expect(report.cases.map((c) => c.outcome)).toEqual(report.cases.map(() => "pass"));
    expect(report.run.errors).toEqual({ baseline: noErrors(), candidate: noErrors() });
    expect(report.metrics.candidate.error_rate).toBe(0);
    expect(report.metrics.candidate.retry_rate).toBe(1);
    expect(server.stats.requests).toBe(24);
  });
});

describe("Retry-After is honoured", () => {
  /** Arrival times (ms) of each attempt, by case and side. */
  function arrivals(): { log: Map<string, number[]>; note: (request: FakeRequest) => void } {
    const log = new Map<string, number[]>();
    return {
      log,
      note: (request) => {
        const key = `${caseIdOf(request)} ${request.model}`;
        log.set(key, [...(log.get(key) ?? []), Date.now()]);
      },
    };
  }

  test("in seconds: the retry waits at least that long", async () => {
    const { log, note } = arrivals();
    const first = failFirstAttempts(1, { kind: "status", status: 429, retryAfter: "1" });
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => {
        note(request);
        return first(request);
      },
    });
    const dir = project(2);
    const result = await runModelgate(evalArgs("openai"), { cwd: dir, env: envFor("openai", server) });
    expect(result.exitCode).toBe(0);
    expect(log.size).toBe(4);
    for (const [key, times] of log) {
      expect(times, key).toHaveLength(2);
      expect((times[1] ?? 0) - (times[0] ?? 0), key).toBeGreaterThanOrEqual(995);
    }
    expect(readReport(dir).run.errors?.candidate.rate_limit).toBe(0);
  });

  test("as an HTTP date: the retry comes no earlier than that date", async () => {
    const { log, note } = arrivals();
    const retryAt = new Map<string, number>();
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => {
        note(request);
        const key = `${caseIdOf(request)} ${request.model}`;
        if (retryAt.has(key)) return undefined;
        // A whole second at least 1 s away, so the header (second resolution) states it exactly.
        const at = Math.ceil((Date.now() + 1_000) / 1_000) * 1_000;
        retryAt.set(key, at);
        return { kind: "status", status: 429, retryAfter: new Date(at).toUTCString() };
      },
    });
    const dir = project(2);
    const result = await runModelgate(evalArgs("openai"), { cwd: dir, env: envFor("openai", server) });
    expect(result.exitCode).toBe(0);
    expect(log.size).toBe(4);
    for (const [key, times] of log) {
      expect(times, key).toHaveLength(2);
      expect(times[1] ?? 0, key).toBeGreaterThanOrEqual((retryAt.get(key) ?? Number.POSITIVE_INFINITY) - 5);
    }
  });

  test("529 on the Anthropic path with Retry-After: 1 waits too", async () => {
    const { log, note } = arrivals();
    const first = failFirstAttempts(1, { kind: "status", status: 529, retryAfter: "1" });
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => {
        note(request);
        return first(request);
      },
    });
    const dir = project(1);
    const result = await runModelgate(evalArgs("anthropic"), { cwd: dir, env: envFor("anthropic", server) });
    expect(result.exitCode).toBe(0);
    for (const times of log.values()) expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(995);
  });
});

describe("permanent faults stay on their case, counted by kind", () => {
  test("a 400 on one case is recorded there, not retried; the rest run", async () => {
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => (request.model.includes("candidate") && caseIdOf(request) === "json-001" ? { kind: "status", status: 400 } : undefined),
    });
    const dir = project(6);
    const result = await runModelgate(evalArgs("openai"), { cwd: dir, env: envFor("openai", server) });
    expect(result.stderr).not.toContain("crashed");
    const report = readReport(dir);
    const bad = report.cases.find((c) => c.id === "json-001")?.candidate[0];
    expect(bad?.error).toMatchObject({ kind: "bad_request", status: 400 });
    expect(bad?.error?.message).toMatch(/^HTTP 400: injected 400/);
    expect(bad?.attempts).toBe(1);
    expect(report.cases.filter((c) => c.outcome === "pass")).toHaveLength(5);
    expect(report.run.errors).toEqual({ baseline: noErrors(), candidate: { ...noErrors(), bad_request: 1 } });
  });

  test("retries exhausted: each failure keeps its kind (server, timeout, malformed, not_found)", async () => {
    const byCase: Record<string, Fault> = {
      "tool-000": { kind: "status", status: 503 },
      "json-001": { kind: "hang" },
      "faq-002": { kind: "malformed" },
      "tool-003": { kind: "status", status: 404 },
    };
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => (request.model.includes("candidate") ? byCase[caseIdOf(request)] : undefined),
    });
    const dir = project(6, "{ requests: 0.6 }");
    const result = await runModelgate(evalArgs("openai", "--max-retries", "1", "--timeout", "300"), {
      cwd: dir,
      env: envFor("openai", server),
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    // SPEC §5: the 404 is the request's own fault, a failed case (a regression); the transient ones are not scored.
    expect(report.regressions).toEqual(["tool-003"]);
    expect(report.cases.find((c) => c.id === "tool-003")?.candidate[0]?.checks.tools).toMatchObject({ status: "fail", score: 0 });
    expect(report.cases.find((c) => c.id === "tool-000")?.outcome).toBe("error");
    const kinds = Object.fromEntries(report.cases.map((c) => [c.id, c.candidate[0]?.error?.kind ?? null]));
    expect(kinds).toEqual({
      "tool-000": "server",
      "json-001": "timeout",
      "faq-002": "malformed",
      "tool-003": "not_found",
      "json-004": null,
      "faq-005": null,
    });
    expect(report.cases.find((c) => c.id === "tool-003")?.candidate[0]?.attempts).toBe(1);
    expect(report.cases.find((c) => c.id === "tool-000")?.candidate[0]?.attempts).toBe(2);
    expect(report.run.errors).toEqual({
      baseline: noErrors(),
      candidate: { ...noErrors(), server: 1, timeout: 1, malformed: 1, not_found: 1 },
    });
  });

  test("an endpoint nobody listens on is unusable: exit 3 after a few requests, naming the endpoint", async () => {
    const server = await fakeServerForTest();
    const closedUrl = server.openaiBaseUrl;
    await server.close();
    const dir = project(60);
    const started = Date.now();
    const result = await runModelgate(evalArgs("openai", "--max-retries", "1", "--concurrency", "2"), {
      cwd: dir,
      env: { OPENAI_BASE_URL: closedUrl },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /openai-compatible:(baseline|candidate)-\S+ is unreachable: it has not answered once, and 3 requests failed to connect after every retry \(network error: ECONNREFUSED/,
    );
    expect(Date.now() - started).toBeLessThan(5_000); // not 120 requests × retries
    expect(readReport(dir).run.interrupted).toBe(true);
  });

  test("a dead Anthropic endpoint: connection errors are retried, then exit 3 (unreachable), not a failed gate", async () => {
    // The bundle renames the SDK's classes (APIConnectionError → APIConnectionError2): classification by
    // class name once made the built CLI give up on the first attempt and call the run a failed gate.
    const server = await fakeServerForTest();
    const closed = server.anthropicBaseUrl;
    await server.close();
    const dir = project(30);
    const result = await runModelgate(evalArgs("anthropic", "--max-retries", "2", "--concurrency", "2"), {
      cwd: dir,
      env: { ANTHROPIC_BASE_URL: closed, ANTHROPIC_API_KEY: "sk-ant-dead-endpoint-0000000000" },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /anthropic:claude-(baseline|candidate)-\S+ is unreachable: it has not answered once, and \d+ requests failed to connect after every retry \(network error: ECONNREFUSED/,
    );
    const failed = readReport(dir)
      .cases.flatMap((c) => [...c.baseline, ...c.candidate])
      .filter((run) => run.error?.kind === "network");
    expect(failed.length).toBeGreaterThan(0);
    // Every one was retried: 1 attempt + 2 retries.
    expect(failed.map((run) => run.attempts)).toEqual(failed.map(() => 3));
  });

  test("a few unreachable requests at an endpoint that does answer are errors on their cases, not a stopped run", async () => {
    const good = scriptedModel();
    const server = await fakeServerForTest({
      respond: good,
      fault: (request) =>
        request.model.includes("candidate") && /\[tool-00[03]\]|\[json-001\]/.test(request.lastUser) ? { kind: "reset" } : undefined,
    });
    const dir = project(9, "{ requests: 0.5 }");
    const result = await runModelgate(evalArgs("openai", "--max-retries", "1", "--concurrency", "1"), {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.exitCode).not.toBe(3);
    expect(readReport(dir).run.errors?.candidate.network).toBe(3);
  });
});

describe("tool-call arguments that are not JSON", () => {
  test.each(["openai", "anthropic"] as const)("%s: recorded on the call as arguments_error; the tools check fails with that reason", async (api) => {
    const good = scriptedModel();
    const server = await fakeServerForTest({
      respond: (request) =>
        request.model.includes("candidate") && caseIdOf(request) === "tool-000"
          ? { tool_calls: [{ name: "issue_refund", arguments: '{"order_id": "A-1000", "reason": ' }] }
          : good(request),
    });
    const dir = project(3);
    const result = await runModelgate(evalArgs(api), { cwd: dir, env: envFor(api, server) });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    const run = report.cases.find((c) => c.id === "tool-000")?.candidate[0];
    expect(run?.error).toBeNull();
    expect(run?.tool_calls).toHaveLength(1);
    expect(run?.tool_calls[0]).toMatchObject({ name: "issue_refund", arguments: null, raw_arguments: '{"order_id": "A-1000", "reason": ' });
    expect(run?.tool_calls[0]?.arguments_error).toMatch(/^arguments are not valid JSON/);
    expect(run?.checks.tools).toMatchObject({ status: "fail", score: 0 });
    expect(run?.checks.tools?.reason).toContain("issue_refund: arguments did not parse: arguments are not valid JSON");
    expect(report.regressions).toEqual(["tool-000"]);
    expect(report.run.errors?.candidate).toEqual(noErrors());
  });
});

describe("a wrong key fails fast", () => {
  test("401s stop the run with exit 3 after a handful of requests", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(), requireKey: "sk-right-key-0000000000" });
    const dir = project(30);
    const result = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--baseline", "openai:gpt-4o-2024-08-06", "--candidate", "openai:gpt-4o-2024-11-20"],
      { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "sk-wrong-key-0000000000", MODELGATE_RETRY_BASE_MS: "5" } },
    );
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/authentication failed for openai:gpt-4o-\S+ \(HTTP 401: invalid api key\)/);
    // 60 requests were planned; the first wave (--concurrency 8) is all that may reach the server.
    expect(server.stats.requests).toBeLessThanOrEqual(10);
    expect(server.stats.requests).toBeGreaterThanOrEqual(3);
  });

  test("an error body with terminal escapes does not reach stderr raw", async () => {
    const server = await fakeServerForTest({
      fault: () => ({ kind: "status", status: 401, body: JSON.stringify({ error: { message: "\u001b[2J\u001b]0;owned\u0007 denied" } }) }),
    });
    const dir = project(3);
    const result = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--baseline", "openai:gpt-4o-2024-08-06", "--candidate", "openai:gpt-4o-2024-11-20", "--no-cache"],
      { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "sk-wrong-key-0000000000" } },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("denied");
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  test("the 401 message names the variable to set (OPENAI_API_KEY)", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(), requireKey: "sk-right-key-0000000000" });
    const dir = project(3);
    const result = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--baseline", "openai:gpt-4o-2024-08-06", "--candidate", "openai:gpt-4o-2024-11-20", "--no-cache"],
      { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "sk-wrong-key-0000000000" } },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("OPENAI_API_KEY");
  });
});
