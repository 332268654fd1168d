/**
 * The Markdown report: a PR comment or `$GITHUB_STEP_SUMMARY`. Verdict first, then the gate, the
 * regressing cases, improvements, errors and the run's provenance. Lists are capped so a run of
 * thousands of cases stays readable, and the whole text stays under GitHub's comment limit.
 */

import type { CaseRecord, CaseReport, CaseRun, GateRuleResult, RunReport, RunSummary, VariantInfo } from "../types.js";
import { canaryMarkdown } from "./canary-section.js";
import {
  type CheckChange,
  caseProblems,
  countOutcomes,
  gateVerdict,
  hasProblems,
  improvingChecks,
  listCheckIds,
  regressingChecks,
  runCost,
  verdictSentence,
} from "./case-summary.js";
import {
  describeBound,
  elapsedMs,
  formatDelta,
  formatDuration,
  formatInterval,
  formatPValue,
  formatUsd,
  formatValue,
  plural,
  shortHash,
  truncate,
} from "./format.js";
import { mdCode, mdFence, mdText } from "./markdown-escape.js";
import { describeChanges, diffDraws } from "./output-diff.js";
import { segmentParser, segmentRows } from "./segments.js";

export interface MarkdownOptions {
  /** where the full reports were written; named in the footer */
  reportDir?: string;
}

/** A report whose cases are records only needs a way to the full case, for the output excerpts. */
export type CaseDetail = (record: CaseRecord) => CaseReport;

/** GitHub rejects comments over 65,536 characters; stay well under with room for a bot's own header. */
export const MARKDOWN_MAX_CHARS = 60_000;

interface Limits {
  gateRules: number;
  regressions: number;
  excerpts: number;
  excerptChars: number;
  improvements: number;
  errors: number;
  warnings: number;
  checksPerCase: number;
  tags: number;
  idChars: number;
  reasonChars: number;
  segments: number;
}

// Tried in order until the text fits MARKDOWN_MAX_CHARS; every item is bounded, so the last one fits
// any report short of thousands of gate rules.
const LEVELS: Limits[] = [
  {
    gateRules: 60,
    regressions: 50,
    excerpts: 10,
    excerptChars: 800,
    improvements: 25,
    errors: 25,
    warnings: 20,
    checksPerCase: 3,
    tags: 6,
    idChars: 120,
    reasonChars: 300,
    segments: 40,
  },
  {
    gateRules: 40,
    regressions: 25,
    excerpts: 5,
    excerptChars: 400,
    improvements: 12,
    errors: 12,
    warnings: 10,
    checksPerCase: 2,
    tags: 4,
    idChars: 100,
    reasonChars: 200,
    segments: 25,
  },
  {
    gateRules: 30,
    regressions: 10,
    excerpts: 2,
    excerptChars: 200,
    improvements: 5,
    errors: 5,
    warnings: 5,
    checksPerCase: 1,
    tags: 3,
    idChars: 80,
    reasonChars: 120,
    segments: 12,
  },
  {
    gateRules: 20,
    regressions: 5,
    excerpts: 0,
    excerptChars: 0,
    improvements: 3,
    errors: 3,
    warnings: 3,
    checksPerCase: 1,
    tags: 2,
    idChars: 60,
    reasonChars: 80,
    segments: 6,
  },
];

/** Renders the run report as GitHub-flavoured Markdown, at most MARKDOWN_MAX_CHARS long. */
export function renderMarkdown(report: RunReport, options?: MarkdownOptions): string;
export function renderMarkdown(report: RunSummary, options: MarkdownOptions & { caseDetail: CaseDetail }): string;
export function renderMarkdown(report: RunSummary, options: MarkdownOptions & { caseDetail?: CaseDetail } = {}): string {
  // Each size level below shows the same first cases, so each is read (from the case log) once.
  const details = new Map<CaseRecord, CaseReport>();
  const lookup = options.caseDetail;
  const detail = (record: CaseRecord): CaseReport => {
    if (!lookup) return record as CaseReport; // the overloads: without a lookup the cases are full
    let full = details.get(record);
    if (!full) details.set(record, (full = lookup(record)));
    return full;
  };
  let text = "";
  for (const limits of LEVELS) {
    text = compose(report, options, limits, detail);
    if (text.length <= MARKDOWN_MAX_CHARS) return text;
  }
  // The smallest level has no <details> or code fences, so a cut between lines cannot leave one open.
  const cut = text.lastIndexOf("\n", MARKDOWN_MAX_CHARS - 200);
  return `${text.slice(0, cut)}\n\n_…report truncated to fit a comment; see report.json for everything._\n`;
}

interface Context {
  report: RunSummary;
  limits: Limits;
  checkIds: string[];
  detail: CaseDetail;
}

function compose(report: RunSummary, options: MarkdownOptions, limits: Limits, detail: CaseDetail): string {
  const context: Context = { report, limits, checkIds: listCheckIds(report), detail };
  const sections = [
    renderHeader(context),
    canaryMarkdown(report),
    renderGate(context),
    renderSegments(context),
    renderRegressions(context),
    renderImprovements(context),
    renderErrors(context),
    renderRun(context),
    options.reportDir === undefined ? [] : [`Full report: ${mdCode(options.reportDir)}`],
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")}\n`;
}

// ------------------------------------------------------------------ pieces

function id(context: Context, text: string, inTable = true): string {
  return mdCode(truncate(text, context.limits.idChars), { inTable });
}

function tagList(context: Context, tags: string[]): string {
  if (tags.length === 0) return "";
  const shown = tags.slice(0, context.limits.tags).map((tag) => mdCode(truncate(tag, 40), { inTable: true }));
  const more = tags.length - shown.length;
  return shown.join(" ") + (more > 0 ? ` +${more}` : "");
}

function reason(context: Context, text: string): string {
  return mdText(truncate(text, context.limits.reasonChars));
}

function moreLine(hidden: number, noun: string): string[] {
  return hidden > 0 ? ["", `_…and ${plural(hidden, `more ${noun}`)} — see report.html or report.json._`] : [];
}

function variantModel(variant: VariantInfo): string {
  return mdCode(`${variant.provider}:${variant.model}`, { inTable: true });
}

// ------------------------------------------------------------------ sections

function renderHeader({ report }: Context): string[] {
  const icon = { pass: "✅", fail: "❌", inconclusive: "⚠️", error: "⛔" }[gateVerdict(report)];
  const { baseline, candidate } = report.variants;
  const outcomes = countOutcomes(report);
  const errors = report.cases.filter(hasProblems).length;
  const flaky = report.cases.filter((testCase) => testCase.flaky === true).length;
  const repeat = report.run.repeat > 1 ? ` × ${mdText(String(report.run.repeat))} repeats` : "";
  const facts = [
    `**${mdText(baseline.name)}** (${variantModel(baseline)}) → **${mdText(candidate.name)}** (${variantModel(candidate)})`,
    `${plural(report.cases.length, "case")}${repeat}`,
    outcomes.regression > 0 ? `**${plural(outcomes.regression, "regression")}**` : "0 regressions",
    plural(outcomes.improvement, "improvement"),
    plural(errors, "case with errors", "cases with errors"),
  ];
  if (flaky > 0) facts.push(plural(flaky, "flaky case"));
  const lines = [`## ${icon} modelgate: ${mdText(verdictSentence(report))}`, "", facts.join(" · ")];
  if (gateVerdict(report) === "error") {
    lines.push("", "> [!CAUTION]", "> The run could not complete: this report is no verdict on the candidate.");
  }
  if (report.run.interrupted) {
    lines.push("", "> [!WARNING]", "> The run was interrupted: these results cover only the cases that finished.");
  }
  return lines;
}

const RULE_CELLS: Record<string, string> = { pass: "✅ pass", fail: "❌ **fail**", inconclusive: "⚠️ inconclusive", skipped: "➖ skipped" };

function verdictCell(rule: GateRuleResult): string {
  const verdict = RULE_CELLS[rule.verdict] ?? "❔ unknown";
  return rule.inconclusive && (rule.verdict === "pass" || rule.verdict === "fail") ? `${verdict} · ⚠️ inconclusive` : verdict;
}

function renderGate(context: Context): string[] {
  const rules = context.report.gate.rules;
  if (rules.length === 0) return ["### Gate", "", "_No gate rules were defined._"];
  // When capped, the failed and inconclusive rules are the ones worth the space.
  const ordered = rules.length > context.limits.gateRules ? [...rules].sort((a, b) => rank(a) - rank(b)).slice(0, context.limits.gateRules) : rules;
  const lines = [
    "### Gate",
    "",
    "| metric | baseline | candidate | delta | 95% CI | p | bound | mode | verdict |",
    "| --- | ---: | ---: | ---: | --- | ---: | --- | --- | --- |",
  ];
  for (const rule of ordered) {
    const cells = [
      mdCode(rule.metric, { inTable: true }),
      formatValue(rule.metric, rule.baseline),
      formatValue(rule.metric, rule.candidate),
      formatDelta(rule.metric, rule.delta, rule.baseline),
      formatInterval(rule.metric, rule.ci),
      formatPValue(rule.p_value),
      mdText(describeBound(rule.bound, rule.bound_text)),
      mdText(rule.mode),
      verdictCell(rule),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  lines.push(...moreLine(rules.length - ordered.length, "passing rule"));
  const explained = ordered.filter((rule) => rule.verdict !== "pass" || rule.inconclusive);
  if (explained.length > 0) {
    lines.push("");
    for (const rule of explained) {
      const icon = rule.verdict === "fail" ? "❌" : rule.verdict === "skipped" ? "➖" : "⚠️";
      lines.push(`- ${icon} ${mdCode(rule.metric)}: ${reason(context, rule.reason)}`);
    }
  }
  const methods = ordered.filter((rule) => rule.method);
  if (methods.length > 0) {
    lines.push("", "<details>", "<summary>How each interval and p-value was computed</summary>", "");
    for (const rule of methods) lines.push(`- ${mdCode(rule.metric)}: ${mdText(rule.method)} (n=${mdText(String(rule.n))})`);
    lines.push("", "</details>");
  }
  return lines;
}

function renderSegments(context: Context): string[] {
  const rows = segmentRows(context.report);
  if (rows.length === 0) return [];
  const segmentOf = segmentParser(context.report);
  const shown = rows.slice(0, context.limits.segments);
  const lines = [
    `### Segments (${rows.length}, worst first)`,
    "",
    "| segment | n | baseline | candidate | delta | 95% CI | regressions | gate rules on it |",
    "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
  ];
  for (const row of shown) {
    const rules = row.rules
      .map(
        (rule) =>
          `${mdCode(`${segmentOf(rule.metric)?.metric ?? rule.metric} ${describeBound(rule.bound, rule.bound_text)}`, { inTable: true })} ${RULE_CELLS[rule.verdict] ?? "❔ unknown"}`,
      )
      .join(" · ");
    const delta = formatDelta("pass_rate", row.delta);
    const cells = [
      mdCode(truncate(row.tag, 60), { inTable: true }),
      String(row.n),
      formatValue("pass_rate", row.baseline),
      formatValue("pass_rate", row.candidate),
      row.delta !== null && row.delta < 0 ? `**${delta}**` : delta,
      formatInterval("pass_rate", row.ci),
      row.regressions > 0 ? `**${row.regressions}**` : "0",
      rules || "—",
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  lines.push(...moreLine(rows.length - shown.length, "segment"));
  return lines;
}

function rank(rule: GateRuleResult): number {
  return rule.verdict === "fail" ? 0 : rule.verdict === "inconclusive" || rule.inconclusive ? 1 : rule.verdict === "skipped" ? 2 : 3;
}

function changeCells(context: Context, changes: CheckChange[], side: "baseline" | "candidate"): [string, string] {
  const shown = changes.slice(0, context.limits.checksPerCase);
  const more = changes.length - shown.length;
  const checks = shown.map((change) => mdCode(change.check, { inTable: true }));
  const reasons = shown.map((change) => {
    const result = change[side];
    const repeats = result.draws > 1 ? ` (${result.count}/${result.draws} repeats)` : "";
    const status = result.status === "error" ? "error: " : "";
    return status + reason(context, result.reason) + repeats;
  });
  if (more > 0) checks.push(`+${more} more`);
  return [checks.join("<br>") || "—", reasons.join("<br>") || "—"];
}

function renderRegressions(context: Context): string[] {
  const regressions = context.report.cases.filter((testCase) => testCase.outcome === "regression");
  if (regressions.length === 0) return ["### Regressions", "", "None: no case passes on the baseline and fails on the candidate."];
  const shown = regressions.slice(0, context.limits.regressions);
  const lines = [
    `### Regressions (${regressions.length})`,
    "",
    "| case | tags | failing check | reason (candidate) | what changed |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const testCase of shown) {
    const [checks, reasons] = changeCells(context, regressingChecks(testCase, context.checkIds), "candidate");
    lines.push(`| ${id(context, testCase.id)} | ${tagList(context, testCase.tags)} | ${checks} | ${reasons} | ${changeSummary(context, testCase)} |`);
  }
  lines.push(...moreLine(regressions.length - shown.length, "regression"));
  lines.push(...renderExcerpts(context, regressions));
  return lines;
}

/** The first draw pair's changes, compact: `issue_refund: amount: 20 → 25` (tool calls, JSON keys, words). */
function changeLines(context: Context, record: CaseRecord, max: number): string[] {
  const testCase = context.detail(record);
  return describeChanges(diffDraws(testCase.baseline[0], testCase.candidate[0]), max).map((line) => truncate(line, context.limits.reasonChars));
}

function changeSummary(context: Context, record: CaseRecord): string {
  const lines = changeLines(context, record, context.limits.checksPerCase);
  return lines.length === 0 ? "—" : lines.map((line) => mdCode(line, { inTable: true })).join(" · ");
}

function drawExcerpt(run: CaseRun | undefined, max: number): string {
  if (run === undefined) return "(no result)";
  if (run.error !== null) return truncate(`[request failed: ${run.error.kind}] ${run.error.message}`, max);
  const parts: string[] = [];
  if (run.output !== null && run.output !== "") parts.push(run.output);
  for (const call of run.tool_calls) {
    const args = call.arguments === null ? (call.raw_arguments ?? "") : JSON.stringify(call.arguments);
    parts.push(`→ tool call ${call.name}(${args})`);
  }
  return truncate(parts.length > 0 ? parts.join("\n") : "(empty output)", max);
}

/** A production request's line (SPEC §9): when and where it was captured, and its tags. */
function trafficOrigin(traffic: { ts: string; source?: string }, tags: string[]): string {
  const parts = [`captured ${mdCode(traffic.ts)}`];
  if (traffic.source) parts.push(`from ${mdCode(traffic.source)}`);
  if (tags.length > 0) parts.push(`tags ${tags.map((tag) => mdCode(tag)).join(", ")}`);
  return `Traffic: ${parts.join(" · ")}`;
}

function renderExcerpts(context: Context, regressions: CaseRecord[]): string[] {
  const shown = regressions.slice(0, context.limits.excerpts);
  if (shown.length === 0) return [];
  const { baseline, candidate } = context.report.variants;
  const of = regressions.length > shown.length ? ` (first ${shown.length} of ${regressions.length})` : "";
  const lines = ["", "<details>", `<summary>Baseline vs candidate outputs${of}</summary>`];
  for (const record of shown) {
    const testCase = context.detail(record);
    const changes = regressingChecks(testCase, context.checkIds).slice(0, context.limits.checksPerCase);
    lines.push("", `#### ${id(context, testCase.id, false)}`, "");
    if (testCase.traffic) lines.push(trafficOrigin(testCase.traffic, testCase.tags), "");
    for (const change of changes) {
      lines.push(
        `- ${mdCode(change.check)}: baseline ${change.baseline.status} → candidate **${change.candidate.status}**: ${reason(context, change.candidate.reason)}`,
      );
    }
    const changed = changeLines(context, record, 8);
    if (changed.length > 0)
      lines.push("", "What changed (tool calls by argument, JSON by key, text by words):", "", ...changed.map((line) => `- ${mdCode(line)}`));
    lines.push(
      "",
      `**Baseline** · ${mdText(baseline.name)}`,
      "",
      mdFence(drawExcerpt(testCase.baseline[0], context.limits.excerptChars)),
      "",
      `**Candidate** · ${mdText(candidate.name)}`,
      "",
      mdFence(drawExcerpt(testCase.candidate[0], context.limits.excerptChars)),
    );
  }
  lines.push("", "</details>");
  return lines;
}

function renderImprovements(context: Context): string[] {
  const improvements = context.report.cases.filter((testCase) => testCase.outcome === "improvement");
  if (improvements.length === 0) return [];
  const shown = improvements.slice(0, context.limits.improvements);
  const lines = [`### Improvements (${improvements.length})`, "", "| case | tags | now passing | reason (candidate) |", "| --- | --- | --- | --- |"];
  for (const testCase of shown) {
    const [checks, reasons] = changeCells(context, improvingChecks(testCase, context.checkIds), "candidate");
    lines.push(`| ${id(context, testCase.id)} | ${tagList(context, testCase.tags)} | ${checks} | ${reasons} |`);
  }
  lines.push(...moreLine(improvements.length - shown.length, "improvement"));
  return lines;
}

function renderErrors(context: Context): string[] {
  const failing = context.report.cases.filter(hasProblems);
  if (failing.length === 0) return [];
  const shown = failing.slice(0, context.limits.errors);
  const lines = [
    `### Errors (${plural(failing.length, "case")})`,
    "",
    "Not scored, so neither a pass nor a fail: failed requests and checks that could not run.",
    "",
    "| case | side | where | error |",
    "| --- | --- | --- | --- |",
  ];
  for (const testCase of shown) {
    const problems = caseProblems(testCase);
    if (problems.length === 0) {
      lines.push(`| ${id(context, testCase.id)} | — | — | outcome: error |`);
      continue;
    }
    const visible = problems.slice(0, context.limits.checksPerCase);
    const more = problems.length - visible.length;
    const repeat = (repeatIndex: number) => (context.report.run.repeat > 1 ? ` #${repeatIndex + 1}` : "");
    lines.push(
      `| ${id(context, testCase.id)} | ${visible.map((p) => p.side + repeat(p.repeat)).join("<br>")} | ${visible
        .map((p) => mdText(p.where))
        .join("<br>")} | ${visible
        .map((p) => `${mdCode(p.kind, { inTable: true })} ${reason(context, p.message)}`)
        .join("<br>")}${more > 0 ? `<br>+${more} more` : ""} |`,
    );
  }
  lines.push(...moreLine(failing.length - shown.length, "case"));
  return lines;
}

function renderRun(context: Context): string[] {
  const { report } = context;
  const { run } = report;
  const variants: VariantInfo[] = [report.variants.baseline, report.variants.candidate];
  if (report.variants.judge) variants.push(report.variants.judge);
  const header = ["", "baseline", "candidate", ...(report.variants.judge ? ["judge"] : [])];
  const row = (label: string, cell: (variant: VariantInfo) => string) =>
    `| ${label} | ${variants.map((variant) => cell(variant) || "—").join(" | ")} |`;
  const lines = [
    "### Run",
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    row("variant", (variant) => mdText(truncate(variant.name, 80))),
    row("model", variantModel),
  ];
  if (variants.some((variant) => variant.base_url_host !== undefined)) {
    lines.push(row("endpoint", (variant) => (variant.base_url_host === undefined ? "" : mdCode(variant.base_url_host, { inTable: true }))));
  }
  lines.push(
    row("prompt sha256", (variant) =>
      variant.prompt_sha256 === null
        ? "none"
        : `${mdCode(shortHash(variant.prompt_sha256), { inTable: true })}${
            variant.prompt_path === undefined ? "" : ` ${mdCode(truncate(variant.prompt_path, 80), { inTable: true })}`
          }`,
    ),
    row("params", (variant) =>
      Object.keys(variant.params).length === 0 ? "" : mdCode(truncate(JSON.stringify(variant.params), 160), { inTable: true }),
    ),
    "",
  );
  const elapsed = elapsedMs(run.started_at, run.finished_at);
  const cost = runCost(report);
  const reusedShare = run.requests.total > 0 ? ` (${Math.round((run.requests.reused / run.requests.total) * 100)}%)` : "";
  const costParts = [`${formatUsd(cost.total)}`, `baseline ${formatUsd(cost.baseline)} · candidate ${formatUsd(cost.candidate)}`];
  const unknown = cost.unknown > 0 ? ` · ${plural(cost.unknown, "request")} with unknown price not counted` : "";
  lines.push(
    `- **Dataset** ${mdCode(run.dataset.path)} · sha256 ${mdCode(shortHash(run.dataset.sha256))}`,
    `- **Rubric** ${mdCode(run.rubric.path)} · sha256 ${mdCode(shortHash(run.rubric.sha256))}`,
    `- **Run** ${mdCode(run.id)} · started ${mdText(run.started_at)}${elapsed === null ? "" : ` · took ${formatDuration(elapsed)}`} · modelgate ${mdText(run.modelgate_version)}`,
    `- **Requests** ${run.requests.total.toLocaleString("en-US")} · ${run.requests.reused.toLocaleString("en-US")} reused${reusedShare}`,
    `- **Cost of model calls** ${costParts[0]} (${costParts[1]})${unknown}`,
  );
  const warnings = run.warnings;
  if (warnings.length > 0) {
    const shown = warnings.slice(0, context.limits.warnings);
    lines.push("", `#### Warnings (${warnings.length})`, "");
    for (const warning of shown) lines.push(`- ⚠️ ${reason(context, warning)}`);
    lines.push(...moreLine(warnings.length - shown.length, "warning"));
  }
  return lines;
}
