/**
 * The data the HTML report embeds for its client script: the cases, regressing ones first, each with a
 * precomputed word-level diff of baseline vs candidate output per repeat. Case details are built from
 * this blob only when a case is expanded, so the page stays fast at thousands of cases.
 */
import { diffWords, diffWordsWithSpace } from "diff";
import type { CaseOutcome, CaseReport, RunReport } from "../types.js";
import { describeVariant, listCheckIds } from "./case-summary.js";

/**
 * A diff as flat `[op, length, op, length, …]` pairs: op 0 = common text (same length on both sides),
 * -1 = only in the baseline, 1 = only in the candidate. Lengths are UTF-16 units, as `String#slice` counts.
 */
export type DiffOps = number[];

export interface HtmlCase extends CaseReport {
  /** per repeat index present on both sides; null when an output is missing or too large to diff */
  diffs: Array<DiffOps | null>;
}

export interface HtmlData {
  variants: { baseline: string; candidate: string };
  repeat: number;
  checks: Array<{ id: string; type: string; category: string }>;
  cases: HtmlCase[];
}

const OUTCOME_ORDER: Record<CaseOutcome, number> = { regression: 0, error: 1, fail: 2, improvement: 3, pass: 4 };

// Beyond these the diff costs more than it shows: the two outputs are displayed without markup.
const MAX_DIFF_CHARS = 40_000;
const MAX_EDIT_LENGTH = 2_000;

/** Builds the embedded data blob: cases sorted regression → error → fail → improvement → pass. */
export function buildHtmlData(report: RunReport): HtmlData {
  const known = new Map(report.checks.map((check) => [check.id, check]));
  const checks = listCheckIds(report).map((id) => known.get(id) ?? { id, type: "unknown", category: "unknown" });
  const cases = report.cases
    .map((testCase, index) => ({ testCase, index }))
    .sort((a, b) => OUTCOME_ORDER[a.testCase.outcome] - OUTCOME_ORDER[b.testCase.outcome] || a.index - b.index)
    .map(({ testCase }) => ({ ...testCase, diffs: diffRepeats(testCase) }));
  return {
    variants: {
      baseline: describeVariant(report.variants.baseline),
      candidate: describeVariant(report.variants.candidate),
    },
    repeat: report.run.repeat,
    checks,
    cases,
  };
}

function diffRepeats(testCase: CaseReport): Array<DiffOps | null> {
  const count = Math.min(testCase.baseline.length, testCase.candidate.length);
  const diffs: Array<DiffOps | null> = [];
  for (let index = 0; index < count; index += 1) {
    const baseline = testCase.baseline[index]?.output ?? null;
    const candidate = testCase.candidate[index]?.output ?? null;
    diffs.push(baseline === null || candidate === null ? null : diffOutputs(baseline, candidate));
  }
  return diffs;
}

/** The word-level diff of two outputs, exact on both sides, or null when it would be too costly. */
export function diffOutputs(baseline: string, candidate: string): DiffOps | null {
  if (baseline === candidate) return baseline === "" ? [] : [0, baseline.length];
  if (baseline.length + candidate.length > MAX_DIFF_CHARS) return null;
  // diffWords ignores whitespace changes and reports the candidate's whitespace in common parts, which
  // would misquote the baseline; then the whitespace-as-token variant keeps both sides exact.
  const loose = diffWords(baseline, candidate, { maxEditLength: MAX_EDIT_LENGTH });
  const changes =
    loose !== undefined && reproduces(loose, baseline, candidate)
      ? loose
      : diffWordsWithSpace(baseline, candidate, { maxEditLength: MAX_EDIT_LENGTH });
  if (changes === undefined) return null;
  return toOps(changes);
}

interface Change {
  value: string;
  added: boolean;
  removed: boolean;
}

/**
 * Flattens change objects into ops, folding a whitespace-only common run that sits between two changes
 * into the changes around it: "~~a~~ ~~b~~" reads better as one struck phrase than as word confetti.
 */
function toOps(changes: Change[]): DiffOps {
  const ops: DiffOps = [];
  let removed = 0;
  let added = 0;
  const flush = () => {
    if (removed > 0) ops.push(-1, removed);
    if (added > 0) ops.push(1, added);
    removed = 0;
    added = 0;
  };
  changes.forEach((change, index) => {
    const length = change.value.length;
    if (length === 0) return;
    if (change.removed) removed += length;
    else if (change.added) added += length;
    else {
      const before = changes[index - 1];
      const after = changes[index + 1];
      const between = before !== undefined && after !== undefined && (before.added || before.removed) && (after.added || after.removed);
      if (between && /^\s+$/.test(change.value)) {
        removed += length;
        added += length;
        return;
      }
      flush();
      const last = ops.length - 2;
      if (last >= 0 && ops[last] === 0) ops[last + 1] = (ops[last + 1] ?? 0) + length;
      else ops.push(0, length);
    }
  });
  flush();
  return ops;
}

function reproduces(changes: Change[], baseline: string, candidate: string): boolean {
  let left = "";
  let right = "";
  for (const change of changes) {
    if (!change.added) left += change.value;
    if (!change.removed) right += change.value;
  }
  return left === baseline && right === candidate;
}
