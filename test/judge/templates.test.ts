import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { judge, templateProblems } from "../../src/checks/judge.js";
import { createSchemaCompiler } from "../../src/checks/schema-compiler.js";
import { builtInTemplates, fillTemplate, loadTemplate } from "../../src/judge/templates.js";
import type { CheckSpec, EvalCase, JudgeCaller, ScoreInput } from "../../src/types.js";

function build(spec: Partial<CheckSpec>, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-judge-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const issues: string[] = [];
  const check = judge({ id: "j", type: "judge", category: "quality", criteria: "Be right.", ...spec } as CheckSpec, {
    rubricPath: join(dir, "rubric.yaml"),
    schemas: createSchemaCompiler(),
    issue: (field, message) => issues.push(`${field}: ${message}`),
  });
  return { check, issues };
}

describe("judge templates", () => {
  test.each(builtInTemplates.filter((name) => name !== "refusal"))("the built-in %s template loads and uses every placeholder it must", (name) => {
    const template = loadTemplate({ builtIn: name });
    if (typeof template === "string") throw new Error(template);
    expect(template.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(templateProblems(template, name)).toEqual([]);
  });

  test("a custom template edited between runs is read afresh (watch re-reads every input)", () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-judge-"));
    const path = join(dir, "judge.md");
    writeFileSync(path, "First {{boundary}}\n=== USER ===\n{{output}}");
    const first = loadTemplate({ path: "judge.md", root: dir });
    writeFileSync(path, "Second {{boundary}}\n=== USER ===\n{{output}}");
    const second = loadTemplate({ path: "judge.md", root: dir });
    if (typeof first === "string" || typeof second === "string") throw new Error("template did not load");
    expect(first.system).toBe("First {{boundary}}");
    expect(second.system).toBe("Second {{boundary}}");
    expect(second.sha256).not.toBe(first.sha256);
  });

  test("fillTemplate inserts values verbatim, without expanding placeholders inside them", () => {
    expect(fillTemplate("<{{a}}|{{ b }}|{{c}}>", { a: "{{b}}", b: "x" })).toBe("<{{b}}|x|{{c}}>");
  });

  test("a custom template that does not fence the output, or uses unknown placeholders, is an input error", () => {
    const unfenced = "Grade it.\n=== USER ===\n{{criteria}}\n{{output}}\n{{reply}}";
    const { issues } = build({ prompt: "judge.md" }, { "judge.md": unfenced });
    expect(issues).toEqual([
      "prompt: judge.md: a pointwise judge template must use {{boundary}}",
      expect.stringMatching(/^prompt: judge\.md: unknown placeholder \{\{reply\}\}/),
    ]);
    const pairwise = build({ prompt: "judge.md", mode: "pairwise" }, { "judge.md": "x {{boundary}}\n=== USER ===\n{{output}}" }).issues;
    expect(pairwise).toEqual([
      "prompt: judge.md: a pairwise judge template must use {{output_a}}",
      "prompt: judge.md: a pairwise judge template must use {{output_b}}",
      expect.stringMatching(/unknown placeholder \{\{output\}\}/),
    ]);
  });

  test("a valid custom template is reported by the name the rubric gives it, with its hash", () => {
    const text = "Grade it. Data lines start with {{boundary}}.\n=== USER ===\n{{boundary}} BEGIN REPLY\n{{output}}\n{{boundary}} END REPLY";
    const { check, issues } = build({ prompt: "judge.md" }, { "judge.md": text });
    expect(issues).toEqual([]);
    expect(Object.keys(check.judgeTemplates ?? {})).toEqual(["judge.md"]);
  });
});

describe("the pairwise check", () => {
  const testCase = { id: "c", line: 1, input: "q", vars: {}, expected: {}, tags: [] } as EvalCase;
  const side = (output: string, caller: JudgeCaller): ScoreInput => ({
    case: testCase,
    output,
    tool_calls: [],
    usage: null,
    latency_ms: 1,
    judge: caller,
  });

  const countingCaller = () => {
    const calls: string[] = [];
    const caller: JudgeCaller = async (request) => {
      calls.push(request.messages.map((m) => m.content).join("\n"));
      return { status: "ok", response: { text: '{"winner": "A"}', tool_calls: [], usage: null }, latency_ms: 1, attempts: 1, cached: false };
    };
    return { calls, caller };
  };

  test.each([
    { name: "byte-identical", baseline: "same", candidate: "same" },
    { name: "identical after trimming", baseline: "  same\n", candidate: "same" },
    { name: "both empty", baseline: "", candidate: " " },
  ])("identical outputs ($name) are a tie without asking the judge, marked as not asked", async ({ baseline, candidate }) => {
    const { calls, caller } = countingCaller();
    const { check } = build({ mode: "pairwise" });
    const result = await check.scorePair?.({ case: testCase, baseline: side(baseline, caller), candidate: side(candidate, caller) });
    expect(result).toMatchObject({ pairwise: "tie", score: 0.5, status: "pass", judge_asked: false });
    expect(calls).toHaveLength(0);
  });

  test.each([
    { name: "different text", baseline: "one", candidate: "two" },
    { name: "different inner whitespace", baseline: "a  b", candidate: "a b" },
    { name: "different case", baseline: "Yes", candidate: "yes" },
  ])("different outputs ($name) are asked about, in both orders", async ({ baseline, candidate }) => {
    const { calls, caller } = countingCaller();
    const { check } = build({ mode: "pairwise" });
    const result = await check.scorePair?.({ case: testCase, baseline: side(baseline, caller), candidate: side(candidate, caller) });
    expect(result).toMatchObject({ pairwise: "inconsistent" });
    expect(result?.judge_asked).toBeUndefined();
    expect(calls).toHaveLength(2);
  });
});
