/**
 * The `otel` importer on spans the real instrumentation writes: @opentelemetry/instrumentation-openai
 * around the real `openai` SDK, calling the loopback test server; spans and log events serialised by
 * @opentelemetry/otlp-transformer's JSON serializers (the OTLP JSON encoding the file exporters write),
 * one export request per line. This instrumentation emits the ≤ 1.36 dialect (per-message log events).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { OpenAIInstrumentation } from "@opentelemetry/instrumentation-openai";
import { JsonLogsSerializer, JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TrafficLine } from "../../../src/traffic/types.js";
import { type FakeServer, startFakeLlmServer } from "../../support/fake-llm-server.js";
import { runModelgate } from "../../support/run-cli.js";
import { tempFolderForTest } from "../../support/temp-folder.js";

const spans = new InMemorySpanExporter();
const logs = new InMemoryLogRecordExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
instrumentation.setTracerProvider(tracerProvider);
instrumentation.setLoggerProvider(loggerProvider);
instrumentation.enable();
// `require`, not `import`: the instrumentation patches the module as require-in-the-middle loads it.
const { OpenAI } = createRequire(import.meta.url)("openai") as typeof import("openai");

let server: FakeServer;
let otlpFile: string;
let dir: string;

beforeAll(async () => {
  server = await startFakeLlmServer({
    respond: (req) =>
      req.tools?.length
        ? { tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1234" } }], usage: { input_tokens: 40, output_tokens: 9 } }
        : { text: `answer to: ${req.lastUser}`, usage: { input_tokens: 12, output_tokens: 5 } },
  });
  const client = new OpenAI({ apiKey: "sk-test-not-a-real-key-000000", baseURL: server.openaiBaseUrl, maxRetries: 0 });
  await client.chat.completions.create({
    model: "gpt-4o-mini",
    temperature: 0.2,
    max_tokens: 64,
    messages: [
      { role: "system", content: "You are a support agent." },
      { role: "user", content: "Where is my parcel?" },
    ],
  });
  await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Refund order A-1234" }],
    tools: [{ type: "function", function: { name: "issue_refund", parameters: { type: "object", properties: { order_id: { type: "string" } } } } }],
  });
  await tracerProvider.forceFlush();
  await loggerProvider.forceFlush();
}, 30_000);

afterAll(async () => {
  instrumentation.disable();
  await server?.close();
});

/** One OTLP JSON export request per line: the spans, then the log events, as a file exporter would append them. */
function writeOtlp(path: string): void {
  const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
  const traceLine = decode(JsonTraceSerializer.serializeRequest(spans.getFinishedSpans()));
  const logLine = decode(JsonLogsSerializer.serializeRequest(logs.getFinishedLogRecords()));
  writeFileSync(path, `${traceLine}\n${logLine}\n`);
}

describe("otel import of real instrumentation output", () => {
  test("every call becomes a line with its messages, answer, model, usage and latency; nothing invented", async () => {
    dir = tempFolderForTest("mg-otel-");
    otlpFile = join(dir, "otlp.jsonl");
    writeOtlp(otlpFile);
    const result = await runModelgate(["import", "otel", otlpFile, "--out", "traffic.jsonl"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("gen_ai.*.message / gen_ai.choice log events (semconv <= 1.36)");
    expect(result.stdout).toContain("ttft: absent in otel");
    const lines = readFileSync(join(dir, "traffic.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as TrafficLine);
    expect(lines).toHaveLength(2);
    const [chat, tool] = lines as [TrafficLine, TrafficLine];
    expect(chat.request.messages).toEqual([
      { role: "system", content: "You are a support agent." },
      { role: "user", content: "Where is my parcel?" },
    ]);
    expect(chat.request.params).toEqual({ temperature: 0.2, max_tokens: 64 });
    const arm = chat.arms.baseline;
    expect(arm?.output).toBe("answer to: Where is my parcel?");
    expect(arm?.model).toBe("gpt-4o-mini");
    expect(arm?.usage).toEqual({ input_tokens: 12, output_tokens: 5 });
    expect(arm?.latency_ms).toBeGreaterThan(0);
    expect(arm?.ttft_ms).toBeUndefined();
    expect(arm?.error).toBeNull();
    expect(chat.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(chat.ts)).toBeGreaterThan(Date.now() - 600_000);
    expect(tool.arms.baseline?.tool_calls).toEqual([expect.objectContaining({ name: "issue_refund", arguments: { order_id: "A-1234" } })]);
    expect(tool.request.messages).toEqual([{ role: "user", content: "Refund order A-1234" }]);
  });

  test("the log events may come before their spans, in another file", async () => {
    const folder = tempFolderForTest("mg-otel-");
    const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
    writeFileSync(join(folder, "logs.jsonl"), `${decode(JsonLogsSerializer.serializeRequest(logs.getFinishedLogRecords()))}\n`);
    writeFileSync(join(folder, "traces.jsonl"), `${decode(JsonTraceSerializer.serializeRequest(spans.getFinishedSpans()))}\n`);
    const result = await runModelgate(["import", "otel", "logs.jsonl", "traces.jsonl", "--out", "t.jsonl"], { cwd: folder });
    expect(result.exitCode).toBe(0);
    const lines = readFileSync(join(folder, "t.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => (JSON.parse(l) as TrafficLine).arms.baseline?.output)).toContain("answer to: Where is my parcel?");
  });
});
