import { describe, expect, test } from "vitest";
import { maxLatencyMs, maxTokens } from "../../src/checks/budgets.js";
import { createSchemaCompiler } from "../../src/checks/schema-compiler.js";
import type { CheckSpec, EvalCase } from "../../src/types.js";

const testCase: EvalCase = { id: "c", line: 1, input: "hi", vars: {}, tags: [], expected: {} };

function build(factory: typeof maxTokens, spec: Partial<CheckSpec>) {
  const issues: string[] = [];
  const check = factory({ id: "b", type: "max-tokens", category: "performance", ...spec } as CheckSpec, {
    rubricPath: "/x/rubric.yaml",
    schemas: createSchemaCompiler(),
    issue: (field, message) => issues.push(`${field}: ${message}`),
  });
  return { check, issues };
}

describe("budget checks", () => {
  test.each([
    ["max", { max: 10 }],
    ["value", { value: 10 }],
    ["max_tokens", { max_tokens: 10 }],
  ])("max-tokens reads its budget from %s", async (_name, options) => {
    const { check, issues } = build(maxTokens, options);
    expect(issues).toEqual([]);
    const over = await check.score({ case: testCase, output: "x", tool_calls: [], usage: { input_tokens: 1, output_tokens: 11 }, latency_ms: 5 });
    const under = await check.score({ case: testCase, output: "x", tool_calls: [], usage: { input_tokens: 1, output_tokens: 10 }, latency_ms: 5 });
    expect([over.status, under.status]).toEqual(["fail", "pass"]);
  });

  test("max-latency-ms accepts max_ms; a budget given twice or missing is an input error", async () => {
    expect(build(maxLatencyMs, { max_ms: 100 }).issues).toEqual([]);
    expect(build(maxLatencyMs, { max: 100, value: 100 }).issues[0]).toMatch(/give the budget once/);
    expect(build(maxLatencyMs, {}).issues[0]).toMatch(/^max: required/);
    const { check } = build(maxLatencyMs, { max: 100 });
    expect((await check.score({ case: testCase, output: "x", tool_calls: [], usage: null, latency_ms: 101 })).status).toBe("fail");
  });
});
