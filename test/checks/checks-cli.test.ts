/**
 * The deterministic checks through the real CLI, the real OpenAI SDK and a loopback server: hostile
 * patterns against hostile outputs, `extra_calls: allow` against an invented tool, and dataset schemas
 * under `strict_schema: false` (unknown keywords, a boolean schema, `$anchor`, embedded `$id`).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import type { FakeReply, FakeRequest } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";

const hostile = `${"a".repeat(50_000)}!`;
const refundTool = {
  name: "issue_refund",
  description: "Refund an order",
  parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
};

const cases = [
  { id: "long", input: "[long] Say a's.", tags: ["long"] },
  {
    id: "tool",
    input: "[tool] Refund my order.",
    tools: [refundTool],
    expected: { tool_calls: [{ name: "issue_refund", arguments: { order_id: { $regex: "^(a+)+$" } } }] },
  },
  {
    id: "invented",
    input: "[invented] Refund A-1.",
    tools: [refundTool],
    expected: { tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1" } }] },
  },
  // Unknown keywords (OpenAPI's `nullable`, an `x-` extension): fine under strict_schema: false.
  {
    id: "openapi",
    input: "[openapi] JSON please.",
    expected: { schema: { type: "object", nullable: true, "x-owner": "billing", properties: { a: { type: "string" } }, required: ["a"] } },
  },
  { id: "never", input: "[never] JSON please.", expected: { schema: false } },
  {
    id: "anchored",
    input: "[anchored] JSON please.",
    expected: {
      schema: {
        $id: "https://example.com/ticket",
        $defs: { priority: { $anchor: "priority", enum: ["low", "high"] }, id: { $id: "https://example.com/id", type: "string" } },
        type: "object",
        properties: { priority: { $ref: "#priority" }, id: { $ref: "https://example.com/id" } },
      },
    },
  },
];

const replies: Record<string, FakeReply> = {
  long: { text: hostile },
  tool: { tool_calls: [{ name: "issue_refund", arguments: { order_id: hostile } }] },
  invented: {
    tool_calls: [
      { name: "issue_refund", arguments: { order_id: "A-1" } },
      { name: "delete_account", arguments: { id: 1 } },
    ],
  },
  openapi: { text: '{"a": "x"}' },
  never: { text: '{"a": "x"}' },
  anchored: { text: '{"priority": "high", "id": "T-1"}' },
};

const rubric = (strictSchema: boolean) => `
name: checks
dataset: data.jsonl
checks:
  - { id: shape, type: regex, pattern: "^(a+)+$", when: { tags: [long] } }
  - { id: tools, type: tool-calls, extra_calls: allow }
  - { id: format, type: json-schema, strict_schema: ${strictSchema} }
gate:
  - { metric: pass_rate, max_drop: 0 }
`;

function respond(request: FakeRequest): FakeReply {
  const id = /\[(\w+)\]/.exec(request.lastUser)?.[1] ?? "";
  return replies[id] ?? { text: "?" };
}

function readReport(dir: string): RunReport {
  const [runDir] = readdirSync(join(dir, "reports"));
  return JSON.parse(readFileSync(join(dir, "reports", runDir ?? "", "report.json"), "utf8")) as RunReport;
}

const evalArgs = [
  "eval",
  "--rubric",
  "rubric.yaml",
  "--baseline",
  "openai-compatible:a-2024-01-01",
  "--candidate",
  "openai-compatible:b-2024-01-01",
  "--no-cache",
];

describe("deterministic checks through the CLI", () => {
  test("catastrophic patterns, an invented tool and lenient dataset schemas: each verdict right, in seconds", async () => {
    const server = await fakeServerForTest({ respond });
    const dir = makeProject({ "data.jsonl": cases, "rubric.yaml": rubric(false) });
    const started = performance.now();
    const result = await runModelgate(evalArgs, { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(0);
    const report = readReport(dir);
    const status = (id: string, check: string) => report.cases.find((c) => c.id === id)?.candidate[0]?.checks[check];
    expect(status("long", "shape")?.status).toBe("fail");
    expect(status("tool", "tools")?.status).toBe("fail");
    expect(status("tool", "tools")?.reason).toContain("expected a string matching /^(a+)+$/");
    expect(status("invented", "tools")).toMatchObject({
      status: "fail",
      reason: "called delete_account, which this case does not offer (extra_calls: allow covers only offered tools)",
    });
    expect(status("openapi", "format")?.status).toBe("pass");
    expect(status("never", "format")?.status).toBe("fail");
    expect(status("anchored", "format")?.status).toBe("pass");
  });

  test("strict_schema (the default) makes an unknown keyword in the dataset's schema an input error, before any request", async () => {
    const server = await fakeServerForTest({ respond });
    const dir = makeProject({ "data.jsonl": cases, "rubric.yaml": rubric(true) });
    const result = await runModelgate(evalArgs, { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /data\.jsonl:4: check format: expected\.schema: invalid JSON Schema: unknown keyword "(nullable|x-owner)" \(strict_schema: false on the check accepts/,
    );
    expect(result.stderr).not.toContain("    at ");
    expect(server.stats.requests).toBe(0);
  });

  test("a second run in the same process reads the schema files again (nothing cached between runs, as under watch)", async () => {
    const dir = makeProject({
      "data.jsonl": [{ id: "c1", input: "x", tags: ["long"], expected: { schema_ref: "ticket.json" } }],
      "ticket.json": { type: "object" },
      "rubric.yaml": rubric(true),
    });
    expect((await runModelgate(["validate", "--rubric", "rubric.yaml"], { cwd: dir })).exitCode).toBe(0);
    writeFileSync(join(dir, "ticket.json"), JSON.stringify({ type: "object", requird: ["a"] }));
    const second = await runModelgate(["validate", "--rubric", "rubric.yaml"], { cwd: dir });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(
      /data\.jsonl:1: check format: expected\.schema_ref: \S*ticket\.json: invalid JSON Schema: unknown keyword "requird"/,
    );
  });
});
