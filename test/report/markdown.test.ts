import { describe, expect, test } from "vitest";
import { MARKDOWN_MAX_CHARS, renderMarkdown } from "../../src/report/markdown.js";
import { mdCode, mdFence, mdText } from "../../src/report/markdown-escape.js";
import { loadSmallReport, makeCaseReport, makeCaseRun, makeCheckResult, makeGateRule, makeLargeReport, makeReport } from "../support/make-report.js";

/** Lines outside fenced code blocks, following CommonMark's rule that only a fence at least as long closes one. */
function outsideFences(markdown: string): { lines: string[]; unclosed: boolean } {
  const lines: string[] = [];
  let open: number | null = null;
  for (const line of markdown.split("\n")) {
    const fence = /^ {0,3}(`{3,})/.exec(line)?.[1];
    if (open === null) {
      if (fence !== undefined) open = fence.length;
      else lines.push(line);
    } else if (fence !== undefined && fence.length >= open && /^ {0,3}`+\s*$/.test(line)) {
      open = null;
    }
  }
  return { lines, unclosed: open !== null };
}

/** Text with inline code spans removed: inside them nothing is HTML, Markdown or a mention. */
function withoutCodeSpans(text: string): string {
  let result = "";
  let index = 0;
  while (index < text.length) {
    const run = /`+/.exec(text.slice(index));
    if (run === null) return result + text.slice(index);
    const start = index + run.index;
    const closing = new RegExp(`(?<!\`)${run[0]}(?!\`)`).exec(text.slice(start + run[0].length));
    result += text.slice(index, start);
    if (closing === null) return result + text.slice(start);
    index = start + run[0].length + closing.index + run[0].length;
  }
  return result;
}

/** Pipes that split a GFM table row (not escaped with a backslash). */
function cellSeparators(row: string): number {
  return (row.match(/(?<!\\)\|/g) ?? []).length;
}

function regression(id: string, candidateOverrides: Parameters<typeof makeCaseRun>[0] = {}) {
  return makeCaseReport({
    id,
    outcome: "regression",
    candidate: [
      makeCaseRun({
        checks: {
          format: makeCheckResult({ status: "fail", score: 0, reason: "/amount: must be number" }),
          helpful: makeCheckResult({ score: 0.75 }),
        },
        ...candidateOverrides,
      }),
    ],
  });
}

describe("renderMarkdown", () => {
  test("matches the golden file for the small fixture", async () => {
    const markdown = renderMarkdown(loadSmallReport(), { reportDir: "reports/20250301T101500Z-7f3a" });
    await expect(markdown).toMatchFileSnapshot("./__snapshots__/report-small.md");
  });

  test.each([
    {
      name: "failed gate",
      report: () => loadSmallReport(),
      first: "## ❌ modelgate: candidate NOT safe to roll out — 2 of 7 gate rules failed",
    },
    {
      name: "passed gate, several rules",
      report: () => makeReport({ gate: { verdict: "pass", rules: [makeGateRule(), makeGateRule({ metric: "error_rate" })] } }),
      first: "## ✅ modelgate: candidate safe to roll out — all 2 gate rules passed",
    },
    {
      name: "passed gate, one rule",
      report: () => makeReport(),
      first: "## ✅ modelgate: candidate safe to roll out — the gate rule passed",
    },
    {
      name: "no rules",
      report: () => makeReport({ gate: { verdict: "pass", rules: [] } }),
      first: "## ✅ modelgate: candidate safe to roll out — no gate rules were defined",
    },
  ])("the verdict is the first line: $name", ({ report, first }) => {
    expect(renderMarkdown(report()).split("\n")[0]).toBe(first);
  });

  test("marks inconclusive rules and explains failed ones", () => {
    const markdown = renderMarkdown(loadSmallReport());
    const row = markdown.split("\n").find((line) => line.startsWith("| `format.pass_rate`"));
    expect(row).toContain("inconclusive");
    expect(markdown).toContain("- ❌ `tools.pass_rate`: tools.pass\\_rate dropped by 100.0 pp");
  });

  test("says so when the run was interrupted", () => {
    expect(renderMarkdown(makeReport({ run: { interrupted: true } }))).toContain("The run was interrupted");
  });

  test("caps lists so 2,000 cases stay readable and under the comment limit", () => {
    const report = makeLargeReport(2000);
    const markdown = renderMarkdown(report);
    const regressions = report.cases.filter((testCase) => testCase.outcome === "regression").length;
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    expect(markdown).toContain(`### Regressions (${regressions})`);
    expect(markdown).toMatch(/_…and [\d,]+ more regressions — see report\.html or report\.json\._/);
    const rows = markdown.split("\n").filter((line) => line.startsWith("| `case-"));
    expect(rows.length).toBeLessThan(120);
    expect(outsideFences(markdown).unclosed).toBe(false);
  });

  test("stays under the limit when every field is huge and hostile", () => {
    const huge = "`".repeat(50) + "<script>@octocat</script>|".repeat(2_000);
    const cases = Array.from({ length: 2_000 }, (_, index) =>
      makeCaseReport({
        id: `${index}-${huge}`,
        tags: Array.from({ length: 30 }, () => huge),
        outcome: index % 2 === 0 ? "regression" : "error",
        candidate: [
          makeCaseRun({
            output: huge,
            error: index % 2 === 0 ? null : { kind: "server", message: huge },
            checks: { format: makeCheckResult({ status: index % 2 === 0 ? "fail" : "error", score: null, reason: huge }) },
          }),
        ],
      }),
    );
    const markdown = renderMarkdown(
      makeReport({
        cases,
        run: { warnings: Array.from({ length: 500 }, () => huge) },
        gate: { verdict: "fail", rules: Array.from({ length: 200 }, () => makeGateRule({ verdict: "fail", reason: huge })) },
      }),
    );
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    expect(markdown.startsWith("## ❌ modelgate")).toBe(true);
    const { lines, unclosed } = outsideFences(markdown);
    expect(unclosed).toBe(false);
    expect(withoutCodeSpans(lines.join("\n"))).not.toMatch(/<script>|@octocat/);
  });

  test("neutralises HTML, Markdown links and @mentions in ids, tags and reasons", () => {
    const report = makeReport({
      run: { warnings: ["ping @octocat <img src=x onerror=alert(1)>"] },
      cases: [
        makeCaseReport({
          id: "<b>bold</b>|id",
          tags: ["<img src=x onerror=alert(1)>", "a|b"],
          outcome: "regression",
          candidate: [
            makeCaseRun({
              output: "fine",
              checks: {
                format: makeCheckResult({
                  status: "fail",
                  score: 0,
                  reason: "<script>alert(1)</script> | cc @octocat and @acme/security, see [here](https://evil.example) *now*",
                }),
                helpful: makeCheckResult(),
              },
            }),
          ],
        }),
      ],
    });
    const markdown = renderMarkdown(report);
    const { lines } = outsideFences(markdown);
    const prose = withoutCodeSpans(lines.join("\n"));
    expect(prose).not.toMatch(/<(script|img|b)\b/);
    expect(prose).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(prose).not.toMatch(/@(octocat|acme)/);
    expect(prose).toContain("@\u200Doctocat");
    expect(prose).toContain("@\u200Dacme/security");
    expect(prose).not.toContain("[here](");
    // every row of the regressions table keeps its 5 cells (the last: what changed) despite the pipes
    const header = lines.findIndex((line) => line.startsWith("| case | tags | failing check"));
    const row = lines[header + 2] ?? "";
    expect(row).toContain("`<b>bold</b>\\|id`");
    expect(cellSeparators(row)).toBe(6);
  });

  test("an output cannot break out of its code fence", () => {
    const output = "before\n```\n## injected heading\n````\n<img src=x onerror=alert(1)>\n`````";
    const report = makeReport({ cases: [regression("fence", { output })] });
    const markdown = renderMarkdown(report);
    const { lines, unclosed } = outsideFences(markdown);
    expect(unclosed).toBe(false);
    expect(lines).not.toContain("## injected heading");
    expect(withoutCodeSpans(lines.join("\n"))).not.toContain("<img");
    expect(markdown).toContain("## injected heading");
  });

  test("names the report directory when given", () => {
    expect(renderMarkdown(makeReport(), { reportDir: "reports/run-1" })).toContain("Full report: `reports/run-1`");
  });
});

describe("markdown escaping", () => {
  test.each([
    { name: "html", input: "<b>&</b>", expected: "&lt;b&gt;&amp;&lt;/b&gt;" },
    { name: "emphasis and links", input: "*a* _b_ [c](d)", expected: "\\*a\\* \\_b\\_ \\[c\\](d)" },
    { name: "pipes", input: "a|b", expected: "a\\|b" },
    { name: "mentions", input: "@team and me@example.com", expected: "@\u200Dteam and me@\u200Dexample.com" },
    { name: "newlines", input: "a\nb\r\nc", expected: "a b c" },
  ])("mdText: $name", ({ input, expected }) => {
    expect(mdText(input)).toBe(expected);
  });

  test.each([
    { input: "plain", options: {}, expected: "`plain`" },
    { input: "a`b", options: {}, expected: "``a`b``" },
    { input: "`edge`", options: {}, expected: "`` `edge` ``" },
    { input: "a|b", options: { inTable: true }, expected: "`a\\|b`" },
    { input: "", options: {}, expected: "(empty)" },
  ])("mdCode($input)", ({ input, options, expected }) => {
    expect(mdCode(input, options)).toBe(expected);
  });

  test("mdFence picks a fence longer than any backtick run", () => {
    expect(mdFence("x ```` y")).toBe("`````text\nx ```` y\n`````");
    expect(mdFence("plain")).toBe("```text\nplain\n```");
  });
});
