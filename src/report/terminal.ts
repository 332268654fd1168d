import { Chalk } from "chalk";
import Table from "cli-table3";
import { lowerIsBetter } from "../aggregate/metric-registry.js";
import { falseFailWarning } from "../gate/false-fail.js";
import type { Comparison, RunSummary } from "../types.js";
import { countOutcomes, describeVariant, gateVerdict, listCheckIds, regressingChecks, runCost, verdictSentence } from "./case-summary.js";
import { describeBound, formatDelta, formatInterval, formatPValue, formatUsd, formatValue, plural, truncate } from "./format.js";
import { plainText } from "./plain-text.js";

export { plainText };

export interface TerminalOptions {
  color: boolean;
  /** folder the reports went to, for the "what to do next" line */
  reportDir?: string;
  /** formats written, to point at the richest one */
  formats?: string[];
  /** at most this many regressing cases listed */
  maxCases?: number;
}

/** The terminal summary: the gate table, regressing cases, worst segments, and the verdict. */
export function renderTerminal(report: RunSummary, options: TerminalOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  const { baseline, candidate } = report.variants;
  const repeat = report.run.repeat > 1 ? ` × ${report.run.repeat} draws` : "";
  lines.push(c.bold(`modelgate ${plainText(report.run.id)}`));
  lines.push(`  baseline:  ${plainText(describeVariant(baseline))}`);
  lines.push(`  candidate: ${plainText(describeVariant(candidate))}`);
  if (report.variants.judge) lines.push(`  judge:     ${plainText(describeVariant(report.variants.judge))}`);
  const outcomes = countOutcomes(report);
  lines.push(
    `  ${plural(report.cases.length, "case")}${repeat}: ${outcomes.regression} regressed, ${outcomes.improvement} improved, ${outcomes.pass} pass on both, ${outcomes.fail} fail on both, ${outcomes.error} with errors`,
  );
  if (report.run.requests.reused > 0)
    lines.push(`  ${report.run.requests.reused} of ${report.run.requests.total} requests reused from cache/cassette`);
  if (report.run.interrupted) lines.push(c.yellow("  interrupted: the report covers only the cases that finished"));
  lines.push("");

  if (report.gate.rules.length > 0) {
    const table = new Table({
      head: ["gate rule", "baseline", "candidate", "delta", "95% CI", "p", "bound", "verdict"],
      style: { head: options.color ? ["bold"] : [], border: options.color ? ["grey"] : [] },
    });
    for (const rule of report.gate.rules) {
      const verdict =
        rule.verdict === "pass"
          ? c.green("pass")
          : rule.verdict === "fail"
            ? c.red.bold("FAIL")
            : rule.verdict === "skipped"
              ? c.dim("skipped")
              : c.yellow(rule.verdict === "inconclusive" ? "inconclusive" : "unknown");
      table.push([
        plainText(rule.metric),
        formatValue(rule.metric, rule.baseline),
        formatValue(rule.metric, rule.candidate),
        colourDelta(c, rule),
        formatInterval(rule.metric, rule.ci),
        formatPValue(rule.p_value),
        `${plainText(describeBound(rule.bound, rule.bound_text))}${rule.mode === "point" ? "" : ` (${rule.mode})`}`,
        rule.inconclusive && (rule.verdict === "pass" || rule.verdict === "fail") ? `${verdict} ${c.yellow("inconclusive")}` : verdict,
      ]);
    }
    lines.push(table.toString());
    const methods = [...new Set(report.gate.rules.map((rule) => rule.method.replace(/ \(.*?\)/g, "")).filter(Boolean))];
    if (methods.length > 0) lines.push(c.dim(`  intervals: ${methods.map((m) => plainText(m)).join("; ")}`));
    for (const rule of report.gate.rules.filter((r) => r.verdict !== "pass" || r.inconclusive)) {
      const mark = rule.verdict === "fail" ? c.red("✗") : rule.verdict === "skipped" ? c.dim("–") : c.yellow("?");
      lines.push(`  ${mark} ${plainText(rule.reason)}`);
    }
    lines.push("");
  }

  const regressions = report.cases.filter((testCase) => testCase.outcome === "regression");
  if (regressions.length > 0) {
    const max = options.maxCases ?? 20;
    lines.push(c.bold(`Regressions (${regressions.length})`));
    const checkIds = listCheckIds(report);
    for (const testCase of regressions.slice(0, max)) {
      const changes = regressingChecks(testCase, checkIds);
      const why = changes.map((change) => `${change.check}: ${truncate(plainText(change.candidate.reason), 100)}`).join("; ");
      const tags = testCase.tags.length > 0 ? c.dim(` [${plainText(testCase.tags.join(", "))}]`) : "";
      lines.push(`  ${c.red("↓")} ${plainText(testCase.id)}${tags}  ${why || "fails on the candidate"}`);
    }
    if (regressions.length > max) lines.push(`  … and ${regressions.length - max} more (see report.json)`);
    lines.push("");
  }
  const improvements = report.cases.filter((testCase) => testCase.outcome === "improvement");
  if (improvements.length > 0) {
    lines.push(
      `${c.bold(`Improvements (${improvements.length})`)}: ${improvements
        .slice(0, 10)
        .map((t) => plainText(t.id))
        .join(", ")}${improvements.length > 10 ? ", …" : ""}`,
    );
    lines.push("");
  }

  const segments = worstSegments(report.comparison);
  if (segments.length > 0) {
    lines.push(c.bold("Segments, worst first (pass rate)"));
    for (const segment of segments.slice(0, 8)) {
      const delta = segment.delta ?? 0;
      const text = `${formatValue(segment.metric, segment.baseline)} → ${formatValue(segment.metric, segment.candidate)} (${formatDelta(segment.metric, segment.delta)}, n=${segment.n})`;
      lines.push(`  ${plainText(segment.tag).padEnd(24)} ${delta < 0 ? c.red(text) : text}`);
    }
    lines.push("");
  }

  const falseFail = falseFailWarning(report.gate.false_fail_rate);
  for (const warning of [...report.run.warnings, ...(falseFail ? [falseFail] : [])]) lines.push(c.yellow(`warning: ${plainText(warning)}`));
  if (report.run.warnings.length > 0) lines.push("");

  for (const line of usageLines(report)) lines.push(c.dim(line));
  const cost = runCost(report);
  if (cost.total !== null)
    lines.push(c.dim(`cost of this run: ${formatUsd(cost.total)}${cost.unknown > 0 ? ` (+${cost.unknown} requests at unknown price)` : ""}`));
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

function colourDelta(c: InstanceType<typeof Chalk>, comparison: Comparison): string {
  const text = formatDelta(comparison.metric, comparison.delta, comparison.baseline);
  if (comparison.delta === null || comparison.delta === 0) return text;
  const worse = lowerIsBetter(comparison.metric) ? comparison.delta > 0 : comparison.delta < 0;
  return worse ? c.red(text) : c.green(text);
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
