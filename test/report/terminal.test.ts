import { expect, test } from "vitest";
import { renderMarkdown } from "../../src/report/markdown.js";
import { plainText } from "../../src/report/plain-text.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { loadSmallReport } from "../support/make-report.js";
import { makeTenantReport } from "./tenant-report.js";

/* The terminal summary at 80 columns, and the Markdown's segment table and compact diffs. */

const withDetail = { caseDetail: (record: unknown) => record as never };

test.each([80, 100, 160])("every line fits %i columns, in colour too", (width) => {
  for (const report of [makeTenantReport(), loadSmallReport()]) {
    for (const color of [false, true]) {
      const text = renderTerminal(report, { color, width, reportDir: "reports/x", formats: ["table", "html"], ...withDetail });
      for (const line of text.split("\n")) expect(plainText(line).replace(/\u001b\[[0-9;]*m/g, "").length, line).toBeLessThanOrEqual(width);
    }
  }
});

test("at 80 columns: the gate table, each regression with its structural change, segments worst first with their rules, the judge's cost", () => {
  const report = makeTenantReport();
  report.run.cost_usd = { baseline: 0.01, candidate: 0.02, judge: 0.005, total: 0.035 };
  const text = renderTerminal(report, { color: false, width: 80, ...withDetail });
  expect(text).toMatch(/gate rule\s+baseline\s+candidate/);
  expect(text).toContain("Δ issue_refund: amount: 20 → 25");
  expect(text).toContain('Δ priority: "urgent" → "high"');
  // A reformatted but equal JSON answer shows no change; the random call ids never appear.
  expect(text).not.toContain("call_Qx81mZ");
  const segments = text.slice(text.indexOf("Segments, worst first"));
  const order = ["tenant:acme", "tools", "json"].map((tag) => segments.indexOf(`  ${tag} `));
  expect(order.every((index, i) => index > 0 && (i === 0 || index > (order[i - 1] ?? 0)))).toBe(true);
  expect(segments).toMatch(/tenant:acme\s+2\s+100\.0% → 0\.0%\s+-100\.0 pp\s+2\s+pass_rate FAIL/);
  expect(text).toContain("cost of this run: $0.035 (baseline $0.01 · candidate $0.02 · judge $0.005)");
});

test("long reasons are cut at the width, and the terminal says where the rest is", () => {
  const report = makeTenantReport();
  const first = report.cases[0];
  const check = first?.candidate[0]?.checks.tools;
  if (!check) throw new Error("fixture");
  check.reason = `issue_refund: ${"arguments.amount differs from what the policy allows; ".repeat(6)}`;
  const text = renderTerminal(report, { color: false, width: 80, ...withDetail });
  expect(text).toMatch(/tools: issue_refund: arguments\.amount.*…\n/);
  expect(text).toContain("report.html and report.json have them whole");
});

test("Markdown: the segment table, worst first, with tenant rules beside their segment, and what changed per regression", () => {
  const markdown = renderMarkdown(makeTenantReport());
  const table = markdown.slice(markdown.indexOf("### Segments"), markdown.indexOf("### Regressions"));
  expect(table).toContain("| segment | n | baseline | candidate | delta | 95% CI | regressions | gate rules on it |");
  const rows = table.split("\n").filter((line) => line.startsWith("| `"));
  expect(rows[0]).toMatch(
    /^\| `tenant:acme` \| 2 \| 100\.0% \| 0\.0% \| \*\*-100\.0 pp\*\* \| \[-100\.0, -34\.0\] pp \| \*\*2\*\* \| `pass_rate max_drop 0\.05` ❌/,
  );
  expect(rows.find((row) => row.includes("`tenant:globex`"))).toContain("✅ pass");
  expect(rows).toHaveLength(6);
  expect(markdown).toContain(
    "| `refund-acme` | `tenant:acme` `tools` | `tools` | issue\\_refund: arguments.amount: expected 20, got 25 | `issue_refund: amount: 20 → 25` |",
  );
  expect(markdown).toContain('- `priority: "urgent" → "high"`');
});
