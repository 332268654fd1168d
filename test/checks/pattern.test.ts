import { describe, expect, test } from "vitest";
import { compilePattern, createPatternCache, flagsProblem } from "../../src/checks/pattern.js";
import { createSchemaCompiler } from "../../src/checks/schema-compiler.js";
import { regex } from "../../src/checks/text.js";
import type { CheckSpec, EvalCase, JsonValue } from "../../src/types.js";

function matches(source: string, text: string, flags = ""): boolean {
  const compiled = compilePattern(source, flags);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.test(text);
}

function compileError(source: string, flags = ""): string {
  const compiled = compilePattern(source, flags);
  if (compiled.ok) throw new Error(`expected /${source}/ not to compile`);
  return compiled.error;
}

describe("compilePattern (RE2)", () => {
  test.each([
    { name: "searches unless anchored", source: "refund", text: "a refund, please", hit: true },
    { name: "anchors", source: "^A-\\d+$", text: "A-1234", hit: true },
    { name: "anchored miss", source: "^A-\\d+$", text: "xA-1234", hit: false },
    { name: "i: ignore case", source: "refund", flags: "i", text: "REFUND", hit: true },
    { name: "case-sensitive by default", source: "refund", text: "REFUND", hit: false },
    { name: "m: ^ at a line start", source: "^b", flags: "m", text: "a\nb", hit: true },
    { name: "without m, ^ is the text start", source: "^b", text: "a\nb", hit: false },
    { name: "s: . matches a newline", source: "a.b", flags: "s", text: "a\nb", hit: true },
    { name: "without s, . does not", source: "a.b", text: "a\nb", hit: false },
    { name: "code points, like the u flag", source: "^.$", text: "😀", hit: true },
    { name: "u is accepted", source: "^.$", flags: "u", text: "😀", hit: true },
    { name: "named groups", source: "(?<id>A-\\d+)", text: "order A-1", hit: true },
    { name: "Unicode classes", source: "^\\p{L}+$", text: "café", hit: true },
    { name: "\\x{…} code points", source: "caf\\x{e9}", text: "café", hit: true },
  ])("$name", ({ source, text, hit, flags }) => {
    expect(matches(source, text, flags)).toBe(hit);
  });

  test.each([
    { name: "a backreference", source: "(a)\\1", error: /^backreferences are not supported: patterns use RE2 syntax/ },
    { name: "a named backreference", source: "(?<x>a)\\k<x>", error: /^backreferences are not supported/ },
    { name: "a lookahead", source: "^(?=A)A", error: /^lookahead and lookbehind assertions are not supported: patterns use RE2 syntax/ },
    { name: "a negative lookahead", source: "^(?!B)A", error: /^lookahead and lookbehind assertions are not supported/ },
    { name: "a lookbehind", source: "(?<=A)B", error: /^lookahead and lookbehind assertions are not supported/ },
    { name: "a JavaScript \\u escape", source: "caf\\u00e9", error: /write a code point as \\x\{00e9\}, not \\u00e9/ },
    { name: "an unclosed group", source: "^(A", error: /^not a valid RE2 pattern: missing closing \)/ },
    { name: "a repeat over RE2's limit", source: "a{2000}", error: /^not a valid RE2 pattern: invalid repeat count/ },
  ])("refuses $name, saying why", ({ source, error }) => {
    expect(compileError(source)).toMatch(error);
  });

  test.each([
    { flags: "", problem: undefined },
    { flags: "imsgu", problem: undefined },
    { flags: "y", problem: /"y" \(sticky\) flag is not supported: anchor the pattern with \^ instead/ },
    { flags: "gy", problem: /sticky/ },
    { flags: "q", problem: /expected flags from "imsgu".*got "q"/ },
    { flags: "ii", problem: /each at most once, got "ii"/ },
    { flags: "d", problem: /got "d"/ },
  ])("flags $flags", ({ flags, problem }) => {
    const found = flagsProblem(flags);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
    if (problem !== undefined) expect(compileError("a", flags)).toBe(found);
  });

  test("a catastrophic pattern on 50,000 a's and a '!' finishes in milliseconds", () => {
    const text = `${"a".repeat(50_000)}!`;
    for (const source of ["(a+)+$", "^(a|a)*$", "^(a|aa)+$", "(.*a){20}$"]) {
      const started = performance.now();
      expect(matches(source, text)).toBe(false);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  test("g keeps no state: the same text gives the same verdict every time, in any order", () => {
    const compiled = compilePattern("A-\\d", "g");
    if (!compiled.ok) throw new Error(compiled.error);
    const texts = ["A-1", "A-1", "x", "A-2 A-3", "A-1"];
    const once = texts.map((text) => compiled.test(text));
    expect(once).toEqual([true, true, false, true, true]);
    expect([...texts].reverse().map((text) => compiled.test(text))).toEqual([...once].reverse());
  });

  test("a cache compiles a pattern once per flags", () => {
    const patterns = createPatternCache();
    expect(patterns("^a", "i")).toBe(patterns("^a", "i"));
    expect(patterns("^a", "")).not.toBe(patterns("^a", "i"));
  });
});

describe("the regex check", () => {
  const makeCase = (vars: Record<string, JsonValue> = {}): EvalCase => ({ id: "c", line: 3, input: "x", vars, tags: [], expected: {} });

  function build(options: Record<string, JsonValue>) {
    const issues: string[] = [];
    const check = regex({ id: "shape", type: "regex", category: "quality", ...options } as CheckSpec, {
      rubricPath: "/r/rubric.yaml",
      schemas: createSchemaCompiler(),
      issue: (field, message) => issues.push(`${field}: ${message}`),
    });
    return { check, issues };
  }

  const score = (check: ReturnType<typeof build>["check"], output: string, testCase = makeCase()) =>
    check.score({ case: testCase, output, tool_calls: [], usage: null, latency_ms: 0 });

  test("a pattern RE2 cannot run is a load-time issue at its field", () => {
    expect(build({ pattern: "(\\w+) \\1" }).issues).toEqual([
      "pattern: backreferences are not supported: patterns use RE2 syntax, which matches in linear time (invalid escape sequence: `\\1`)",
    ]);
    expect(build({ value: "(?!x)" }).issues[0]).toMatch(/^value: lookahead and lookbehind/);
    expect(build({ pattern: "a", flags: "y" }).issues[0]).toMatch(/^flags: the "y" \(sticky\) flag/);
  });

  test("a catastrophic pattern fails a long output quickly", async () => {
    const { check, issues } = build({ pattern: "^(a+)+$" });
    expect(issues).toEqual([]);
    const started = performance.now();
    const result = await score(check, `${"a".repeat(50_000)}!`);
    expect(performance.now() - started).toBeLessThan(500);
    expect(result.status).toBe("fail");
  });

  test("with g, verdicts do not depend on the order or concurrency of cases", async () => {
    const { check } = build({ pattern: "refund", flags: "g", ignore_case: true });
    const outputs = ["Refund issued", "refund refund", "no", "REFUND", "Refund issued"];
    const sequential: string[] = [];
    for (const output of outputs) sequential.push((await score(check, output)).status);
    const concurrent = await Promise.all([...outputs].reverse().map(async (output) => (await score(check, output)).status));
    expect(sequential).toEqual(["pass", "pass", "fail", "pass", "pass"]);
    expect(concurrent).toEqual([...sequential].reverse());
  });

  test("a {{var}} pattern is checked per case at load time", () => {
    const { check, issues } = build({ pattern: "^{{prefix}}-\\d+$" });
    expect(issues).toEqual([]);
    expect(check.validateCase?.(makeCase({ prefix: "A" }))).toEqual([]);
    expect(check.validateCase?.(makeCase({ prefix: "(" }))).toEqual([
      'pattern "^(-\\\\d+$" (after {{var}} substitution): not a valid RE2 pattern: missing closing ): `^(-\\d+$`',
    ]);
  });

  test("a {{var}} pattern matches with the case's value", async () => {
    const { check } = build({ pattern: "^{{prefix}}-\\d+$" });
    expect((await score(check, "A-12", makeCase({ prefix: "A" }))).status).toBe("pass");
    expect((await score(check, "B-12", makeCase({ prefix: "A" }))).status).toBe("fail");
  });
});
