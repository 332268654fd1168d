import { describe, expect, test } from "vitest";
import { createSchemaCompiler } from "../../src/checks/schema-compiler.js";
import { f1, longestOrderedMatching, maximumMatching, toolCalls, validateExpectedToolCalls } from "../../src/checks/tool-calls.js";
import type { Check, CheckResult, CheckSpec, EvalCase, ExpectedToolCall, JsonValue, ToolCall, ToolDefinition } from "../../src/types.js";

// ---------------------------------------------------------------- builders

const refundTool: ToolDefinition = {
  name: "issue_refund",
  description: "Refund an order",
  parameters: {
    type: "object",
    properties: { order_id: { type: "string" }, reason: { type: "string" }, amount: { type: "number" } },
    required: ["order_id"],
  },
};
const trackTool: ToolDefinition = {
  name: "track_order",
  parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
};
const emailTool: ToolDefinition = {
  name: "send_email",
  parameters: { type: "object", properties: { to: { type: "string" }, body: { type: "string" } } },
};
const defaultTools = [refundTool, trackTool, emailTool];

function makeCase(overrides: Partial<EvalCase> & { tool_calls?: ExpectedToolCall[] } = {}): EvalCase {
  const { tool_calls, ...rest } = overrides;
  return {
    id: "case-1",
    line: 1,
    input: "Refund order A-1234, it arrived broken.",
    vars: {},
    tools: defaultTools,
    expected: tool_calls === undefined ? {} : { tool_calls },
    tags: [],
    ...rest,
  };
}

function call(name: string, args: JsonValue = {}): ToolCall {
  return { name, arguments: args };
}

function expect_(name: string, args?: ExpectedToolCall["arguments"]): ExpectedToolCall {
  return args === undefined ? { name } : { name, arguments: args };
}

function build(options: Record<string, JsonValue> = {}): { check: Check; issues: string[] } {
  const issues: string[] = [];
  const spec = { id: "tools", type: "tool-calls", category: "tools", ...options } as CheckSpec;
  const check = toolCalls(spec, {
    rubricPath: "/rubric.yaml",
    schemas: createSchemaCompiler(),
    issue: (field, message) => issues.push(`${field}: ${message}`),
  });
  return { check, issues };
}

async function score(
  expected: ExpectedToolCall[],
  actual: ToolCall[],
  options: Record<string, JsonValue> = {},
  caseOverrides: Partial<EvalCase> = {},
): Promise<CheckResult> {
  const { check, issues } = build(options);
  expect(issues).toEqual([]);
  const testCase = makeCase({ tool_calls: expected, ...caseOverrides });
  return check.score({ case: testCase, output: "", tool_calls: actual, usage: null, latency_ms: 1 });
}

const refund = (args: JsonValue = { order_id: "A-1234" }) => call("issue_refund", args);
const track = (args: JsonValue = { order_id: "A-1234" }) => call("track_order", args);
const email = (args: JsonValue = { to: "a@b.co" }) => call("send_email", args);

// ---------------------------------------------------------------- tests

describe("tool-calls: options", () => {
  test.each<{ name: string; options: Record<string, JsonValue>; issues: string[] }>([
    { name: "defaults", options: {}, issues: [] },
    { name: "every valid value", options: { order: "strict", extra_calls: "allow", extra_arguments: "forbid" }, issues: [] },
    { name: "bad order", options: { order: "random" }, issues: ['order: expected "any" or "strict", got "random"'] },
    {
      name: "near-miss value",
      options: { extra_calls: "forbidden" },
      issues: ['extra_calls: expected "forbid" or "allow", got "forbidden" — did you mean "forbid"?'],
    },
    { name: "wrong type", options: { extra_arguments: false }, issues: ["extra_arguments: expected a string, got a boolean false"] },
    {
      name: "misspelt option",
      options: { extra_call: "allow" },
      issues: ['extra_call: unknown option for a tool-calls check — did you mean "extra_calls"?'],
    },
  ])("$name", ({ options, issues }) => {
    expect(build(options).issues).toEqual(issues);
  });
});

describe("tool-calls: applies", () => {
  test.each([
    { name: "no expected.tool_calls → skipped", testCase: makeCase(), applies: false },
    { name: "expected.tool_calls: [] applies", testCase: makeCase({ tool_calls: [] }), applies: true },
    { name: "expected calls apply", testCase: makeCase({ tool_calls: [expect_("issue_refund")] }), applies: true },
  ])("$name", ({ testCase, applies }) => {
    expect(build().check.appliesTo(testCase)).toBe(applies);
  });

  test("a failed request (no output) is an error, not a fail", async () => {
    const { check } = build();
    const result = await check.score({ case: makeCase({ tool_calls: [] }), output: null, tool_calls: [], usage: null, latency_ms: 0 });
    expect(result.status).toBe("error");
    expect(result.score).toBeNull();
  });
});

interface Row {
  name: string;
  expected: ExpectedToolCall[];
  actual: ToolCall[];
  options?: Record<string, JsonValue>;
  status: "pass" | "fail";
  score: number;
  reason: string;
}

const basic: Row[] = [
  { name: "no call expected, none made", expected: [], actual: [], status: "pass", score: 1, reason: "no tool call made, as expected" },
  { name: "no call expected, one made", expected: [], actual: [email()], status: "fail", score: 0, reason: "expected no tool call, got send_email" },
  {
    name: "no call expected: extra_calls allow does not apply",
    expected: [],
    actual: [email()],
    options: { extra_calls: "allow" },
    status: "fail",
    score: 0,
    reason: "expected no tool call, got send_email",
  },
  {
    name: "one expected, matched",
    expected: [expect_("issue_refund", { order_id: "A-1234" })],
    actual: [refund()],
    status: "pass",
    score: 1,
    reason: "1/1 call matched",
  },
  {
    name: "name only: any arguments",
    expected: [expect_("issue_refund")],
    actual: [refund({ order_id: "Z", reason: "x" })],
    status: "pass",
    score: 1,
    reason: "1/1 call matched",
  },
  {
    name: "no call made",
    expected: [expect_("issue_refund")],
    actual: [],
    status: "fail",
    score: 0,
    reason: "no tool call made, expected issue_refund",
  },
  {
    name: "wrong tool",
    expected: [expect_("issue_refund")],
    actual: [track()],
    status: "fail",
    score: 0,
    reason: "called track_order, expected issue_refund",
  },
  {
    name: "wrong argument",
    expected: [expect_("issue_refund", { order_id: "A-1234" })],
    actual: [refund({ order_id: "B-1" })],
    status: "fail",
    score: 0,
    reason: 'issue_refund: arguments.order_id: expected "A-1234", got "B-1"',
  },
  {
    name: "several wrong arguments: the first, with a count",
    expected: [expect_("issue_refund", { order_id: "A-1234", reason: "broken" })],
    actual: [refund({ order_id: "B-1" })],
    status: "fail",
    score: 0,
    reason: 'issue_refund: arguments.order_id: expected "A-1234", got "B-1" (+1 more)',
  },
  {
    name: "two of two, any order",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [refund(), track()],
    status: "pass",
    score: 1,
    reason: "2/2 calls matched",
  },
  {
    name: "one of two made",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [track()],
    status: "fail",
    score: 2 / 3,
    reason: "missing call: issue_refund (1/2 calls matched)",
  },
  {
    name: "same tool twice, once made",
    expected: [expect_("issue_refund", { order_id: "A-1" }), expect_("issue_refund", { order_id: "A-2" })],
    actual: [refund({ order_id: "A-2" })],
    status: "fail",
    score: 2 / 3,
    reason: "expected 2 calls to issue_refund, got 1 (1/2 calls matched)",
  },
];

describe("tool-calls: basics", () => {
  test.each(basic)("$name", async (row) => {
    expect(await score(row.expected, row.actual, row.options)).toEqual({ status: row.status, score: row.score, reason: row.reason });
  });
});

// Every order × extra_calls combination on the same few situations.
const modes: Row[] = [
  // exact, in order
  ...(["any", "strict"] as const).flatMap((order) =>
    (["forbid", "allow"] as const).map(
      (extra): Row => ({
        name: `order ${order}, extra_calls ${extra}: exact sequence`,
        expected: [expect_("track_order"), expect_("issue_refund")],
        actual: [track(), refund()],
        options: { order, extra_calls: extra },
        status: "pass",
        score: 1,
        reason: "2/2 calls matched",
      }),
    ),
  ),
  // swapped order
  {
    name: "order any, extra_calls forbid: swapped order passes",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [refund(), track()],
    options: { order: "any", extra_calls: "forbid" },
    status: "pass",
    score: 1,
    reason: "2/2 calls matched",
  },
  {
    name: "order strict, extra_calls forbid: swapped order fails",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [refund(), track()],
    options: { order: "strict", extra_calls: "forbid" },
    status: "fail",
    score: 0.5,
    reason: "calls out of order (order: strict): expected track_order, issue_refund; got issue_refund, track_order (1/2 calls matched)",
  },
  {
    name: "order strict, extra_calls allow: swapped order fails",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [refund(), track()],
    options: { order: "strict", extra_calls: "allow" },
    status: "fail",
    score: 2 / 3,
    reason: "calls out of order (order: strict): expected track_order, issue_refund; got issue_refund, track_order (1/2 calls matched)",
  },
  // an extra call in between
  {
    name: "order any, extra_calls forbid: an extra call fails",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [track(), email(), refund()],
    options: { order: "any", extra_calls: "forbid" },
    status: "fail",
    score: 0.8,
    reason: "unexpected extra call: send_email (extra_calls: forbid)",
  },
  {
    name: "order any, extra_calls allow: an extra call passes with score 1",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [track(), email(), refund()],
    options: { order: "any", extra_calls: "allow" },
    status: "pass",
    score: 1,
    reason: "2/2 calls matched (+1 extra allowed: send_email)",
  },
  {
    name: "order any, extra_calls allow: an extra call to a tool never offered fails",
    expected: [expect_("track_order")],
    actual: [track(), call("delete_account", { id: 1 })],
    options: { order: "any", extra_calls: "allow" },
    status: "fail",
    score: 2 / 3,
    reason: "called delete_account, which this case does not offer (extra_calls: allow covers only offered tools)",
  },
  {
    name: "order strict, extra_calls allow: offered extras pass, an unoffered one fails",
    expected: [expect_("track_order")],
    actual: [email(), track(), call("wire_money")],
    options: { order: "strict", extra_calls: "allow" },
    status: "fail",
    score: 2 / 3,
    reason: "called wire_money, which this case does not offer (extra_calls: allow covers only offered tools)",
  },
  {
    name: "order strict, extra_calls forbid: an extra call in between fails",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [track(), email(), refund()],
    options: { order: "strict", extra_calls: "forbid" },
    status: "fail",
    score: 0.8,
    reason: "unexpected extra call: send_email (extra_calls: forbid)",
  },
  {
    name: "order strict, extra_calls allow: expected calls as an in-order subsequence pass",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [email(), track(), email(), refund(), email()],
    options: { order: "strict", extra_calls: "allow" },
    status: "pass",
    score: 1,
    reason: "2/2 calls matched (+3 extra allowed: send_email, send_email, send_email)",
  },
  {
    name: "order strict, extra_calls allow: subsequence out of order fails",
    expected: [expect_("track_order"), expect_("issue_refund")],
    actual: [refund(), email(), track()],
    options: { order: "strict", extra_calls: "allow" },
    status: "fail",
    score: 2 / 3,
    reason: "calls out of order (order: strict): expected track_order, issue_refund; got issue_refund, send_email, track_order (1/2 calls matched)",
  },
  {
    name: "order any, extra_calls forbid: two extra calls",
    expected: [expect_("issue_refund")],
    actual: [refund(), email(), track()],
    options: { order: "any", extra_calls: "forbid" },
    status: "fail",
    score: 0.5,
    reason: "unexpected extra calls: send_email, track_order (extra_calls: forbid)",
  },
  {
    name: "extra_calls forbid: a second same-name call is extra",
    expected: [expect_("issue_refund", { order_id: "A-1234" })],
    actual: [refund(), refund({ order_id: "B-9" })],
    status: "fail",
    score: 2 / 3,
    reason: "unexpected extra call: issue_refund (extra_calls: forbid)",
  },
];

describe("tool-calls: order × extra_calls", () => {
  test.each(modes)("$name", async (row) => {
    const result = await score(row.expected, row.actual, row.options);
    expect(result.status).toBe(row.status);
    expect(result.score).toBeCloseTo(row.score, 12);
    expect(result.reason).toBe(row.reason);
  });
});

describe("tool-calls: order any finds a maximum matching", () => {
  test("a greedy first choice cannot steal the call a later expectation needs", async () => {
    // expected[0] accepts either refund; expected[1] only the first. Greedy would pair 0↔first and fail.
    const result = await score(
      [expect_("issue_refund", { order_id: { $regex: "^A-" } }), expect_("issue_refund", { order_id: "A-1" })],
      [refund({ order_id: "A-1" }), refund({ order_id: "A-2" })],
    );
    expect(result).toEqual({ status: "pass", score: 1, reason: "2/2 calls matched" });
  });

  test("the same situation under order strict needs the calls in order", async () => {
    const result = await score(
      [expect_("issue_refund", { order_id: { $regex: "^A-" } }), expect_("issue_refund", { order_id: "A-1" })],
      [refund({ order_id: "A-1" }), refund({ order_id: "A-2" })],
      { order: "strict" },
    );
    expect(result.status).toBe("fail");
    expect(result.reason).toBe('issue_refund: arguments.order_id: expected "A-1", got "A-2" (1/2 calls matched)');
  });
});

describe("tool-calls: extra_arguments", () => {
  test.each([
    { extra: "allow", status: "pass", reason: "1/1 call matched" },
    { extra: "forbid", status: "fail", reason: "issue_refund: arguments.reason: unexpected argument (extra_arguments: forbid)" },
  ] as const)("extra_arguments $extra", async ({ extra, status, reason }) => {
    const result = await score([expect_("issue_refund", { order_id: "A-1234" })], [refund({ order_id: "A-1234", reason: "broken" })], {
      extra_arguments: extra,
    });
    expect(result.status).toBe(status);
    expect(result.reason).toBe(reason);
  });
});

describe("tool-calls: the tool's own schema and unparseable arguments", () => {
  test.each<Row>([
    {
      name: "arguments missing a required parameter",
      expected: [expect_("issue_refund")],
      actual: [refund({ reason: "broken" })],
      status: "fail",
      score: 0,
      reason: "arguments break issue_refund's schema: missing required property 'order_id'",
    },
    {
      name: "argument of the wrong type, even where the matcher would accept it",
      expected: [expect_("issue_refund", { order_id: { $any: true } })],
      actual: [refund({ order_id: 1234 })],
      status: "fail",
      score: 0,
      reason: "arguments break issue_refund's schema: /order_id: must be string",
    },
    {
      name: "arguments that did not parse",
      expected: [expect_("issue_refund")],
      actual: [
        { name: "issue_refund", arguments: null, raw_arguments: '{"order_id": "A-1', arguments_error: "Unterminated string in JSON at position 16" },
      ],
      status: "fail",
      score: 0,
      reason: "issue_refund: arguments did not parse: Unterminated string in JSON at position 16",
    },
    {
      name: "a schema-breaking call does not count, a valid one does",
      expected: [expect_("issue_refund")],
      actual: [refund({}), refund()],
      options: { extra_calls: "allow" },
      status: "pass",
      score: 1,
      reason: "1/1 call matched (+1 extra allowed: issue_refund)",
    },
    {
      name: "an unknown tool has no schema to break",
      expected: [expect_("issue_refund")],
      actual: [call("lookup_customer", { id: 1 })],
      status: "fail",
      score: 0,
      reason: "called lookup_customer, expected issue_refund",
    },
  ])("$name", async (row) => {
    expect(await score(row.expected, row.actual, row.options)).toEqual({ status: row.status, score: row.score, reason: row.reason });
  });

  test("without tools on the case, only matchers judge the call", async () => {
    const result = await score([expect_("issue_refund")], [refund({ anything: true })], {}, { tools: undefined });
    expect(result.status).toBe("pass");
  });
});

describe("f1", () => {
  test.each([
    { matched: 0, expected: 0, actual: 0, score: 1 },
    { matched: 0, expected: 1, actual: 0, score: 0 },
    { matched: 0, expected: 0, actual: 1, score: 0 },
    { matched: 0, expected: 2, actual: 2, score: 0 },
    { matched: 1, expected: 1, actual: 1, score: 1 },
    { matched: 1, expected: 2, actual: 1, score: 2 / 3 },
    { matched: 1, expected: 1, actual: 2, score: 2 / 3 },
    { matched: 2, expected: 3, actual: 4, score: 4 / 7 },
  ])("matched $matched of $expected expected, $actual made → $score", ({ matched, expected, actual, score: want }) => {
    expect(f1(matched, expected, actual)).toBeCloseTo(want, 12);
  });
});

describe("matching algorithms", () => {
  const grid = (rows: string[]) => (i: number, j: number) => rows[i]?.[j] === "1";
  test.each([
    { name: "identity", rows: ["10", "01"], any: 2, strict: 2 },
    { name: "crossed", rows: ["01", "10"], any: 2, strict: 1 },
    { name: "greedy trap", rows: ["11", "10"], any: 2, strict: 1 },
    { name: "one column for two rows", rows: ["1", "1"], any: 1, strict: 1 },
    { name: "subsequence", rows: ["01000", "00010"], any: 2, strict: 2 },
    { name: "nothing compatible", rows: ["00", "00"], any: 0, strict: 0 },
    { name: "empty", rows: [], any: 0, strict: 0 },
  ])("$name", ({ rows, any, strict }) => {
    const n = rows.length;
    const m = rows[0]?.length ?? 0;
    const compatible = grid(rows);
    const anyPairs = maximumMatching(n, m, compatible);
    const strictPairs = longestOrderedMatching(n, m, compatible);
    expect(anyPairs).toHaveLength(any);
    expect(strictPairs).toHaveLength(strict);
    for (const pairs of [anyPairs, strictPairs]) {
      for (const pair of pairs) expect(compatible(pair.expected, pair.actual)).toBe(true);
      expect(new Set(pairs.map((p) => p.actual)).size).toBe(pairs.length);
      expect(new Set(pairs.map((p) => p.expected)).size).toBe(pairs.length);
    }
    for (let k = 1; k < strictPairs.length; k++) {
      expect(strictPairs[k]?.actual).toBeGreaterThan(strictPairs[k - 1]?.actual ?? -1);
      expect(strictPairs[k]?.expected).toBeGreaterThan(strictPairs[k - 1]?.expected ?? -1);
    }
  });
});

describe("validateExpectedToolCalls", () => {
  const at = "expected.tool_calls";
  test.each<{ name: string; expected: ExpectedToolCall[]; tools?: ToolDefinition[]; problems: string[] }>([
    {
      name: "valid",
      expected: [expect_("issue_refund", { order_id: { $regex: "^A-" }, reason: { $optional: "broken" } })],
      tools: defaultTools,
      problems: [],
    },
    { name: "no calls", expected: [], tools: defaultTools, problems: [] },
    {
      name: "unknown tool name, with a suggestion",
      expected: [expect_("issue_refnd")],
      tools: defaultTools,
      problems: [`${at}[0].name: "issue_refnd" is not one of this case's tools — did you mean "issue_refund"?`],
    },
    {
      name: "unknown tool name, listing the tools",
      expected: [expect_("escalate")],
      tools: [refundTool, trackTool],
      problems: [`${at}[0].name: "escalate" is not one of this case's tools (issue_refund, track_order)`],
    },
    { name: "no tools given: names are not checked", expected: [expect_("anything")], problems: [] },
    {
      name: "bad matcher",
      expected: [expect_("issue_refund", { order_id: "A-1" }), expect_("issue_refund", { amount: { $aprox: 3 } })],
      tools: defaultTools,
      problems: [`${at}[1].arguments.amount: unknown matcher "$aprox" — did you mean "$approx"?`],
    },
    {
      name: "argument the tool does not declare",
      expected: [expect_("issue_refund", { order_idd: "A-1" })],
      tools: defaultTools,
      problems: [`${at}[0].arguments.order_idd: not a parameter of issue_refund — did you mean "order_id"?`],
    },
    {
      name: "undeclared argument expected $absent is fine",
      expected: [expect_("issue_refund", { order_id: "A-1", debug: { $absent: true } })],
      tools: defaultTools,
      problems: [],
    },
    {
      name: "tool accepting additional properties",
      expected: [expect_("open", { anything: 1 })],
      tools: [{ name: "open", parameters: { type: "object", properties: {}, additionalProperties: true } }],
      problems: [],
    },
    {
      name: "a matcher on the whole arguments",
      expected: [expect_("issue_refund", { $schema: { type: "object", required: ["order_id"] } })],
      tools: defaultTools,
      problems: [],
    },
    {
      name: "every problem at once",
      expected: [expect_("nope"), expect_("track_order", { order_id: { $regex: "(" } })],
      tools: defaultTools,
      problems: [
        `${at}[0].name: "nope" is not one of this case's tools (issue_refund, track_order, send_email)`,
        `${at}[1].arguments.order_id: $regex "(": not a valid RE2 pattern: missing closing ): \`(\``,
      ],
    },
  ])("$name", ({ expected, tools, problems }) => {
    expect(validateExpectedToolCalls(expected, tools, at, createSchemaCompiler())).toEqual(problems);
  });
});
