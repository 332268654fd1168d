import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import { type FakeRequest, failFirstAttempts } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { caseIdOf, scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

const planted = new Set(["tool-003", "json-004", "faq-005", "tool-006"]);
const openaiArgs = ["eval", "--rubric", "rubric.yaml", "--baseline", "openai-compatible:baseline-2024-01-01", "--no-cache"];

function readReport(dir: string): RunReport {
  const reportsDir = join(dir, "reports");
  const [runDir] = readdirSync(reportsDir);
  return JSON.parse(readFileSync(join(reportsDir, runDir ?? "", "report.json"), "utf8")) as RunReport;
}

function project(cases = 30) {
  return makeProject({ "data.jsonl": scenarioCases(cases), "rubric.yaml": scenarioRubric });
}

describe("modelgate eval against the loopback server (OpenAI-compatible path)", () => {
  test("finds exactly the planted regressions and exits 1", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(planted), latencyMs: 2 });
    const dir = project();
    const result = await runModelgate([...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    expect(report.schema_version).toBe(1);
    expect(new Set(report.regressions)).toEqual(planted);
    expect(report.improvements).toEqual([]);
    expect(report.gate.verdict).toBe("fail");
    expect(report.gate.rules.find((rule) => rule.metric === "regressions")?.candidate).toBe(4);
    const toolCase = report.cases.find((c) => c.id === "tool-003");
    expect(toolCase?.candidate[0]?.checks.tools?.reason).toContain("called track_order, expected issue_refund");
    expect(report.cases.find((c) => c.id === "faq-005")?.candidate[0]?.checks.polite?.status).toBe("fail");
    expect(report.metrics.candidate["segment.tools.pass_rate"]).toBeLessThan(1);
    expect(result.stdout).toContain("tool-003");
    expect(server.stats.requests).toBe(60);
  });

  test("an identical candidate passes every rule and exits 0", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 2 });
    const dir = project();
    const result = await runModelgate([...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.exitCode).toBe(0);
    const report = readReport(dir);
    expect(report.regressions).toEqual([]);
    expect(report.gate.rules.every((rule) => rule.verdict === "pass")).toBe(true);
  });

  test("transient faults (429 + Retry-After, 500, 502, malformed body, reset) are absorbed by retries", async () => {
    const faults = [
      { kind: "status", status: 429, retryAfter: "0" },
      { kind: "status", status: 500 },
      { kind: "malformed" },
      { kind: "reset" },
      { kind: "status", status: 502 },
    ] as const;
    // Each request gets one fault kind (by case and side), failing its first attempt only.
    const injectors = faults.map((fault) => failFirstAttempts(1, fault));
    const injectorFor = (request: FakeRequest) => injectors[(Number(caseIdOf(request).split("-")[1]) + request.model.length) % injectors.length];
    const server = await fakeServerForTest({
      respond: scriptedModel(planted),
      latencyMs: 1,
      fault: (request) => injectorFor(request)?.(request),
    });
    const dir = project();
    const result = await runModelgate([...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    expect(new Set(report.regressions)).toEqual(planted);
    expect(report.metrics.candidate.error_rate).toBe(0);
    expect(report.metrics.baseline.error_rate).toBe(0);
    expect((report.metrics.candidate.retry_rate ?? 0) + (report.metrics.baseline.retry_rate ?? 0)).toBeGreaterThan(0);
  });

  test("never has more than --concurrency requests in flight across both variants", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 15 });
    const dir = project(40);
    const result = await runModelgate([...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01", "--concurrency", "5"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.exitCode).toBe(0);
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(5);
    expect(server.stats.maxInFlight).toBeGreaterThanOrEqual(4);
  });

  test("a request that hangs past --timeout is an error on that case; the run goes on", async () => {
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => (request.model.includes("candidate") && request.lastUser.includes("[faq-002]") ? { kind: "hang" } : undefined),
    });
    const dir = project(9);
    const result = await runModelgate(
      [...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01", "--timeout", "200", "--max-retries", "1"],
      {
        cwd: dir,
        env: { OPENAI_BASE_URL: server.openaiBaseUrl },
      },
    );
    const report = readReport(dir);
    const hung = report.cases.find((c) => c.id === "faq-002");
    expect(hung?.outcome).toBe("error");
    expect(hung?.candidate[0]?.error?.kind).toBe("timeout");
    expect(hung?.candidate[0]?.attempts).toBe(2);
    expect(report.cases).toHaveLength(9);
    expect(report.metrics.candidate.error_rate).toBeCloseTo(1 / 9);
    // 1 of 9 requests failed transiently: over the default error_budget.requests (5%), so no verdict (SPEC §5).
    expect(result.exitCode).toBe(3);
    expect(report.gate.verdict).toBe("error");
    expect(result.stderr).toMatch(/could not complete.*1 of 9 candidate requests failed after every retry.*error_budget\.requests 5%/);
    expect(result.stdout + result.stderr).not.toMatch(/not safe/i);
  });

  test("a 400 on one case is recorded on that case, not retried, and the rest run", async () => {
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) =>
        request.model.includes("candidate") && request.lastUser.includes("[json-001]") ? { kind: "status", status: 400 } : undefined,
    });
    const dir = project(6);
    await runModelgate([...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    const report = readReport(dir);
    const bad = report.cases.find((c) => c.id === "json-001");
    expect(bad?.candidate[0]?.error?.kind).toBe("bad_request");
    expect(bad?.candidate[0]?.attempts).toBe(1);
    expect(report.cases.filter((c) => c.outcome === "pass")).toHaveLength(5);
    expect(report.regressions).toEqual(["json-001"]);
  });

  test("a candidate that answers 400 'maximum context length' on half the cases is not safe: those cases fail", async () => {
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) =>
        request.model.includes("candidate") && Number(/-(\d+)\]/.exec(request.lastUser)?.[1]) % 2 === 0
          ? { kind: "status", status: 400, body: JSON.stringify({ error: { message: "This model's maximum context length is 8192 tokens" } }) }
          : undefined,
    });
    const dir = project(10);
    const result = await runModelgate([...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    expect(report.metrics.candidate.pass_rate).toBeCloseTo(0.5);
    expect(report.metrics.baseline.pass_rate).toBe(1);
    expect(report.regressions).toHaveLength(5);
    const failed = report.cases.find((c) => c.id === "tool-000")?.candidate[0];
    expect(Object.values(failed?.checks ?? {}).find((check) => check.status === "fail")?.reason).toMatch(/maximum context length/);
  });

  test("--json prints the machine-readable summary on stdout", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(planted) });
    const dir = project(9);
    const result = await runModelgate([...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01", "--json"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    const summary = JSON.parse(result.stdout) as { verdict: string; regressions: string[]; rules: unknown[] };
    expect(summary.verdict).toBe("fail");
    expect(summary.regressions.sort()).toEqual(["faq-005", "json-004", "tool-003", "tool-006"].filter((id) => Number(id.split("-")[1]) < 9));
    expect(summary.rules).toHaveLength(4);
  });
});

describe("modelgate eval over the Anthropic path", () => {
  test("finds the planted regressions through the Messages API with tool_use blocks", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(planted), latencyMs: 2, requireKey: "sk-ant-test-SECRET-123" });
    const dir = project();
    const result = await runModelgate(
      [
        "eval",
        "--rubric",
        "rubric.yaml",
        "--baseline",
        "anthropic:claude-baseline-20240101",
        "--candidate",
        "anthropic:claude-candidate-20240201",
        "--no-cache",
        "--format",
        "table,json,md,junit",
      ],
      { cwd: dir, env: { ANTHROPIC_BASE_URL: server.anthropicBaseUrl, ANTHROPIC_API_KEY: "sk-ant-test-SECRET-123" } },
    );
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    expect(new Set(report.regressions)).toEqual(planted);
    expect(report.variants.candidate.provider).toBe("anthropic");
    expect(server.stats.byApi.anthropic).toBe(60);
    // The key reaches the server and nothing else.
    for (const text of [result.stdout, result.stderr, ...writtenFiles(dir)]) expect(text).not.toContain("SECRET-123");
  });

  test("repeated 401s stop the run with exit 3 naming what to fix", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(), requireKey: "right-key" });
    const dir = project(9);
    const result = await runModelgate(
      [
        "eval",
        "--rubric",
        "rubric.yaml",
        "--baseline",
        "anthropic:claude-a-20240101",
        "--candidate",
        "anthropic:claude-b-20240101",
        "--no-cache",
        "--concurrency",
        "1",
      ],
      {
        cwd: dir,
        env: { ANTHROPIC_BASE_URL: server.anthropicBaseUrl, ANTHROPIC_API_KEY: "wrong-key" },
      },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("authentication failed");
    expect(server.stats.requests).toBeLessThanOrEqual(6);
  });

  test("a missing API key is a usage error before any request", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = project(3);
    const result = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--baseline", "anthropic:claude-a-20240101", "--candidate", "openai:gpt-4o-2024-08-06"],
      {
        cwd: dir,
        env: {},
      },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/set ANTHROPIC_API_KEY/);
    expect(server.stats.requests).toBe(0);
  });
});

describe("record and replay", () => {
  test("a recorded run replays offline with the same verdicts; a miss is exit 2 naming case and variant", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(planted), latencyMs: 2 });
    const dir = project(12);
    const recordArgs = [
      ...openaiArgs,
      "--candidate",
      "openai-compatible:candidate-2024-02-01",
      "--record",
      "run.cassette.jsonl",
      "--out",
      "out-live",
    ];
    const live = await runModelgate(recordArgs, { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "sk-live-PLANTED-KEY" } });
    expect(live.exitCode).toBe(1);
    const liveUrl = server.openaiBaseUrl;
    await server.close();

    const replayArgs = [
      ...openaiArgs,
      "--candidate",
      "openai-compatible:candidate-2024-02-01",
      "--replay",
      "run.cassette.jsonl",
      "--out",
      "out-replay",
    ];
    const replayed = await runModelgate(replayArgs, { cwd: dir, env: { OPENAI_BASE_URL: liveUrl } });
    expect(replayed.stderr).not.toContain("error");
    expect(replayed.exitCode).toBe(1);
    const a = JSON.parse(readFileSync(join(dir, "out-live", "report.json"), "utf8")) as RunReport;
    const b = JSON.parse(readFileSync(join(dir, "out-replay", "report.json"), "utf8")) as RunReport;
    expect(b.regressions).toEqual(a.regressions);
    expect(b.gate.rules.map((r) => r.verdict)).toEqual(a.gate.rules.map((r) => r.verdict));
    expect(b.cases.map((c) => c.candidate[0]?.latency_ms)).toEqual(a.cases.map((c) => c.candidate[0]?.latency_ms));
    expect(readFileSync(join(dir, "run.cassette.jsonl"), "utf8")).not.toContain("PLANTED-KEY");

    const miss = await runModelgate([...openaiArgs, "--candidate", "openai-compatible:other-2024-03-01", "--replay", "run.cassette.jsonl"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: liveUrl },
    });
    expect(miss.exitCode).toBe(2);
    expect(miss.stderr).toMatch(/cassette miss: no recorded response for case \S+ \(candidate: openai-compatible:other-2024-03-01\)/);
  });
});

/** Every file the run wrote under `dir`, as text. */
function writtenFiles(dir: string): string[] {
  const texts: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else texts.push(readFileSync(child, "utf8"));
    }
  };
  walk(dir);
  return texts;
}

describe("adaptive concurrency", () => {
  test("a provider that answers 429 past K in flight gets fewer requests; the run ends with no failed request", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel(planted), latencyMs: 20, maxInFlight: 6 });
    const dir = project(90);
    const result = await runModelgate(
      [...openaiArgs, "--candidate", "openai-compatible:candidate-2024-02-01", "--concurrency", "32", "--max-retries", "8"],
      {
        cwd: dir,
        env: { OPENAI_BASE_URL: server.openaiBaseUrl },
      },
    );
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    expect(report.metrics.baseline.error_rate).toBe(0);
    expect(report.metrics.candidate.error_rate).toBe(0);
    expect(new Set(report.regressions)).toEqual(planted);
    // Without adaptation every wave past 6 would be throttled; with it, 429s stay a small share.
    expect(server.stats.throttled).toBeLessThan(server.stats.requests * 0.5);
  });
});
