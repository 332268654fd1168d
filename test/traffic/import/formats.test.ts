/**
 * Each format through the real CLI on hand-written fixtures (test/fixtures/traffic-import/), written to
 * the shapes of the upstream sources: LiteLLM's StandardLoggingPayload (litellm/types/utils.py), the
 * OpenAI Batch input/output/error files, OTLP JSON in the three GenAI dialects, Langfuse observations.
 */
import { cpSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { type TrafficLine, trafficErrorKinds } from "../../../src/traffic/types.js";
import { runModelgate } from "../../support/run-cli.js";
import { tempFolderForTest } from "../../support/temp-folder.js";

const fixtures = resolve(import.meta.dirname, "../../fixtures/traffic-import");

async function importLines(args: string[]): Promise<{ lines: TrafficLine[]; stdout: string; exitCode: number; stderr: string }> {
  const dir = tempFolderForTest("mg-import-");
  cpSync(fixtures, dir, { recursive: true });
  const result = await runModelgate(["import", ...args, "--out", "out.traffic.jsonl"], { cwd: dir });
  let lines: TrafficLine[] = [];
  try {
    lines = readFileSync(join(dir, "out.traffic.jsonl"), "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TrafficLine);
  } catch {
    // no output written
  }
  return { lines, ...result };
}

/** What every written line must satisfy (SPEC §9). */
function expectValidLines(lines: TrafficLine[]): void {
  expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
  for (const line of lines) {
    expect(line.v).toBe(1);
    expect(new Date(line.ts).toISOString()).toBe(line.ts);
    expect(line.request.messages.length).toBeGreaterThan(0);
    for (const arm of Object.values(line.arms)) {
      if (arm.error) {
        expect(trafficErrorKinds).toContain(arm.error.kind);
        expect(arm.output).toBeNull();
      }
    }
  }
}

describe("litellm", () => {
  test("silent_model mirrors join by trace_id into one line with both arms; ttft only where a first token was measured", async () => {
    const { lines, stdout, exitCode } = await importLines([
      "litellm",
      "litellm.jsonl",
      "--arm",
      "baseline=gpt-4o-2024-08-06",
      "--arm",
      "candidate=gpt-4o-2025-01-21",
      "--tag",
      "tenant=metadata.requester_metadata.tenant",
    ]);
    expect(exitCode).toBe(0);
    expectValidLines(lines);
    expect(stdout).toContain("StandardLoggingPayload");
    expect(stdout).toContain("1 call_type aembedding is not a chat completion");
    expect(stdout).toContain("1 --arm-by model: matches no --arm value");
    expect(lines.map((l) => l.id)).toEqual(["trace-1", "trace-2"]);
    const [tools, stream] = lines as [TrafficLine, TrafficLine];
    expect(tools.tags).toEqual(["tenant:acme"]);
    expect(tools.request.messages[0]).toEqual({ role: "developer", content: "You are a support agent." });
    expect(tools.request.tools).toEqual([expect.objectContaining({ name: "issue_refund" })]);
    expect(tools.request.tool_choice).toBe("auto");
    expect(tools.request.params).toEqual({ temperature: 0, max_tokens: 512 });
    expect(tools.arms.baseline).toMatchObject({ served: true, latency_ms: 1240, usage: { input_tokens: 812, output_tokens: 21 } });
    expect(tools.arms.candidate).toMatchObject({
      served: false,
      latency_ms: 980,
      tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1234" } }],
    });
    expect(tools.arms.baseline?.ttft_ms).toBeUndefined(); // not streamed: completionStartTime is endTime
    expect(stream.arms.baseline?.ttft_ms).toBe(310);
    expect(stream.arms.candidate).toMatchObject({ output: null, status: 429, error: { kind: "rate_limit" } });
  });

  test("without --arm every record is a baseline, each a line of its own", async () => {
    const { lines, exitCode } = await importLines(["litellm", "litellm.jsonl"]);
    expect(exitCode).toBe(0);
    expectValidLines(lines);
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.arms.baseline && !l.arms.candidate)).toBe(true);
  });

  test("--arm-by a dotted path", async () => {
    const { lines } = await importLines(["litellm", "litellm.jsonl", "--arm-by", "model_group", "--arm", "baseline=legacy"]);
    expect(lines.map((l) => l.arms.baseline?.output)).toEqual(["Pong"]);
  });
});

describe("openai-batch", () => {
  const files = ["batch-b-errors.jsonl", "batch-a-output.jsonl", "batch-b-input.jsonl", "batch-b-output.jsonl", "batch-a-input.jsonl"];

  test("two input/output pairs and an error file, in any order, join on custom_id; latency is reported absent", async () => {
    const { lines, stdout, exitCode } = await importLines([
      "openai-batch",
      ...files,
      "--arm",
      "baseline=gpt-4o",
      "--arm",
      "candidate=gpt-4.1",
      "--tag",
      "tenant=body.metadata.tenant",
    ]);
    expect(exitCode).toBe(0);
    expectValidLines(lines);
    expect(stdout).toContain("latency: absent in openai-batch");
    expect(stdout).toContain("Batch input (/v1/chat/completions)");
    expect(lines.map((l) => l.id)).toEqual(["req-1", "req-2", "req-3"]);
    const [one, two, three] = lines as [TrafficLine, TrafficLine, TrafficLine];
    expect(one.ts).toBe(new Date(1711652795 * 1000).toISOString());
    expect(one.arms.baseline).toMatchObject({ model: "gpt-4o-2024-08-06", output: "billing", status: 200 });
    expect(one.arms.candidate).toMatchObject({ model: "gpt-4.1-2025-04-14", output: "duplicate-charge" });
    expect(one.arms.baseline?.latency_ms).toBeUndefined();
    expect(one.arms.baseline?.served).toBeUndefined();
    expect(two.tags).toEqual(["tenant:globex"]);
    expect(two.arms.candidate).toMatchObject({ output: null, status: 429, error: { kind: "rate_limit" } });
    expect(three.arms.candidate).toMatchObject({ output: null, error: { kind: "timeout" } });
  });

  test("--redact masks the card number in messages", async () => {
    const { lines } = await importLines(["openai-batch", ...files, "--redact"]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain("4111 1111 1111 1111");
    expect(text).toContain("[card]");
  });
});

describe("otel", () => {
  test("semconv >= 1.37 attributes: messages, system instructions, tool definitions, errors; non-GenAI spans skipped", async () => {
    const { lines, stdout } = await importLines([
      "otel",
      "otel-semconv-1.37.jsonl",
      "--arm",
      "baseline=gpt-4o",
      "--arm",
      "candidate=gpt-4.1",
      "--tag",
      "tenant=app.tenant",
    ]);
    expectValidLines(lines);
    expect(stdout).toContain("semconv >= 1.37");
    expect(stdout).toContain("read 3,");
    const [paired, failed] = lines as [TrafficLine, TrafficLine];
    expect(paired.id).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(paired.tags).toEqual(["tenant:acme"]);
    expect(paired.request.messages).toEqual([
      { role: "system", content: "You are a support agent." },
      { role: "user", content: "Refund A-1234" },
    ]);
    expect(paired.request.tools).toEqual([expect.objectContaining({ name: "issue_refund" })]);
    expect(paired.arms.baseline).toMatchObject({ latency_ms: 1240, tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1234" } }] });
    expect(paired.arms.candidate).toMatchObject({ output: "I cannot do refunds.", latency_ms: 980 });
    expect(failed.arms.candidate).toMatchObject({ output: null, status: 429, error: { kind: "rate_limit" } });
  });

  test("OpenLLMetry flattened attributes", async () => {
    const { lines, stdout } = await importLines(["otel", "otel-openllmetry.jsonl"]);
    expectValidLines(lines);
    expect(stdout).toContain("OpenLLMetry");
    const [tool, json] = lines as [TrafficLine, TrafficLine];
    expect(tool.request.tools).toEqual([expect.objectContaining({ name: "get_weather", description: "Weather by city" })]);
    expect(tool.arms.baseline?.tool_calls).toEqual([{ id: "call_9", name: "get_weather", arguments: { city: "Paris" } }]);
    expect(tool.arms.baseline?.usage).toEqual({ input_tokens: 30, output_tokens: 8 });
    expect(json.arms.baseline?.output).toBe('{"a": 1}');
    expect(json.request.messages).toEqual([{ role: "user", content: 'Give me {"a": 1} back' }]);
  });

  test("semconv <= 1.36 log events, written before their span, in time order", async () => {
    const { lines, stdout } = await importLines(["otel", "otel-events-1.36.jsonl"]);
    expectValidLines(lines);
    expect(stdout).toContain("semconv <= 1.36");
    expect(lines[0]?.request.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi there" },
    ]);
    expect(lines[0]?.arms.baseline).toMatchObject({ model: "gpt-4o-mini-2024-07-18", output: "Hello!" });
  });
});

describe("langfuse", () => {
  test("GENERATION rows of both export spellings; ttft from completionStartTime only", async () => {
    const { lines, stdout } = await importLines([
      "langfuse",
      "langfuse.jsonl",
      "--arm",
      "baseline=gpt-4o-2024-08-06",
      "--arm",
      "candidate=gpt-4.1",
      "--tag",
      "tenant=metadata.tenant",
    ]);
    expectValidLines(lines);
    expect(stdout).toContain("1 type SPAN is not GENERATION");
    const [paired, failed] = lines as [TrafficLine, TrafficLine];
    expect(paired.prompt).toEqual({ name: "math", version: "3" });
    expect(paired.request.params).toEqual({ temperature: 0, max_tokens: 512 });
    expect(paired.arms.baseline).toMatchObject({ output: "4", latency_ms: 1240, ttft_ms: 310 });
    expect(paired.arms.candidate).toMatchObject({ output: "Four.", latency_ms: 980 });
    expect(paired.arms.candidate?.ttft_ms).toBeUndefined();
    expect(failed.tags).toEqual(["tenant:globex"]);
    expect(failed.request.tools).toEqual([{ name: "book", parameters: { type: "object" } }]);
    expect(failed.arms.baseline).toMatchObject({ output: null, error: { kind: "timeout", message: "Request timed out." } });
  });
});
