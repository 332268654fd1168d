/**
 * Issue #24 through the real CLI: Responses and Azure variants from the config, reasoning and cached
 * usage priced per column, the served model recorded per draw with its warnings (and against a
 * --baseline-report), streaming latency metrics, and the variant fields' input errors.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import type { FakeRequest } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";

const rubric = `
name: today
dataset: data.jsonl
checks:
  - { id: answer, type: contains, value: "30 days", category: quality }
  - { id: polite, type: not-refusal, category: quality }
gate:
  - { metric: pass_rate, max_drop: 0.5 }
  - { metric: cost.per_request_usd, max_increase: "1000%" }
`;

const cases = Array.from({ length: 6 }, (_, i) => ({ id: `faq-${i}`, input: `[faq-${i}] How long is the return window?` }));

function project(config: string): string {
  return makeProject({ "data.jsonl": cases, "rubric.yaml": rubric, "modelgate.config.yaml": config });
}

function readReport(dir: string, out = "out"): RunReport {
  return JSON.parse(readFileSync(join(dir, out, "report.json"), "utf8")) as RunReport;
}

const env = (url: string) => ({
  OPENAI_BASE_URL: `${url}/v1`,
  OPENAI_API_KEY: "sk-test-cli-000000000000",
  AZURE_OPENAI_API_KEY: "azure-cli-key-0000000000",
});
const evalArgs = (...extra: string[]) => [
  "eval",
  "--rubric",
  "rubric.yaml",
  "--baseline",
  "stable",
  "--candidate",
  "next",
  "--no-cache",
  "--out",
  "out",
  ...extra,
];

/** Cached input and reasoning tokens on every answer; the candidate's model answers under another name. */
function answer(request: FakeRequest) {
  return {
    text: "You can return items within 30 days.",
    model: request.model.startsWith("o4-mini") ? "o4-mini-2025-04-16" : "o3-2025-04-16-v2",
    usage: { input_tokens: 1000, output_tokens: 200, cached_input_tokens: 800, reasoning_tokens: 150 },
  };
}

describe("modelgate eval with the Responses API, reasoning and streaming", () => {
  test("served model, cached and reasoning usage, per-column cost, ttft metrics and warnings in report.json", async () => {
    const server = await fakeServerForTest({ respond: answer, latencyMs: 30, chunkDelayMs: 5 });
    const dir = project(`
variants:
  stable:
    provider: openai-responses
    model: o4-mini-2025-04-16
    reasoning: { effort: low }
  next:
    provider: openai-responses
    model: o3-2025-04-16
    reasoning: { effort: high }
    stream: true
    pricing: { input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: 0.1, reasoning_per_mtok: 3 }
`);
    const result = await runModelgate(evalArgs(), { cwd: dir, env: env(server.url) });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(0);
    expect(server.stats.byApi.responses).toBe(12);
    const sent = server.stats.log.find((request) => request.model === "o3-2025-04-16");
    expect(sent?.body).toMatchObject({ reasoning: { effort: "high" }, stream: true });
    const report = readReport(dir);
    const baseline = report.cases[0]?.baseline[0];
    const candidate = report.cases[0]?.candidate[0];
    expect(baseline).toMatchObject({
      served_model: "o4-mini-2025-04-16",
      usage: { input_tokens: 1000, output_tokens: 200, cached_input_tokens: 800, reasoning_tokens: 150 },
    });
    expect(baseline?.ttft_ms).toBeUndefined();
    // o4-mini's built-in price: 200 plain input at 1.10, 800 cached at 0.275, 200 output at 4.40 (reasoning is output).
    expect(baseline?.cost_usd).toBeCloseTo((200 * 1.1 + 800 * 0.275 + 200 * 4.4) / 1e6, 12);
    // The variant's own columns: reasoning tokens at their own price.
    expect(candidate?.cost_usd).toBeCloseTo((200 * 1 + 800 * 0.1 + 50 * 2 + 150 * 3) / 1e6, 12);
    expect(candidate?.served_model).toBe("o3-2025-04-16-v2");
    expect(candidate?.ttft_ms).toBeGreaterThanOrEqual(20);
    expect(candidate?.tokens_per_s).toBeGreaterThan(0);
    expect(report.metrics.candidate["latency.ttft_p50_ms"]).toBeGreaterThanOrEqual(20);
    expect(report.metrics.candidate["latency.ttft_p95_ms"]).toBeGreaterThanOrEqual(report.metrics.candidate["latency.ttft_p50_ms"] as number);
    expect(report.metrics.baseline["latency.ttft_p50_ms"]).toBeNull();
    expect(report.metrics.candidate["tokens.reasoning.mean"]).toBe(150);
    expect(report.metrics.candidate["tokens.cached_input.mean"]).toBe(800);
    expect(report.metrics.baseline["cost.per_request_usd"]).toBeCloseTo(0.00132, 12);
    expect(report.variants.candidate).toMatchObject({ provider: "openai-responses", reasoning: { effort: "high" }, stream: true });
    const warning = report.run.warnings.find((w) => w.includes("was served"));
    expect(warning).toContain("candidate (next) asked for model o3-2025-04-16 and was served o3-2025-04-16-v2 (6)");
    expect(report.run.warnings.some((w) => w.startsWith("baseline") && w.includes("was served"))).toBe(false);
    expect(result.stderr).toContain("was served o3-2025-04-16-v2");
    // Shown: the variant's reasoning and streaming, and the reasoning / cached tokens and ttft per request.
    expect(result.stdout).toContain("[reasoning high, streamed]");
    expect(result.stdout).toContain("reasoning tokens/request: 150 → 150; cached input tokens/request: 800 → 800; time to first token p50: — →");
    // The saved report, new fields and all, passes `modelgate report`'s schema check.
    const rerendered = await runModelgate(["report", "out/report.json"], { cwd: dir, env: {} });
    expect(rerendered.stderr).not.toContain("not a valid");
    expect(rerendered.exitCode).toBe(0);
  });

  test("a gate rule on latency.ttft_p95_ms is evaluated with paired statistics", async () => {
    const server = await fakeServerForTest({ respond: answer, latencyMs: 20, chunkDelayMs: 2 });
    const dir = makeProject({
      "data.jsonl": cases,
      "rubric.yaml": `${rubric}  - { metric: latency.ttft_p95_ms, max_increase: "500%" }\n`,
      "modelgate.config.yaml": `
variants:
  stable: { provider: openai-responses, model: o4-mini-2025-04-16, stream: true }
  next: { provider: openai, model: o4-mini-2025-04-16, stream: true }
`,
    });
    const result = await runModelgate(evalArgs(), { cwd: dir, env: env(server.url) });
    expect(result.stderr).not.toContain("crashed");
    const rule = readReport(dir).gate.rules.find((r) => r.metric === "latency.ttft_p95_ms");
    expect(rule?.baseline).toBeGreaterThan(0);
    expect(rule?.candidate).toBeGreaterThan(0);
    expect(rule?.n).toBe(6);
    expect(rule?.method).not.toBe("no paired cases");
  });

  test("a refusal in the API's refusal field fails not-refusal, whatever its wording", async () => {
    const server = await fakeServerForTest({
      respond: (request) => (request.model.includes("o3") ? { refusal: "Regrettably this is outside policy." } : { text: "Within 30 days." }),
    });
    const dir = project(`
variants:
  stable: { provider: openai, model: o4-mini-2025-04-16 }
  next: { provider: openai-responses, model: o3-2025-04-16 }
`);
    const result = await runModelgate(evalArgs(), { cwd: dir, env: env(server.url) });
    expect(result.exitCode).toBe(1);
    const run = readReport(dir).cases[0]?.candidate[0];
    expect(run?.refusal).toBe("Regrettably this is outside policy.");
    expect(run?.checks.polite).toMatchObject({ status: "fail" });
    expect(run?.checks.polite?.reason).toContain("refusal field");
  });
});

describe("Azure OpenAI from the config", () => {
  test("deployment, api-version and the api-key header; the key never reaches the report", async () => {
    const server = await fakeServerForTest({
      requireKey: "azure-cli-key-0000000000",
      respond: () => ({ text: "30 days", model: "gpt-4o-2024-08-06" }),
    });
    const dir = project(`
variants:
  stable: { provider: azure, model: gpt-4o-2024-08-06, deployment: prod-4o, api_version: 2024-10-21, base_url: "${server.url}" }
  next: { provider: azure, model: gpt-4o-2024-11-20, deployment: next-4o, base_url: "${server.url}" }
`);
    const result = await runModelgate(evalArgs(), { cwd: dir, env: env(server.url) });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(0);
    const paths = new Set(server.stats.log.map((request) => `${request.path}?${request.query["api-version"]}`));
    expect(paths).toEqual(
      new Set(["/openai/deployments/prod-4o/chat/completions?2024-10-21", "/openai/deployments/next-4o/chat/completions?2024-10-21"]),
    );
    const text = readFileSync(join(dir, "out", "report.json"), "utf8");
    expect(text).not.toContain("azure-cli-key-0000000000");
    const report = JSON.parse(text) as RunReport;
    expect(report.variants.baseline).toMatchObject({ provider: "azure", deployment: "prod-4o", api_version: "2024-10-21" });
    // The deployment's model answered as another version: said so.
    expect(report.run.warnings.some((w) => w.includes("candidate (next) asked for model gpt-4o-2024-11-20 and was served gpt-4o-2024-08-06"))).toBe(
      true,
    );
  });
});

describe("--baseline-report and the served model", () => {
  test("a model id served as another model now than in the reused report is a warning", async () => {
    let served = "gpt-4o-2024-08-06";
    const server = await fakeServerForTest({
      respond: () => ({ text: "30 days", model: served, system_fingerprint: served === "gpt-4o-2024-08-06" ? "fp_old" : "fp_new" }),
    });
    const config = `
variants:
  stable: { provider: openai, model: gpt-4o-2024-08-06 }
  next: { provider: openai, model: gpt-4o-2024-08-06, prompt: "You are a concise support bot." }
`;
    const dir = project(config);
    const first = await runModelgate(evalArgs(), { cwd: dir, env: env(server.url) });
    expect(first.exitCode).toBe(0);
    expect(readReport(dir).run.warnings.filter((w) => w.includes("served"))).toEqual([]);
    served = "gpt-4o-2024-08-06-patched";
    const second = await runModelgate(
      evalArgs("--baseline-report", "out/report.json").map((arg) => (arg === "out" ? "out2" : arg)),
      {
        cwd: dir,
        env: env(server.url),
      },
    );
    expect(second.stderr).not.toContain("crashed");
    const report = readReport(dir, "out2");
    expect(report.run.requests.reused).toBe(6);
    expect(report.cases[0]?.baseline[0]).toMatchObject({ served_model: "gpt-4o-2024-08-06", system_fingerprint: "fp_old" });
    const warnings = report.run.warnings.join("\n");
    expect(warnings).toContain("model gpt-4o-2024-08-06 was served as gpt-4o-2024-08-06 (6) in --baseline-report");
    expect(warnings).toContain("as gpt-4o-2024-08-06-patched (6) now");
    expect(warnings).toContain("system_fingerprint fp_old (6)");
  });
});

describe("variant fields are validated (exit 2, naming the field)", () => {
  test.each([
    ["reasoning: { effort: extreme }", "variants.next.reasoning.effort: expected one of minimal | low | medium | high"],
    ["thinking: { budget_tokens: -5 }", "variants.next.thinking.budget_tokens"],
    ["stream: yes please", "variants.next.stream: expected true or false"],
    ["deployment: prod", "variants.next.deployment: only used by provider: azure"],
    ["pricing: { input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: cheap }", "variants.next.pricing.cached_input_per_mtok"],
  ])("%s", async (field, message) => {
    const dir = project(`
variants:
  stable: { provider: openai, model: gpt-4o-2024-08-06 }
  next:
    provider: openai
    model: gpt-4o-2024-11-20
    ${field}
`);
    const result = await runModelgate(["validate", "--rubric", "rubric.yaml"], { cwd: dir, env: {} });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
  });

  test("thinking on an OpenAI variant is a warning, and an error under --strict", async () => {
    const server = await fakeServerForTest({ respond: () => ({ text: "30 days" }) });
    const dir = project(`
variants:
  stable: { provider: openai, model: gpt-4o-2024-08-06 }
  next: { provider: openai, model: gpt-4o-2024-11-20, thinking: { budget_tokens: 2048 } }
`);
    const loose = await runModelgate(evalArgs(), { cwd: dir, env: env(server.url) });
    expect(loose.stderr).toContain("thinking.budget_tokens does not apply to provider openai and is not sent");
    expect(server.stats.log.every((request) => request.body.thinking === undefined)).toBe(true);
    const strict = await runModelgate(evalArgs("--strict"), { cwd: dir, env: env(server.url) });
    expect(strict.exitCode).toBe(2);
  });
});
