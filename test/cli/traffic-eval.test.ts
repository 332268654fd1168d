import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { serializeTrafficLine, type TrafficArm, type TrafficLine } from "../../src/traffic/types.js";
import type { RunReport } from "../../src/types.js";
import type { FakeReply, FakeRequest } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

/**
 * `eval --traffic` (SPEC §9): the scenario's cases as captured production traffic, with the scripted
 * model's answers recorded on both arms; the candidate arm regresses on the planted cases.
 */
const planted = new Set(["tool-003", "json-004", "faq-005"]);

interface ScenarioCase {
  id: string;
  input: string;
  tools?: object[];
  expected?: object;
  tags: string[];
}

function arm(model: string, reply: FakeReply, latency: number): TrafficArm {
  return {
    model,
    output: reply.text ?? "",
    tool_calls: (reply.tool_calls ?? []).map((call) => ({ name: call.name, arguments: call.arguments as object })),
    usage: { input_tokens: 100, output_tokens: 20 },
    latency_ms: latency,
    error: null,
  } as TrafficArm;
}

function trafficLines(count: number, options: { omitCandidate?: Set<string>; failCandidate?: Set<string> } = {}): string {
  const model = scriptedModel(planted);
  return (scenarioCases(count) as ScenarioCase[])
    .map((testCase, index) => {
      const request = { lastUser: testCase.input } as FakeRequest;
      const arms: TrafficLine["arms"] = {
        baseline: arm("prod-baseline", model({ ...request, model: "baseline" }), 1000 + index),
      };
      if (options.failCandidate?.has(testCase.id)) {
        arms.candidate = { model: "prod-candidate", output: null, error: { kind: "server", message: "502 from upstream" }, latency_ms: 30 };
      } else if (!options.omitCandidate?.has(testCase.id)) {
        arms.candidate = arm("prod-candidate", model({ ...request, model: "candidate" }), 500 + index);
      }
      const line: TrafficLine = {
        v: 1,
        id: `req-${testCase.id}`,
        ts: new Date(Date.UTC(2026, 5, 12, 10, 0, index)).toISOString(),
        source: "shadow",
        tags: testCase.tags,
        request: {
          messages: [
            { role: "developer", content: "You are the support bot." },
            { role: "user", content: testCase.input },
          ],
          ...(testCase.tools ? { tools: testCase.tools as TrafficLine["request"]["tools"] } : {}),
          params: { temperature: 0.2, max_tokens: 300, stream: true, user: "u-1" },
        },
        ...(testCase.expected ? { expected: testCase.expected as TrafficLine["expected"] } : {}),
        arms,
      };
      return serializeTrafficLine(line);
    })
    .join("");
}

function project(traffic: string, extra: Record<string, string> = {}): string {
  return makeProject({ "prod.traffic.jsonl": traffic, "rubric.yaml": scenarioRubric.replace("dataset: data.jsonl\n", ""), ...extra });
}

function readReport(dir: string): RunReport {
  return JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
}

const trafficArgs = ["eval", "--rubric", "rubric.yaml", "--traffic", "prod.traffic.jsonl", "--out", "out", "--no-cache"];

describe("eval --traffic with recorded arms (SPEC §9)", () => {
  test("both arms recorded: scored and compared paired, nothing called, exactly the planted regressions", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = project(trafficLines(30));
    const result = await runModelgate([...trafficArgs, "--baseline", "recorded", "--candidate", "recorded", "--format", "json,md"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(1);
    expect(server.stats.requests).toBe(0);
    // The Markdown case view says where and when each regressed request was captured.
    const markdown = readFileSync(join(dir, "out", "report.md"), "utf8");
    expect(markdown).toMatch(/#### `req-tool-003`\n\nTraffic: captured `2026-06-12T10:00:\d\d\.000Z` · from `shadow` · tags `[^`]+`/);
    const report = readReport(dir);
    expect(new Set(report.regressions)).toEqual(new Set([...planted].map((id) => `req-${id}`)));
    expect(report.variants.baseline).toMatchObject({ name: "recorded", provider: "recorded", model: "prod-baseline" });
    expect(report.variants.candidate.model).toBe("prod-candidate");
    expect(report.run.requests.total).toBe(0);
    // Recorded latencies are the metrics' latencies: baseline 1000…1029 ms, candidate 500…529 ms.
    expect(report.metrics.baseline["latency.p50_ms"]).toBeGreaterThanOrEqual(1000);
    expect(report.metrics.candidate["latency.p50_ms"]).toBeLessThan(600);
    const comparison = report.comparison.find((row) => row.metric === "pass_rate");
    expect(comparison?.n).toBe(30);
    expect(comparison?.method).toMatch(/McNemar|paired/i);
    const first = report.cases.find((c) => c.id === "req-tool-000") as RunReport["cases"][number] & { traffic?: { ts: string; source?: string } };
    expect(first.traffic).toEqual({ ts: "2026-06-12T10:00:00.000Z", source: "shadow" });
    expect(first.tags).toContain("tools");
    expect(report.metrics.candidate["segment.tools.pass_rate"]).toBeLessThan(1);
    // 10 tool requests, one (tool-003) answered with other calls; 10 JSON requests, one (json-004) not JSON.
    expect(report.metrics.candidate["agreement.tool_calls"]).toBeCloseTo(0.9, 10);
    expect(report.metrics.candidate["agreement.output_json"]).toBeCloseTo(0.9, 10);
    expect(report.metrics.baseline["agreement.tool_calls"]).toBe(1);
  });

  test("reference-free checks score unlabelled traffic; an agreement bound is gated like any rate", async () => {
    const unlabelled = trafficLines(30)
      .trimEnd()
      .split("\n")
      .map((text) => {
        const { expected: _expected, ...line } = JSON.parse(text) as TrafficLine;
        return serializeTrafficLine(line);
      })
      .join("");
    const rubric = [
      "checks:",
      "  - { id: calls, type: tool-calls, mode: validity, category: tools }",
      "  - { id: polite, type: not-refusal, category: quality }",
      "  - { id: answer, type: contains, category: quality }",
      "gate:",
      "  - { metric: tools.pass_rate, max_drop: 0.2 }",
      "  - { metric: agreement.tool_calls, min: 0.99 }",
      "",
    ].join("\n");
    const dir = makeProject({ "prod.traffic.jsonl": unlabelled, "rubric.yaml": rubric });
    const result = await runModelgate([...trafficArgs, "--baseline", "recorded", "--candidate", "recorded"], { cwd: dir });
    expect(result.stderr).not.toContain("crashed");
    const report = readReport(dir);
    // tool-003's candidate called track_order, an offered tool, with valid arguments: valid, but not what the baseline did.
    const toolCase = report.cases.find((c) => c.id === "req-tool-003");
    expect(toolCase?.candidate[0]?.checks.calls?.status).toBe("pass");
    expect(toolCase?.candidate[0]?.checks.answer?.status).toBe("skipped");
    expect(report.cases.find((c) => c.id === "req-faq-005")?.candidate[0]?.checks.polite?.status).toBe("fail");
    const agreementRule = report.gate.rules.find((rule) => rule.metric === "agreement.tool_calls");
    expect(agreementRule?.candidate).toBeCloseTo(0.9, 10);
    expect(agreementRule?.verdict).toBe("fail");
    expect(result.exitCode).toBe(1);
  });

  test("a recorded error counts as the arm's error; a line without the arm is an error on that case, not a crash", async () => {
    const dir = project(trafficLines(12, { failCandidate: new Set(["json-001"]), omitCandidate: new Set(["faq-002"]) }));
    const result = await runModelgate([...trafficArgs, "--baseline", "recorded", "--candidate", "recorded"], { cwd: dir });
    expect(result.stderr).not.toContain("crashed");
    const report = readReport(dir);
    expect(report.run.errors?.candidate.server).toBe(1);
    expect(report.run.errors?.candidate.not_recorded).toBe(1);
    expect(report.run.errors?.baseline.server).toBe(0);
    const missing = report.cases.find((c) => c.id === "req-faq-002");
    expect(missing?.candidate[0]?.error?.message).toContain("no recorded candidate arm");
    expect(missing?.candidate[0]?.latency_ms).toBeNull();
    // Production's errors are data for error_rate (2 of 12 here), not a broken run: the gate decides.
    expect(report.gate.verdict).not.toBe("error");
    expect(report.metrics.candidate.error_rate).toBeCloseTo(2 / 12, 10);
    expect(result.exitCode).toBe(1);
  });

  test("both sides recorded: the config's variants are not run, so their prompts' {{vars}} are not asked of the traffic", async () => {
    const dir = project(trafficLines(12), {
      "modelgate.config.yaml": ["variants:", "  stable: { provider: openai, model: gpt-4o-2024-08-06, prompt: tier.md }", ""].join("\n"),
      "tier.md": "You serve {{customer_tier}} customers.",
    });
    const result = await runModelgate([...trafficArgs, "--baseline", "recorded", "--candidate", "recorded"], { cwd: dir });
    expect(result.stderr).not.toContain("customer_tier");
    expect(result.exitCode).toBe(1);
  });

  test("recorded baseline + live candidate: each production request replayed once, as logged, with the candidate's prompt", async () => {
    const seen: FakeRequest[] = [];
    const model = scriptedModel(planted);
    const server = await fakeServerForTest({
      respond: (request) => {
        seen.push(request);
        return model(request);
      },
    });
    const dir = project(trafficLines(30), {
      "modelgate.config.yaml": [
        "variants:",
        "  canary:",
        "    provider: openai-compatible",
        "    model: candidate-2025-01-21",
        "    prompt: new-prompt.md",
        "    params: { temperature: 0 }",
        "",
      ].join("\n"),
      "new-prompt.md": "You are the NEW support bot.",
    });
    const result = await runModelgate([...trafficArgs, "--baseline", "recorded", "--candidate", "canary"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(1);
    expect(seen).toHaveLength(30);
    expect(new Set(seen.map((request) => request.lastUser)).size).toBe(30);
    for (const request of seen) {
      expect(request.model).toBe("candidate-2025-01-21");
      // The candidate's prompt takes the place of production's developer message; the rest is as logged.
      expect(request.body.messages[0]).toEqual({ role: "developer", content: "You are the NEW support bot." });
      expect(request.body.messages).toHaveLength(2);
      // Logged sampling params are kept under the variant's own; stream and user are not replayed.
      expect(request.body.temperature).toBe(0);
      expect(request.body.max_tokens).toBe(300);
      expect(request.body.stream).toBeUndefined();
      expect(request.body.user).toBeUndefined();
    }
    const report = readReport(dir);
    expect(new Set(report.regressions)).toEqual(new Set([...planted].map((id) => `req-${id}`)));
    expect(report.variants.baseline.provider).toBe("recorded");
    expect(report.variants.candidate.model).toBe("candidate-2025-01-21");
  });

  test("image parts are sent to the provider as logged and are part of the request key", async () => {
    const seen: FakeRequest[] = [];
    const server = await fakeServerForTest({
      respond: (request) => {
        seen.push(request);
        return { text: "a receipt" };
      },
    });
    const image = (data: string): TrafficLine => ({
      v: 1,
      id: `img-${data}`,
      ts: "2026-06-12T10:00:00Z",
      request: {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: `data:image/png;base64,${data}` } },
            ],
          },
        ],
      },
      arms: { baseline: { model: "prod", output: "a receipt", error: null } },
    });
    const rubric = "checks:\n  - { id: polite, type: not-refusal, category: quality }\ngate:\n  - { metric: pass_rate, max_drop: 0.5 }\n";
    const dir = makeProject({ "prod.traffic.jsonl": [image("AAAA"), image("BBBB")].map(serializeTrafficLine).join(""), "rubric.yaml": rubric });
    const args = ["eval", "--rubric", "rubric.yaml", "--traffic", "prod.traffic.jsonl", "--out", "out", "--baseline", "recorded"];
    const env = { OPENAI_BASE_URL: server.openaiBaseUrl };
    const result = await runModelgate([...args, "--candidate", "openai-compatible:m-2025-01-01"], { cwd: dir, env });
    expect(result.exitCode).toBe(0);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.body.messages[0].content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: expect.stringMatching(/^data:image\/png;base64,(AAAA|BBBB)$/) } },
    ]);
    // Same text, different images: two cache entries, so a second run is served from the cache.
    await runModelgate([...args, "--candidate", "openai-compatible:m-2025-01-01", "--out", "out2"], { cwd: dir, env });
    expect(seen).toHaveLength(2);
    expect(readdirSync(join(dir, ".modelgate", "cache", "segments")).length).toBeGreaterThan(0);
  });

  test("an Anthropic candidate gets production's developer message as `system` and image parts as image blocks", async () => {
    const seen: FakeRequest[] = [];
    const server = await fakeServerForTest({
      respond: (request) => {
        seen.push(request);
        return { text: "a receipt" };
      },
    });
    const line: TrafficLine = {
      v: 1,
      id: "img-1",
      ts: "2026-06-12T10:00:00Z",
      request: {
        messages: [
          { role: "developer", content: "Describe images." },
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://images.example.test/r.png" } },
            ],
          },
        ],
        params: { temperature: 0.3, max_completion_tokens: 200, response_format: { type: "json_object" } },
      },
      arms: { baseline: { model: "prod", output: "a receipt", error: null } },
    };
    const rubric = "checks:\n  - { id: polite, type: not-refusal, category: quality }\ngate:\n  - { metric: pass_rate, max_drop: 0.5 }\n";
    const dir = makeProject({ "prod.traffic.jsonl": serializeTrafficLine(line), "rubric.yaml": rubric });
    const result = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--traffic", "prod.traffic.jsonl", "--out", "out", "--no-cache", "--baseline", "recorded"].concat([
        "--candidate",
        "anthropic:claude-x-20250101",
      ]),
      { cwd: dir, env: { ANTHROPIC_BASE_URL: server.anthropicBaseUrl, ANTHROPIC_API_KEY: "sk-ant-test-0000000000" } },
    );
    expect(result.exitCode).toBe(0);
    const body = seen[0]?.body;
    expect(body.system).toBe("Describe images.");
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          { type: "image", source: { type: "url", url: "https://images.example.test/r.png" } },
        ],
      },
    ]);
    // OpenAI-only parameters are not replayed to the Messages API; the limit is, under its name there.
    expect(body.max_tokens).toBe(200);
    expect(body.temperature).toBe(0.3);
    expect(body.response_format).toBeUndefined();
  });

  test("`recorded` without --traffic, and with --repeat, are usage errors (exit 2)", async () => {
    const dir = project(trafficLines(3), { "data.jsonl": "" });
    const noTraffic = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--dataset", "prod.traffic.jsonl", "--baseline", "recorded", "--candidate", "recorded"],
      {
        cwd: dir,
      },
    );
    expect(noTraffic.exitCode).toBe(2);
    expect(noTraffic.stderr).toContain("`recorded` means the traffic file's recorded baseline arm; it needs --traffic FILE");
    const repeated = await runModelgate([...trafficArgs, "--baseline", "recorded", "--candidate", "recorded", "--repeat", "3"], { cwd: dir });
    expect(repeated.exitCode).toBe(2);
    const asDataset = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--dataset", "prod.traffic.jsonl", "--baseline", "a:b", "--candidate", "a:c"],
      {
        cwd: dir,
      },
    );
    expect(asDataset.exitCode).toBe(2);
    expect(asDataset.stderr).toContain(
      "prod.traffic.jsonl:1: this is a traffic line (v, request, arms; SPEC §9), not a dataset case: pass the file with --traffic",
    );
    expect(repeated.stderr).toContain("a recorded arm is one answer per traffic line");
  });
  test("the traffic file is read again as the run goes: a line appended mid-run is an input error (exit 2), not a mixed run", async () => {
    // ~300 KB: the run is still reading the file when the first request arrives.
    const dir = project(trafficLines(700));
    let appended = false;
    const server = await fakeServerForTest({
      respond: (request) => {
        if (!appended) {
          appended = true;
          appendFileSync(join(dir, "prod.traffic.jsonl"), trafficLines(1).replaceAll("req-", "late-"));
        }
        return scriptedModel(planted)(request);
      },
    });
    const result = await runModelgate([...trafficArgs, "--baseline", "recorded", "--candidate", "openai-compatible:m-2025-01-01", "--quiet"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "test" },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("prod.traffic.jsonl: changed while the run was reading it");
  });
});
