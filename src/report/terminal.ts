import { Chalk } from "chalk";
import { lowerIsBetter } from "../aggregate/metric-registry.js";
import { falseFailWarning } from "../gate/false-fail.js";
import type { CaseRecord, CaseReport, Comparison, GateRuleResult, RunSummary } from "../types.js";
import { countOutcomes, describeVariant, gateVerdict, listCheckIds, regressingChecks, runCost, verdictSentence } from "./case-summary.js";
import { describeBound, formatDelta, formatInterval, formatPValue, formatUsd, formatValue, plural } from "./format.js";
import { describeChanges, diffDraws } from "./output-diff.js";
import { plainText } from "./plain-text.js";
import { segmentParser, segmentRows } from "./segments.js";
import { fitLine, renderTextTable, type TextCell, wrapText } from "./text-table.js";

export { plainText };

export interface TerminalOptions {
  color: boolean;
  /** folder the reports went to, for the "what to do next" line */
  reportDir?: string;
  /** formats written, to point at the richest one */
  formats?: string[];
  /** at most this many regressing cases listed */
  maxCases?: number;
  /** the terminal's width (default 80): tables and lines fit it */
  width?: number;
  /** the full case of a record, for the regression lines' diffs (cases as records carry no outputs) */
  caseDetail?: (record: CaseRecord) => CaseReport;
}

/** The terminal summary: the gate table, regressing cases, worst segments, and the verdict. */
export function renderTerminal(report: RunSummary, options: TerminalOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  const { baseline, candidate } = report.variants;
  const repeat = report.run.repeat > 1 ? ` × ${report.run.repeat} draws` : "";
  lines.push(c.bold(fitLine(`modelgate ${plainText(report.run.id)}`, Math.max(40, options.width ?? 80))));
  const lineWidth = Math.max(40, options.width ?? 80);
  lines.push(fitLine(`  baseline:  ${plainText(describeVariant(baseline))}`, lineWidth));
  lines.push(fitLine(`  candidate: ${plainText(describeVariant(candidate))}`, lineWidth));
  if (report.variants.judge) lines.push(fitLine(`  judge:     ${plainText(describeVariant(report.variants.judge))}`, lineWidth));
  const outcomes = countOutcomes(report);
  lines.push(
    ...wrapIndented(
      `${plural(report.cases.length, "case")}${repeat}: ${outcomes.regression} regressed, ${outcomes.improvement} improved, ${outcomes.pass} pass on both, ${outcomes.fail} fail on both, ${outcomes.error} with errors`,
      Math.max(40, options.width ?? 80),
      2,
      4,
    ),
  );
  if (report.run.requests.reused > 0)
    lines.push(`  ${report.run.requests.reused} of ${report.run.requests.total} requests reused from cache/cassette`);
  if (report.run.interrupted) lines.push(c.yellow("  interrupted: the report covers only the cases that finished"));
  lines.push("");

  const width = Math.max(40, options.width ?? 80);
  if (report.gate.rules.length > 0) {
    lines.push(...gateTable(report.gate.rules, width, c));
    const methods = [...new Set(report.gate.rules.map((rule) => rule.method.replace(/ \(.*?\)/g, "")).filter(Boolean))];
    if (methods.length > 0)
      lines.push(...wrapIndented(`intervals: ${methods.map((m) => plainText(m)).join("; ")}`, width, 2, 4).map((line) => c.dim(line)));
    for (const rule of report.gate.rules.filter((r) => r.verdict !== "pass" || r.inconclusive)) {
      const mark = rule.verdict === "fail" ? c.red("✗") : rule.verdict === "skipped" ? c.dim("–") : c.yellow("?");
      const [first = "", ...rest] = wrapIndented(plainText(rule.reason), width, 4, 4);
      lines.push(`  ${mark} ${first.slice(4)}`, ...rest);
    }
    lines.push("");
  }

  const regressions = report.cases.filter((testCase) => testCase.outcome === "regression");
  if (regressions.length > 0) {
    const max = options.maxCases ?? 20;
    lines.push(c.bold(`Regressions (${regressions.length})`));
    const checkIds = listCheckIds(report);
    let cut = false;
    for (const testCase of regressions.slice(0, max)) {
      const tags = testCase.tags.length > 0 ? ` [${plainText(testCase.tags.join(", "))}]` : "";
      lines.push(`  ${c.red("↓")} ${fitLine(`${plainText(testCase.id)}${tags}`, width - 4).replace(tags, c.dim(tags))}`);
      const changes = regressingChecks(testCase, checkIds);
      for (const change of changes.length > 0 ? changes.slice(0, 3) : []) {
        const line = `${change.check}: ${plainText(change.candidate.reason)}`;
        cut ||= line.length > width - 6;
        lines.push(`      ${fitLine(line, width - 6)}`);
      }
      if (changes.length === 0) lines.push("      fails on the candidate");
      if (options.caseDetail) {
        const full = options.caseDetail(testCase);
        for (const diff of describeChanges(diffDraws(full.baseline[0], full.candidate[0]), 3)) {
          cut ||= diff.length > width - 8;
          lines.push(`      ${c.yellow("Δ")} ${paintChange(c, fitLine(plainText(diff), width - 8))}`);
        }
      }
    }
    if (cut) lines.push(c.dim("  (long reasons are cut here; report.html and report.json have them whole)"));
    if (regressions.length > max) lines.push(`  … and ${regressions.length - max} more (see report.json)`);
    lines.push("");
  }
  const improvements = report.cases.filter((testCase) => testCase.outcome === "improvement");
  if (improvements.length > 0) {
    const ids = `${improvements
      .slice(0, 10)
      .map((t) => plainText(t.id))
      .join(", ")}${improvements.length > 10 ? ", …" : ""}`;
    const label = `Improvements (${improvements.length})`;
    lines.push(`${c.bold(label)}: ${fitLine(ids, width - label.length - 2)}`);
    lines.push("");
  }

  lines.push(...segmentLines(report, width, c));

  const falseFail = falseFailWarning(report.gate.false_fail_rate);
  for (const warning of [...report.run.warnings, ...(falseFail ? [falseFail] : [])]) {
    lines.push(...wrapIndented(`warning: ${plainText(warning)}`, width, 0, 2).map((line) => c.yellow(line)));
  }
  if (report.run.warnings.length > 0) lines.push("");

  for (const line of usageLines(report)) lines.push(c.dim(line));
  const cost = runCost(report);
  if (cost.total !== null) {
    const parts = [`baseline ${formatUsd(cost.baseline)}`, `candidate ${formatUsd(cost.candidate)}`];
    if (cost.judge !== undefined) parts.push(`judge ${formatUsd(cost.judge)}`);
    const unknown = cost.unknown > 0 ? `; +${cost.unknown} requests at unknown price` : "";
    lines.push(
      ...wrapIndented(`cost of this run: ${formatUsd(cost.total)} (${parts.join(" · ")}${unknown})`, width, 0, 2).map((line) => c.dim(line)),
    );
  }
  const sentence = verdictSentence(report);
  const verdict = gateVerdict(report);
  const shown = plainText(sentence);
  lines.push(
    verdict === "pass"
      ? c.green.bold(`✔ ${shown}`)
      : verdict === "fail"
        ? c.red.bold(`✘ ${shown}`)
        : verdict === "inconclusive"
          ? c.yellow.bold(`? ${shown}`)
          : c.red.bold(`! ${shown}`),
  );
  const next = nextStep(report, options);
  if (next) lines.push(next);
  return `${lines.join("\n")}\n`;
}

/**
 * Reasoning and prompt-cache tokens per request, and time to first token, when either side has any:
 * they explain a cost or latency change that the answer tokens do not (issue #24).
 */
function usageLines(report: RunSummary): string[] {
  const { baseline, candidate } = report.metrics;
  const shown = (metric: string, label: string, unit: string) => {
    const [before, after] = [baseline[metric], candidate[metric]];
    if (!before && !after) return [];
    const value = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${Math.round(v)}${unit}`);
    return [`${label}: ${value(before)} → ${value(after)}`];
  };
  const parts = [
    ...shown("tokens.reasoning.mean", "reasoning tokens/request", ""),
    ...shown("tokens.cached_input.mean", "cached input tokens/request", ""),
    ...shown("latency.ttft_p50_ms", "time to first token p50", " ms"),
  ];
  return parts.length > 0 ? [`${parts.join("; ")} (baseline → candidate)`] : [];
}

type Paint = InstanceType<typeof Chalk>;

function deltaPaint(c: Paint, comparison: Comparison): ((text: string) => string) | undefined {
  if (comparison.delta === null || comparison.delta === 0) return undefined;
  const worse = lowerIsBetter(comparison.metric) ? comparison.delta > 0 : comparison.delta < 0;
  return worse ? c.red : c.green;
}

function verdictCell(c: Paint, rule: GateRuleResult): TextCell {
  const word =
    rule.verdict === "pass"
      ? "pass"
      : rule.verdict === "fail"
        ? "FAIL"
        : rule.verdict === "skipped"
          ? "skipped"
          : rule.verdict === "inconclusive"
            ? "inconclusive"
            : "unknown";
  const paint = rule.verdict === "pass" ? c.green : rule.verdict === "fail" ? c.red.bold : rule.verdict === "skipped" ? c.dim : c.yellow;
  const extra = rule.inconclusive && (rule.verdict === "pass" || rule.verdict === "fail") ? " inconclusive" : "";
  return {
    text: `${word}${extra}`,
    paint: (line) =>
      line === "inconclusive" && extra
        ? c.yellow(line)
        : line.startsWith(word)
          ? paint(word) + (line.length > word.length ? c.yellow(line.slice(word.length)) : "")
          : c.yellow(line),
  };
}

/**
 * The gate table, fitted to the width: every column when they fit, else baseline → candidate in one
 * column, the delta over its interval, and no p (the reasons below quote what a verdict rests on).
 */
function gateTable(rules: GateRuleResult[], width: number, c: Paint): string[] {
  const head = (text: string) => c.bold(text);
  const bound = (rule: GateRuleResult) => `${plainText(describeBound(rule.bound, rule.bound_text))}${rule.mode === "point" ? "" : ` (${rule.mode})`}`;
  const wide = renderTextTable(
    [
      { head: "gate rule", min: 12 },
      { head: "baseline", align: "right" },
      { head: "candidate", align: "right" },
      { head: "delta", align: "right", min: 8 },
      { head: "95% CI", min: 11 },
      { head: "p", align: "right", min: 5 },
      { head: "bound", min: 10 },
      { head: "verdict", min: 12 },
    ],
    rules.map((rule) => [
      plainText(rule.metric),
      formatValue(rule.metric, rule.baseline),
      formatValue(rule.metric, rule.candidate),
      { text: formatDelta(rule.metric, rule.delta, rule.baseline), ...optionalPaint(deltaPaint(c, rule)) },
      formatInterval(rule.metric, rule.ci),
      formatPValue(rule.p_value),
      bound(rule),
      verdictCell(c, rule),
    ]),
    width,
    head,
  );
  if (wide.every((line) => visibleLength(line) <= width)) return wide;
  // Narrow: the interval under the delta, the mode under the bound, "?" for inconclusive.
  const narrowVerdict = (rule: GateRuleResult): TextCell => {
    const cell = verdictCell(c, rule);
    const shortWord = cell.text.replace(/ inconclusive$/, " ?").replace(/^inconclusive$/, "?");
    return {
      text: shortWord,
      paint: (line) =>
        line.endsWith(" ?") ? `${(cell.paint ?? ((x: string) => x))(line.slice(0, -2))} ${c.yellow("?")}` : cell.paint ? cell.paint(line) : line,
    };
  };
  const table = renderTextTable(
    [
      { head: "gate rule", min: 12 },
      { head: "baseline", align: "right" },
      { head: "candidate", align: "right" },
      { head: "delta, 95% CI", min: 10 },
      { head: "bound", min: 10 },
      { head: "verdict", min: 6 },
    ],
    rules.map((rule) => [
      plainText(rule.metric),
      formatValue(rule.metric, rule.baseline),
      formatValue(rule.metric, rule.candidate),
      {
        // A no-break space keeps the unit with its interval when the cell wraps.
        text: `${formatDelta(rule.metric, rule.delta, rule.baseline)}\n${formatInterval(rule.metric, rule.ci).replace(/\] (\S+)$/, "]\u00a0$1")}`,
        ...optionalPaint(deltaPaint(c, rule)),
      },
      `${plainText(describeBound(rule.bound, rule.bound_text))}${rule.mode === "point" ? "" : `\n(${rule.mode})`}`,
      narrowVerdict(rule),
    ]),
    width,
    head,
  );
  const legend = rules.some((rule) => rule.verdict === "inconclusive" || rule.inconclusive)
    ? [c.dim("  ? inconclusive: the interval straddles the bound at this n (see below)")]
    : [];
  return [...table, ...legend];
}

function optionalPaint(paint: ((text: string) => string) | undefined): { paint?: (text: string) => string } {
  return paint ? { paint } : {};
}

function visibleLength(line: string): number {
  return plainText(line).length;
}

/** Wraps a paragraph to the width: the first line indented by `first`, the rest by `rest`. */
function wrapIndented(text: string, width: number, first: number, rest: number): string[] {
  const lines = wrapText(text, width - Math.max(first, rest));
  return lines.map((line, index) => `${" ".repeat(index === 0 ? first : rest)}${line}`);
}

/** `amount: 20 → 25` with the old value red and the new green. */
function paintChange(c: Paint, line: string): string {
  const arrow = line.lastIndexOf(" → ");
  if (arrow < 0) return line;
  const colon = line.lastIndexOf(": ", arrow);
  const start = colon < 0 ? 0 : colon + 2;
  return `${line.slice(0, start)}${c.red(line.slice(start, arrow))} → ${c.green(line.slice(arrow + 3))}`;
}

/** The segments, worst first: pass rates, delta, n, regressions, and the rules on each, fitted to the width. */
function segmentLines(report: RunSummary, width: number, c: Paint): string[] {
  const rows = segmentRows(report).filter((row) => row.n > 0 && (row.baseline !== null || row.regressions > 0 || row.rules.length > 0));
  if (rows.length === 0) return [];
  const segmentOf = segmentParser(report);
  const shown = rows.slice(0, 8);
  const table = renderTextTable(
    [
      { head: "segment", min: 12 },
      { head: "n", align: "right", min: 1 },
      { head: "pass rate b → c", min: 10 },
      { head: "delta", align: "right", min: 8 },
      { head: "regr.", align: "right", min: 5 },
      { head: "gate rules", min: 10 },
    ],
    shown.map((row) => [
      plainText(row.tag),
      String(row.n),
      `${formatValue("pass_rate", row.baseline)} → ${formatValue("pass_rate", row.candidate)}`,
      { text: formatDelta("pass_rate", row.delta), ...(row.delta !== null && row.delta < 0 ? { paint: c.red } : {}) },
      { text: String(row.regressions), ...(row.regressions > 0 ? { paint: c.red } : {}) },
      {
        text:
          row.rules
            .map((rule) => `${plainText(segmentOf(rule.metric)?.metric ?? rule.metric)} ${rule.verdict === "fail" ? "FAIL" : rule.verdict}`)
            .join("\n") || "—",
        ...(row.rules.some((rule) => rule.verdict === "fail") ? { paint: c.red.bold } : {}),
      },
    ]),
    width,
    (text) => c.bold(text),
  );
  const more = rows.length > shown.length ? [c.dim(`  … and ${rows.length - shown.length} more segments (report.md, report.html)`)] : [];
  return [c.bold("Segments, worst first"), ...table, ...more, ""];
}

interface SegmentRow extends Comparison {
  tag: string;
}

/** Segment pass rates ordered by delta, worst first. */
export function worstSegments(comparisons: Comparison[]): SegmentRow[] {
  return comparisons
    .filter((comparison) => comparison.metric.startsWith("segment.") && comparison.metric.endsWith(".pass_rate") && comparison.n > 0)
    .map((comparison) => ({ ...comparison, tag: comparison.metric.slice("segment.".length, -".pass_rate".length) }))
    .filter((row) => !row.tag.includes(".pass_rate"))
    .sort((a, b) => (a.delta ?? 0) - (b.delta ?? 0));
}

/** One line saying what to look at next. */
function nextStep(report: RunSummary, options: TerminalOptions): string | undefined {
  if (!options.reportDir) return undefined;
  const file = options.formats?.includes("html") ? "report.html" : options.formats?.includes("md") ? "report.md" : "report.json";
  const failing = report.gate.rules.filter((rule) => rule.verdict === "fail").map((rule) => rule.metric);
  const regressions = report.regressions.length;
  const detail =
    regressions > 0 ? `; ${plural(regressions, "regression")}` : failing.length > 0 ? `; failing: ${failing.slice(0, 3).join(", ")}` : "";
  return plainText(`next: open ${options.reportDir}/${file}${detail}`);
}
