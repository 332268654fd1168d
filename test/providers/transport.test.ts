/**
 * The transport's defences through the real CLI (the "dist" project re-runs this file on dist/bin.js):
 * a Retry-After far beyond the cap, a response over the size cap, a gzip bomb, and tool-call arguments
 * past the depth and size limits are each a clear per-case error or a prompt exit 3, never a crash, a
 * stall or gigabytes of memory.
 */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { describe, expect, onTestFinished, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { caseIdOf, scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

type Api = "openai" | "anthropic";

function evalArgs(api: Api, ...extra: string[]): string[] {
  const [baseline, candidate] =
    api === "openai"
      ? ["openai-compatible:baseline-2024-01-01", "openai-compatible:candidate-2024-02-01"]
      : ["anthropic:claude-baseline-20240101", "anthropic:claude-candidate-20240201"];
  return ["eval", "--rubric", "rubric.yaml", "--baseline", baseline, "--candidate", candidate, "--no-cache", "--out", "out", ...extra];
}

function envFor(api: Api, baseUrl: { openaiBaseUrl: string; anthropicBaseUrl: string }): Record<string, string> {
  return api === "openai"
    ? { OPENAI_BASE_URL: baseUrl.openaiBaseUrl }
    : { ANTHROPIC_BASE_URL: baseUrl.anthropicBaseUrl, ANTHROPIC_API_KEY: "sk-ant-transport-000000000000" };
}

function project(cases: number): string {
  return makeProject({ "data.jsonl": scenarioCases(cases), "rubric.yaml": scenarioRubric });
}

function readReport(dir: string): RunReport {
  return JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
}

describe.each(["openai", "anthropic"] as const)("%s", (api) => {
  test("Retry-After: 86400 is not waited for: every request is sent once and the run ends with exit 3 at once", async () => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "status", status: 429, retryAfter: "86400" }) });
    const dir = project(6);
    const started = Date.now();
    const result = await runModelgate(evalArgs(api), { cwd: dir, env: envFor(api, server) });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(3);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(server.stats.requests).toBeLessThanOrEqual(12);
    const runs = readReport(dir).cases.flatMap((c) => [...c.baseline, ...c.candidate]);
    for (const run of runs) if (run.error) expect(run.error.kind).toBe("rate_limit");
  });

  test("a response over MODELGATE_MAX_RESPONSE_BYTES is an error on its case; the rest of the run is scored", async () => {
    const good = scriptedModel();
    const server = await fakeServerForTest({
      respond: (request) =>
        request.model.includes("candidate") && caseIdOf(request) === "faq-002" ? { text: "30 days ".repeat(2_000) } : good(request),
    });
    const dir = project(6);
    const result = await runModelgate(evalArgs(api), { cwd: dir, env: { ...envFor(api, server), MODELGATE_MAX_RESPONSE_BYTES: "8192" } });
    expect(result.stderr).not.toContain("crashed");
    const report = readReport(dir);
    const big = report.cases.find((c) => c.id === "faq-002")?.candidate[0];
    expect(big?.error).toMatchObject({ kind: "malformed", message: "response body over 8192 bytes (decoded); cut off" });
    expect(big?.attempts).toBe(1);
    expect(report.cases.flatMap((c) => [...c.baseline, ...c.candidate]).filter((run) => run.error)).toHaveLength(1);
  });

  test("tool-call arguments nested too deep or too long are an arguments_error on the call, not a crash", async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = { a: deep };
    const good = scriptedModel();
    const server = await fakeServerForTest({
      respond: (request) => {
        if (!request.model.includes("candidate")) return good(request);
        if (caseIdOf(request) === "tool-000") return { tool_calls: [{ name: "issue_refund", arguments: JSON.stringify({ order_id: deep }) }] };
        if (caseIdOf(request) === "tool-003")
          return { tool_calls: [{ name: "issue_refund", arguments: JSON.stringify({ order_id: "A-1003", reason: "x".repeat(1_100_000) }) }] };
        return good(request);
      },
    });
    const dir = project(6);
    const result = await runModelgate(evalArgs(api), { cwd: dir, env: envFor(api, server) });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(1);
    const report = readReport(dir);
    const call = (id: string) => report.cases.find((c) => c.id === id)?.candidate[0]?.tool_calls[0];
    expect(call("tool-000")).toMatchObject({
      name: "issue_refund",
      arguments: null,
      arguments_error: "arguments are nesting deeper than 200 levels",
    });
    expect(call("tool-003")).toMatchObject({ name: "issue_refund", arguments: null });
    expect(call("tool-003")?.arguments_error).toMatch(/^arguments are 1100\d{3} characters, over the limit of 1000000$/);
    expect((call("tool-003")?.raw_arguments ?? "").length).toBeLessThan(3_000);
    expect(report.regressions.sort()).toEqual(["tool-000", "tool-003"]);
  });
});

test("MODELGATE_MAX_RESPONSE_BYTES that is not a positive whole number is an input error (exit 2)", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel() });
  for (const value of ["0", "-5", "12kb", "1e400"]) {
    const result = await runModelgate(evalArgs("openai"), {
      cwd: project(3),
      env: { ...envFor("openai", server), MODELGATE_MAX_RESPONSE_BYTES: value },
    });
    expect(result.exitCode, value).toBe(2);
    expect(result.stderr).toContain("MODELGATE_MAX_RESPONSE_BYTES");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }
  expect(server.stats.requests).toBe(0);
});

test("a gzip bomb (1 GiB of zeros, ~1 MiB on the wire) is a malformed response on its cases, cut off at 16 MiB", async () => {
  const bomb = await gzippedZeros(1024);
  const reply = JSON.stringify({
    id: "c",
    object: "chat.completion",
    created: 0,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content: "30 days" }, finish_reason: "stop" }],
  });
  // Baseline answers; every candidate request gets the bomb.
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if ((JSON.parse(body) as { model: string }).model.includes("candidate")) {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(reply);
    }
  });
  server.on("connection", (socket: Socket) => sockets.add(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const dir = project(3);
  const result = await runModelgate(evalArgs("openai", "--concurrency", "2"), { cwd: dir, env: { OPENAI_BASE_URL: url } });
  expect(result.stderr).not.toContain("crashed");
  const report = readReport(dir);
  const candidate = report.cases.flatMap((c) => c.candidate);
  expect(candidate.map((run) => run.error?.message)).toEqual(candidate.map(() => `response body over ${16 * 1024 * 1024} bytes (decoded); cut off`));
  expect(candidate.map((run) => run.error?.kind)).toEqual(candidate.map(() => "malformed"));
  expect(report.cases.flatMap((c) => c.baseline).every((run) => run.error === null)).toBe(true);
});

/** `mib` MiB of zeros, gzipped as a stream (its content never sits in memory). */
async function gzippedZeros(mib: number): Promise<Buffer> {
  const gzip = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!gzip.write(zeros)) await once(gzip, "drain");
  gzip.end();
  await once(gzip, "end");
  return Buffer.concat(chunks);
}

test("--timeout past what a timer can hold (2^31 ms) is an input error, not requests that time out at once", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel() });
  const result = await runModelgate(evalArgs("openai", "--timeout", "2147483648"), { cwd: project(3), env: envFor("openai", server) });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toContain("--timeout");
  expect(server.stats.requests).toBe(0);
});
