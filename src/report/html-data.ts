/**
 * The data the HTML report embeds for its client script: the cases, regressing ones first. Case details
 * (and their word diffs) are built from this blob only when a case is expanded, so the page stays fast
 * at thousands of cases.
 */
import type { CaseOutcome, CaseReport, RunReport } from "../types.js";
import { describeVariant, listCheckIds } from "./case-summary.js";
import { segmentNames } from "./html-segments.js";
import { type DrawDiff, diffDraws } from "./output-diff.js";

export interface HtmlData {
  variants: { baseline: string; candidate: string };
  checks: Array<{ id: string; type: string; category: string }>;
  /** the report's cases as they are, reordered */
  cases: CaseReport[];
  /** per case (same order), per repeat: what changed, structurally (tool calls, parsed JSON) */
  diffs: DrawDiff[][];
  /** the segment table's tags by row index (its attributes carry indexes, never tag text) */
  segments: string[];
}

const OUTCOME_ORDER: Record<CaseOutcome, number> = { regression: 0, error: 1, fail: 2, improvement: 3, pass: 4 };

/** Builds the embedded data blob: cases sorted regression → error → fail → improvement → pass. */
export function buildHtmlData(report: RunReport): HtmlData {
  const known = new Map(report.checks.map((check) => [check.id, check]));
  const checks = listCheckIds(report).map((id) => known.get(id) ?? { id, type: "unknown", category: "unknown" });
  const cases = report.cases
    .map((testCase, index) => ({ testCase, index }))
    .sort((a, b) => OUTCOME_ORDER[a.testCase.outcome] - OUTCOME_ORDER[b.testCase.outcome] || a.index - b.index)
    .map(({ testCase }) => testCase);
  return {
    variants: {
      baseline: describeVariant(report.variants.baseline),
      candidate: describeVariant(report.variants.candidate),
    },
    checks,
    cases,
    segments: segmentNames(report).tags,
    diffs: cases.map((testCase) =>
      testCase.baseline.map((run, repeat) => {
        // Text is word-diffed in the browser when a case opens; only the structural diffs travel here.
        return diffDraws(run, testCase.candidate[repeat], { text: false });
      }),
    ),
  };
}
