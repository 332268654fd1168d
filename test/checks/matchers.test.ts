import { describe, expect, test } from "vitest";
import { childPath, isMatcher, matchArguments, validateMatcher } from "../../src/checks/matchers.js";
import { createPatternCache } from "../../src/checks/pattern.js";
import { createSchemaCompiler } from "../../src/checks/schema-compiler.js";
import type { JsonObject, JsonValue } from "../../src/types.js";

const compilers = { schemas: createSchemaCompiler(), patterns: createPatternCache() };
const allow = { extraArguments: "allow", ...compilers } as const;
const forbid = { extraArguments: "forbid", ...compilers } as const;

interface Row {
  name: string;
  expected: JsonObject;
  actual: JsonValue;
  extra?: "allow" | "forbid";
  /** [] = match */
  mismatches: string[];
}

function run(row: Row) {
  return matchArguments(row.expected, row.actual, row.extra === "forbid" ? forbid : allow);
}

describe("matchArguments: plain values", () => {
  test.each<Row>([
    { name: "equal string", expected: { order_id: "A-1234" }, actual: { order_id: "A-1234" }, mismatches: [] },
    {
      name: "different string",
      expected: { order_id: "A-1234" },
      actual: { order_id: "A-1243" },
      mismatches: ['arguments.order_id: expected "A-1234", got "A-1243"'],
    },
    { name: "strings are case-sensitive", expected: { a: "x" }, actual: { a: "X" }, mismatches: ['arguments.a: expected "x", got "X"'] },
    { name: "numbers by value", expected: { n: 1 }, actual: { n: 1.0 }, mismatches: [] },
    { name: "number vs numeric string", expected: { n: 5 }, actual: { n: "5" }, mismatches: ['arguments.n: expected 5, got "5"'] },
    { name: "boolean", expected: { b: true }, actual: { b: false }, mismatches: ["arguments.b: expected true, got false"] },
    { name: "null equals null", expected: { v: null }, actual: { v: null }, mismatches: [] },
    { name: "null vs 0", expected: { v: null }, actual: { v: 0 }, mismatches: ["arguments.v: expected null, got 0"] },
    { name: "missing argument", expected: { reason: "broken" }, actual: {}, mismatches: ["arguments.reason: missing"] },
    { name: "empty expectation matches any object", expected: {}, actual: { a: 1 }, mismatches: [] },
    { name: "arrays in order", expected: { ids: [1, 2] }, actual: { ids: [1, 2] }, mismatches: [] },
    {
      name: "arrays out of order",
      expected: { ids: [1, 2] },
      actual: { ids: [2, 1] },
      mismatches: ["arguments.ids[0]: expected 1, got 2", "arguments.ids[1]: expected 2, got 1"],
    },
    {
      name: "arrays of different length",
      expected: { ids: [1, 2] },
      actual: { ids: [1, 2, 3] },
      mismatches: ["arguments.ids: expected 2 items, got 3: [1,2,3]"],
    },
    { name: "array vs scalar", expected: { ids: [1] }, actual: { ids: 1 }, mismatches: ["arguments.ids: expected an array, got 1"] },
    { name: "nested objects", expected: { customer: { id: "c1", tier: "gold" } }, actual: { customer: { id: "c1", tier: "gold" } }, mismatches: [] },
    {
      name: "nested object mismatch has a full path",
      expected: { items: [{ sku: "X-1", qty: 2 }] },
      actual: { items: [{ sku: "X-1", qty: 3 }] },
      mismatches: ["arguments.items[0].qty: expected 2, got 3"],
    },
    {
      name: "object vs string",
      expected: { customer: { id: "c1" } },
      actual: { customer: "c1" },
      mismatches: ['arguments.customer: expected an object, got "c1"'],
    },
    { name: "odd keys are quoted in paths", expected: { "content-type": "json" }, actual: {}, mismatches: ['arguments["content-type"]: missing'] },
    { name: "actual arguments not an object", expected: { a: 1 }, actual: [1], mismatches: ["arguments: expected an object, got [1]"] },
    {
      name: "long values are shortened",
      expected: { text: "short" },
      actual: { text: "x".repeat(100) },
      mismatches: [`arguments.text: expected "short", got "${"x".repeat(56)}...`],
    },
    {
      name: "all mismatches are collected",
      expected: { a: 1, b: 2 },
      actual: { a: 0 },
      mismatches: ["arguments.a: expected 1, got 0", "arguments.b: missing"],
    },
  ])("$name", (row) => {
    expect(run(row)).toEqual({ ok: row.mismatches.length === 0, mismatches: row.mismatches });
  });

  test("an omitted expectation accepts any arguments", () => {
    expect(matchArguments(undefined, { anything: 1 }, forbid)).toEqual({ ok: true, mismatches: [] });
    expect(matchArguments(undefined, null, forbid)).toEqual({ ok: true, mismatches: [] });
  });
});

describe("matchArguments: extra_arguments", () => {
  test.each<Row>([
    { name: "allow: extra top-level argument", expected: { a: 1 }, actual: { a: 1, note: "x" }, extra: "allow", mismatches: [] },
    {
      name: "forbid: extra top-level argument",
      expected: { a: 1 },
      actual: { a: 1, note: "x" },
      extra: "forbid",
      mismatches: ["arguments.note: unexpected argument (extra_arguments: forbid)"],
    },
    { name: "allow: extra nested key", expected: { c: { id: 1 } }, actual: { c: { id: 1, name: "n" } }, extra: "allow", mismatches: [] },
    {
      name: "forbid: extra nested key (same rule as the top level)",
      expected: { c: { id: 1 } },
      actual: { c: { id: 1, name: "n" } },
      extra: "forbid",
      mismatches: ["arguments.c.name: unexpected argument (extra_arguments: forbid)"],
    },
    {
      name: "forbid: inside an array element",
      expected: { items: [{ sku: "a" }] },
      actual: { items: [{ sku: "a", gift: true }] },
      extra: "forbid",
      mismatches: ["arguments.items[0].gift: unexpected argument (extra_arguments: forbid)"],
    },
    {
      name: "forbid: $optional keys are not extra",
      expected: { a: 1, b: { $optional: 2 } },
      actual: { a: 1, b: 2 },
      extra: "forbid",
      mismatches: [],
    },
    {
      name: "forbid: empty expectation means no arguments",
      expected: {},
      actual: { a: 1 },
      extra: "forbid",
      mismatches: ["arguments.a: unexpected argument (extra_arguments: forbid)"],
    },
    {
      name: "forbid: a $schema matcher decides for itself",
      expected: { c: { $schema: { type: "object" } } },
      actual: { c: { any: 1 } },
      extra: "forbid",
      mismatches: [],
    },
  ])("$name", (row) => {
    expect(run(row)).toEqual({ ok: row.mismatches.length === 0, mismatches: row.mismatches });
  });
});

describe("matchArguments: matchers", () => {
  test.each<Row>([
    // $any
    { name: "$any: any value", expected: { a: { $any: true } }, actual: { a: [1, { b: 2 }] }, mismatches: [] },
    { name: "$any: null is a value", expected: { a: { $any: true } }, actual: { a: null }, mismatches: [] },
    { name: "$any: must be present", expected: { a: { $any: true } }, actual: {}, mismatches: ["arguments.a: missing"] },
    // $oneOf
    { name: "$oneOf: one of", expected: { p: { $oneOf: ["low", "high"] } }, actual: { p: "high" }, mismatches: [] },
    {
      name: "$oneOf: none of",
      expected: { p: { $oneOf: ["low", "high"] } },
      actual: { p: "urgent" },
      mismatches: ['arguments.p: expected one of "low", "high", got "urgent"'],
    },
    { name: "$oneOf: matcher alternatives", expected: { id: { $oneOf: [{ $regex: "^A-" }, 7] } }, actual: { id: 7 }, mismatches: [] },
    { name: "$oneOf: object alternatives", expected: { c: { $oneOf: [{ id: 1 }, { id: 2 }] } }, actual: { c: { id: 2, x: 0 } }, mismatches: [] },
    {
      name: "$oneOf: object alternatives under forbid",
      expected: { c: { $oneOf: [{ id: 1 }, { id: 2 }] } },
      actual: { c: { id: 2, x: 0 } },
      extra: "forbid",
      mismatches: ['arguments.c: expected one of {"id":1}, {"id":2}, got {"id":2,"x":0}'],
    },
    { name: "$oneOf: missing", expected: { p: { $oneOf: [1] } }, actual: {}, mismatches: ["arguments.p: missing"] },
    // $regex
    { name: "$regex: matches", expected: { id: { $regex: "^A-\\d+$" } }, actual: { id: "A-1234" }, mismatches: [] },
    { name: "$regex: searches unless anchored", expected: { t: { $regex: "refund" } }, actual: { t: "a refund, please" }, mismatches: [] },
    {
      name: "$regex: no match",
      expected: { id: { $regex: "^A-\\d+$" } },
      actual: { id: "B-1" },
      mismatches: ['arguments.id: expected a string matching /^A-\\d+$/, got "B-1"'],
    },
    {
      name: "$regex: only strings match",
      expected: { id: { $regex: "^\\d+$" } },
      actual: { id: 1234 },
      mismatches: ["arguments.id: expected a string matching /^\\d+$/, got 1234"],
    },
    { name: "$regex: unicode", expected: { s: { $regex: "^.$" } }, actual: { s: "😀" }, mismatches: [] },
    // $approx
    { name: "$approx: within $tol", expected: { x: { $approx: 3.5, $tol: 0.01 } }, actual: { x: 3.505 }, mismatches: [] },
    { name: "$approx: $tol is inclusive despite float noise", expected: { x: { $approx: 3.5, $tol: 0.01 } }, actual: { x: 3.49 }, mismatches: [] },
    {
      name: "$approx: outside $tol",
      expected: { x: { $approx: 3.5, $tol: 0.01 } },
      actual: { x: 3.52 },
      mismatches: ["arguments.x: expected 3.5 ± 0.01, got 3.52"],
    },
    { name: "$approx: default tolerance forgives float noise", expected: { x: { $approx: 0.3 } }, actual: { x: 0.1 + 0.2 }, mismatches: [] },
    {
      name: "$approx: default tolerance is tiny",
      expected: { x: { $approx: 0.3 } },
      actual: { x: 0.3001 },
      mismatches: ["arguments.x: expected 0.3, got 0.3001"],
    },
    { name: "$approx: default tolerance is relative", expected: { x: { $approx: 1e12 } }, actual: { x: 1e12 + 1 }, mismatches: [] },
    {
      name: "$approx: not a number",
      expected: { x: { $approx: 3.5, $tol: 0.1 } },
      actual: { x: "3.5" },
      mismatches: ['arguments.x: expected a number ≈ 3.5 ± 0.1, got "3.5"'],
    },
    // $absent
    { name: "$absent: not passed", expected: { note: { $absent: true } }, actual: {}, mismatches: [] },
    {
      name: "$absent: passed",
      expected: { note: { $absent: true } },
      actual: { note: "hi" },
      mismatches: ['arguments.note: must not be passed, got "hi"'],
    },
    {
      name: "$absent: null counts as passed",
      expected: { note: { $absent: true } },
      actual: { note: null },
      mismatches: ["arguments.note: must not be passed, got null"],
    },
    {
      name: "$absent: in an array element",
      expected: { a: [{ $absent: true }] },
      actual: { a: [1] },
      mismatches: ["arguments.a[0]: $absent applies only to an object property"],
    },
    // $schema
    { name: "$schema: valid", expected: { email: { $schema: { type: "string", format: "email" } } }, actual: { email: "a@b.co" }, mismatches: [] },
    {
      name: "$schema: invalid",
      expected: { addr: { $schema: { type: "object", required: ["zip"] } } },
      actual: { addr: {} },
      mismatches: ["arguments.addr: does not match $schema: missing required property 'zip'"],
    },
    {
      name: "$schema: nested error paths",
      expected: { addr: { $schema: { type: "object", properties: { zip: { type: "string", pattern: "^\\d{5}$" } } } } },
      actual: { addr: { zip: "1" } },
      mismatches: ['arguments.addr: does not match $schema: /zip: must match pattern "^\\d{5}$"'],
    },
    { name: "$schema: on the whole arguments", expected: { $schema: { type: "object", required: ["q"] } }, actual: { q: 1 }, mismatches: [] },
    // $optional
    { name: "$optional: absent", expected: { r: { $optional: "broken" } }, actual: {}, mismatches: [] },
    { name: "$optional: present and matching", expected: { r: { $optional: "broken" } }, actual: { r: "broken" }, mismatches: [] },
    {
      name: "$optional: present, not matching",
      expected: { r: { $optional: "broken" } },
      actual: { r: "late" },
      mismatches: ['arguments.r: expected "broken", got "late"'],
    },
    {
      name: "$optional: wraps a matcher",
      expected: { r: { $optional: { $oneOf: ["a", "b"] } } },
      actual: { r: "c" },
      mismatches: ['arguments.r: expected one of "a", "b", got "c"'],
    },
    {
      name: "$optional: null is present",
      expected: { r: { $optional: "a" } },
      actual: { r: null },
      mismatches: ['arguments.r: expected "a", got null'],
    },
  ])("$name", (row) => {
    expect(run(row)).toEqual({ ok: row.mismatches.length === 0, mismatches: row.mismatches });
  });
});

describe("matchArguments: nesting", () => {
  test.each<Row>([
    {
      name: "matchers inside arrays",
      expected: { items: [{ sku: { $regex: "^X-" }, qty: { $approx: 2, $tol: 0.5 } }, { $any: true }] },
      actual: { items: [{ sku: "X-9", qty: 2.4 }, "whatever"] },
      mismatches: [],
    },
    {
      name: "matchers inside nested objects",
      expected: { order: { id: { $regex: "^A-" }, note: { $absent: true }, reason: { $optional: { $oneOf: ["broken", "late"] } } } },
      actual: { order: { id: "A-1", reason: "late" } },
      mismatches: [],
    },
    {
      name: "nested failures carry full paths",
      expected: { order: { lines: [{ sku: { $regex: "^X-" } }] } },
      actual: { order: { lines: [{ sku: "Y-1" }] } },
      mismatches: ['arguments.order.lines[0].sku: expected a string matching /^X-/, got "Y-1"'],
    },
    {
      name: "$oneOf of arrays",
      expected: {
        ids: {
          $oneOf: [
            [1, 2],
            [2, 1],
          ],
        },
      },
      actual: { ids: [2, 1] },
      mismatches: [],
    },
  ])("$name", (row) => {
    expect(run(row)).toEqual({ ok: row.mismatches.length === 0, mismatches: row.mismatches });
  });
});

describe("validateMatcher", () => {
  const at = "expected.tool_calls[0].arguments";
  test.each<{ name: string; value: unknown; problems: string[] }>([
    { name: "plain values", value: { a: 1, b: [true, null, "x"], c: { d: {} } }, problems: [] },
    {
      name: "every matcher, well-formed",
      value: {
        a: { $any: true },
        b: { $oneOf: [1, { $regex: "x" }] },
        c: { $regex: "^A-\\d+$" },
        d: { $approx: 3.5, $tol: 0.01 },
        e: { $approx: 1 },
        f: { $absent: true },
        g: { $schema: { type: "string" } },
        h: { $optional: { $regex: "^x" } },
        i: [{ $any: true }, { j: { $absent: true } }],
      },
      problems: [],
    },
    { name: "misspelt matcher", value: { amount: { $aprox: 3 } }, problems: [`${at}.amount: unknown matcher "$aprox" — did you mean "$approx"?`] },
    { name: "wrong case", value: { p: { $oneof: [1] } }, problems: [`${at}.p: unknown matcher "$oneof" — did you mean "$oneOf"?`] },
    {
      name: "unknown matcher without a near miss",
      value: { p: { $whatever: 1 } },
      problems: [`${at}.p: unknown matcher "$whatever" (known: $any, $oneOf, $regex, $approx, $tol, $absent, $schema, $optional)`],
    },
    {
      name: "$regex does not compile",
      value: { id: { $regex: "(" } },
      problems: [`${at}.id: $regex "(": not a valid RE2 pattern: missing closing ): \`(\``],
    },
    { name: "$regex not a string", value: { id: { $regex: 5 } }, problems: [`${at}.id: $regex needs a pattern string, got 5`] },
    { name: "$approx without a number", value: { x: { $approx: "3.5" } }, problems: [`${at}.x: $approx needs a number, got "3.5"`] },
    { name: "negative $tol", value: { x: { $approx: 1, $tol: -0.1 } }, problems: [`${at}.x: $tol must be a non-negative number, got -0.1`] },
    { name: "$tol not a number", value: { x: { $approx: 1, $tol: "1%" } }, problems: [`${at}.x: $tol must be a non-negative number, got "1%"`] },
    { name: "$tol without $approx", value: { x: { $tol: 0.1 } }, problems: [`${at}.x: $tol needs $approx`] },
    {
      name: "$oneOf not an array",
      value: { p: { $oneOf: "low" } },
      problems: [`${at}.p: $oneOf needs a non-empty array of allowed values, got "low"`],
    },
    { name: "$oneOf empty", value: { p: { $oneOf: [] } }, problems: [`${at}.p: $oneOf needs a non-empty array of allowed values, got []`] },
    {
      name: "$oneOf alternatives are validated",
      value: { p: { $oneOf: [{ $regex: "[" }] } },
      problems: [`${at}.p.$oneOf[0]: $regex "[": not a valid RE2 pattern: missing closing ]: \`[\``],
    },
    {
      name: "$oneOf cannot hold $absent",
      value: { p: { $oneOf: [1, { $absent: true }] } },
      problems: [`${at}.p.$oneOf[1]: use {"$optional": {"$oneOf": [...]}} for an argument that may be absent`],
    },
    {
      name: "$schema not a valid JSON Schema",
      value: { s: { $schema: { type: "strnig" } } },
      problems: [
        expect.stringMatching(
          /^expected\.tool_calls\[0\]\.arguments\.s: \$schema is not a valid JSON Schema: schema is invalid: \/type: must be equal to one of the allowed values/,
        ),
      ] as unknown as string[],
    },
    {
      name: "$schema with a misspelt keyword",
      value: { s: { $schema: { type: "object", requird: ["a"] } } },
      problems: [`${at}.s: $schema is not a valid JSON Schema: unknown keyword "requird" — did you mean "required"?`],
    },
    { name: "$schema not an object", value: { s: { $schema: "string" } }, problems: [`${at}.s: $schema needs a JSON Schema object, got "string"`] },
    {
      name: "mixing $ keys and plain keys",
      value: { id: { $regex: "^A", id: 1 } },
      problems: [
        `${at}.id: mixes matcher keys ($regex) with plain keys (id); an object whose keys all start with "$" is a matcher, so use one or the other`,
      ],
    },
    {
      name: "two matchers in one object",
      value: { id: { $regex: "^A", $oneOf: ["A"] } },
      problems: [`${at}.id: combines $regex and $oneOf; use one matcher per object (only $approx takes $tol)`],
    },
    {
      name: "$any must be true",
      value: { a: { $any: false } },
      problems: [`${at}.a: $any must be true (to forbid an argument use {"$absent": true}), got false`],
    },
    { name: "$absent must be true", value: { a: { $absent: false } }, problems: [`${at}.a: $absent must be true, got false`] },
    { name: "$absent in an array", value: { a: [{ $absent: true }] }, problems: [`${at}.a[0]: $absent applies only to an object property`] },
    { name: "$optional in an array", value: { a: [{ $optional: 1 }] }, problems: [`${at}.a[0]: $optional applies only to an object property`] },
    { name: "$absent on the whole arguments", value: { $absent: true }, problems: [`${at}: $absent applies only to an object property`] },
    {
      name: "$optional wrapping $absent",
      value: { a: { $optional: { $absent: true } } },
      problems: [`${at}.a: $optional cannot wrap $absent or $optional`],
    },
    {
      name: "$optional operand is validated",
      value: { a: { $optional: { $aprox: 1 } } },
      problems: [`${at}.a: unknown matcher "$aprox" — did you mean "$approx"?`],
    },
    {
      name: "deeply nested problem",
      value: { order: { lines: [{ qty: { $approx: "2" } }] } },
      problems: [`${at}.order.lines[0].qty: $approx needs a number, got "2"`],
    },
    {
      name: "every problem is reported",
      value: { a: { $aprox: 1 }, b: [{ c: { $regex: "(" } }] },
      problems: [
        `${at}.a: unknown matcher "$aprox" — did you mean "$approx"?`,
        `${at}.b[0].c: $regex "(": not a valid RE2 pattern: missing closing ): \`(\``,
      ],
    },
    { name: "not JSON", value: { a: undefined }, problems: [`${at}.a: not a JSON value`] },
  ])("$name", ({ value, problems }) => {
    expect(validateMatcher(value, at, compilers.schemas)).toEqual(problems);
  });
});

describe("helpers", () => {
  test.each([
    { value: { $any: true }, matcher: true },
    { value: { $approx: 1, $tol: 0 }, matcher: true },
    { value: {}, matcher: false },
    { value: { a: 1, $b: 2 }, matcher: false },
    { value: ["$any"], matcher: false },
    { value: "$any", matcher: false },
  ])("isMatcher($value) = $matcher", ({ value, matcher }) => {
    expect(isMatcher(value)).toBe(matcher);
  });

  test.each([
    { path: "arguments", key: "order_id", result: "arguments.order_id" },
    { path: "arguments", key: "content-type", result: 'arguments["content-type"]' },
    { path: "arguments", key: "1st", result: 'arguments["1st"]' },
    { path: "", key: "a", result: "a" },
  ])("childPath($path, $key)", ({ path, key, result }) => {
    expect(childPath(path, key)).toBe(result);
  });
});
