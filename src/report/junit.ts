/**
 * JUnit XML for CI test reporters (GitHub Actions reporters, GitLab, Jenkins): a `gate` suite whose
 * failures are the failed gate rules, then one suite per check (`check.<id>`) with one testcase per case
 * holding the candidate's result. A testcase's time is the candidate's request latency.
 */
import type { CaseReport, CaseRun, GateRuleResult, RunReport, VariantInfo } from "../types.js";
import { describeVariant, gateVerdict, listCheckIds, type SideCheck, summarizeCheck, verdictSentence } from "./case-summary.js";
import { escapeXmlAttr, escapeXmlText } from "./escape.js";
import { describeBound, elapsedMs, formatDelta, formatInterval, formatPValue, formatValue, truncate } from "./format.js";

type Result = { kind: "pass" } | { kind: "failure" | "error"; type: string; message: string; detail: string } | { kind: "skipped"; message: string };

interface TestCase {
  name: string;
  classname: string;
  timeMs: number;
  result: Result;
  systemOut?: string;
}

interface Suite {
  name: string;
  cases: TestCase[];
  properties?: Array<[string, string]>;
}

const OUTPUT_CHARS = 2_000;
const MESSAGE_CHARS = 1_000;

/** Renders the run report as a JUnit XML document. */
export function renderJUnit(report: RunReport): string {
  const suites = [gateSuite(report), ...listCheckIds(report).map((check) => checkSuite(report, check))];
  const totals = suites.map(count);
  const sum = (key: keyof ReturnType<typeof count>) => totals.reduce((total, counts) => total + counts[key], 0);
  const wallClock = elapsedMs(report.run.started_at, report.run.finished_at) ?? sum("timeMs");
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="modelgate"${counts({ tests: sum("tests"), failures: sum("failures"), errors: sum("errors"), skipped: sum("skipped"), timeMs: wallClock })} timestamp="${escapeXmlAttr(report.run.started_at)}">`,
  ];
  for (const suite of suites) lines.push(...renderSuite(suite, report.run.started_at));
  lines.push("</testsuites>", "");
  return lines.join("\n");
}

function count(suite: Suite) {
  const of = (kind: Result["kind"]) => suite.cases.filter((testCase) => testCase.result.kind === kind).length;
  return {
    tests: suite.cases.length,
    failures: of("failure"),
    errors: of("error"),
    skipped: of("skipped"),
    timeMs: suite.cases.reduce((total, testCase) => total + testCase.timeMs, 0),
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function counts(totals: ReturnType<typeof count>): string {
  return ` tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${seconds(totals.timeMs)}"`;
}

function renderSuite(suite: Suite, timestamp: string): string[] {
  const lines = [`  <testsuite name="${escapeXmlAttr(suite.name)}"${counts(count(suite))} timestamp="${escapeXmlAttr(timestamp)}">`];
  if (suite.properties !== undefined && suite.properties.length > 0) {
    lines.push("    <properties>");
    for (const [name, value] of suite.properties) {
      lines.push(`      <property name="${escapeXmlAttr(name)}" value="${escapeXmlAttr(value)}"/>`);
    }
    lines.push("    </properties>");
  }
  for (const testCase of suite.cases) lines.push(renderCase(testCase));
  lines.push("  </testsuite>");
  return lines;
}

function renderCase(testCase: TestCase): string {
  const open = `    <testcase classname="${escapeXmlAttr(testCase.classname)}" name="${escapeXmlAttr(testCase.name)}" time="${seconds(testCase.timeMs)}"`;
  const body: string[] = [];
  const { result } = testCase;
  if (result.kind === "failure" || result.kind === "error") {
    body.push(
      `      <${result.kind} message="${escapeXmlAttr(truncate(result.message, MESSAGE_CHARS))}" type="${escapeXmlAttr(result.type)}">${escapeXmlText(result.detail)}</${result.kind}>`,
    );
  } else if (result.kind === "skipped") {
    body.push(`      <skipped message="${escapeXmlAttr(truncate(result.message, MESSAGE_CHARS))}"/>`);
  }
  if (testCase.systemOut !== undefined) body.push(`      <system-out>${escapeXmlText(testCase.systemOut)}</system-out>`);
  return body.length === 0 ? `${open}/>` : `${open}>\n${body.join("\n")}\n    </testcase>`;
}

// ------------------------------------------------------------------ gate

function gateSuite(report: RunReport): Suite {
  return {
    name: "gate",
    properties: [
      ["run.id", report.run.id],
      ["baseline", describeVariant(report.variants.baseline)],
      ["candidate", describeVariant(report.variants.candidate)],
      ["dataset.sha256", report.run.dataset.sha256],
      ["rubric.sha256", report.run.rubric.sha256],
      ["verdict", report.gate.verdict],
    ],
    cases: [...runCases(report), ...report.gate.rules.map((rule) => ruleCase(rule))],
  };
}

/**
 * What a CI reporter must not show green: a run that could not complete (gate verdict `error`) is an
 * <error>, an inconclusive gate a <failure> (it exits 4, not 0), an interrupted run an <error>, and a
 * failed gate with no failed rule a <failure>. A run that passed adds nothing here.
 */
function runCases(report: RunReport): TestCase[] {
  const cases: TestCase[] = [];
  const testCase = (name: string, result: Result): TestCase => ({ name, classname: "modelgate.run", timeMs: 0, result });
  const sentence = verdictSentence(report);
  const verdict = gateVerdict(report);
  if (verdict === "error") {
    cases.push(testCase("run completed", { kind: "error", type: "run", message: sentence, detail: report.gate.reason ?? sentence }));
  }
  if (report.run.interrupted) {
    const detail = `the run was interrupted: the report covers only the ${report.cases.length} cases that finished`;
    cases.push(testCase("run not interrupted", { kind: "error", type: "interrupted", message: detail, detail }));
  }
  if (verdict === "inconclusive") {
    cases.push(testCase("gate verdict", { kind: "failure", type: "inconclusive", message: sentence, detail: sentence }));
  }
  if (verdict === "fail" && !report.gate.rules.some((rule) => rule.verdict === "fail")) {
    cases.push(testCase("gate verdict", { kind: "failure", type: "gate", message: sentence, detail: sentence }));
  }
  return cases;
}

function ruleCase(rule: GateRuleResult): TestCase {
  const detail = describeRule(rule);
  const result: Result =
    rule.verdict === "pass"
      ? { kind: "pass" }
      : rule.verdict === "fail"
        ? { kind: "failure", type: "gate", message: rule.reason, detail }
        : rule.verdict === "skipped"
          ? { kind: "skipped", message: `skipped: ${rule.reason}` }
          : rule.verdict === "inconclusive"
            ? { kind: "skipped", message: `inconclusive: ${rule.reason}` }
            : { kind: "error", type: "gate", message: `unknown verdict: ${rule.reason}`, detail };
  return {
    name: `${rule.metric} ${describeBound(rule.bound, rule.bound_text)}`,
    classname: "modelgate.gate",
    timeMs: 0,
    result,
    ...(rule.verdict === "pass" ? { systemOut: detail } : {}),
  };
}

function describeRule(rule: GateRuleResult): string {
  return [
    `metric: ${rule.metric}`,
    `bound: ${describeBound(rule.bound, rule.bound_text)} (mode ${rule.mode})`,
    `baseline: ${formatValue(rule.metric, rule.baseline)}`,
    `candidate: ${formatValue(rule.metric, rule.candidate)}`,
    `delta: ${formatDelta(rule.metric, rule.delta, rule.baseline)}`,
    `95% CI: ${formatInterval(rule.metric, rule.ci)} (${rule.method}, n=${rule.n})`,
    `p: ${formatPValue(rule.p_value)}`,
    `verdict: ${rule.verdict}${rule.inconclusive ? " (inconclusive)" : ""}`,
    `reason: ${rule.reason}`,
  ].join("\n");
}

// ------------------------------------------------------------------ checks

function checkSuite(report: RunReport, check: string): Suite {
  return {
    name: `check.${check}`,
    cases: report.cases.map((testCase) => ({
      name: testCase.id,
      classname: `modelgate.${check}`,
      timeMs: testCase.candidate.reduce((total, run) => total + (run.latency_ms ?? 0), 0),
      result: checkResult(report, testCase, check),
    })),
  };
}

function checkResult(report: RunReport, testCase: CaseReport, check: string): Result {
  const baseline = summarizeCheck(testCase.baseline, check);
  const candidate = summarizeCheck(testCase.candidate, check);
  switch (candidate.status) {
    case "pass":
      return { kind: "pass" };
    case "skipped":
      return { kind: "skipped", message: candidate.reason };
    case "missing":
      // Not green when the run was cut short: the check never ran on this case.
      return report.run.interrupted
        ? {
            kind: "error",
            type: "interrupted",
            message: "not scored: the run was interrupted before this case finished",
            detail: `case: ${testCase.id}`,
          }
        : { kind: "skipped", message: "not scored" };
    case "fail":
    case "error": {
      const requestError = testCase.candidate.find((run) => run.error !== null)?.error;
      const type = candidate.status === "error" ? (requestError?.kind ?? "error") : baseline.status === "pass" ? "regression" : "fail";
      const detail = [
        `case: ${testCase.id}`,
        `tags: ${testCase.tags.join(", ") || "(none)"}`,
        `outcome: ${testCase.outcome}${testCase.flaky === true ? " (flaky)" : ""}`,
        "",
        ...describeSide("baseline", report.variants.baseline, baseline, testCase.baseline),
        "",
        ...describeSide("candidate", report.variants.candidate, candidate, testCase.candidate),
      ].join("\n");
      return { kind: candidate.status === "fail" ? "failure" : "error", type, message: candidate.reason, detail };
    }
  }
}

function describeSide(label: string, variant: VariantInfo, result: SideCheck, runs: CaseRun[]): string[] {
  const repeats = result.draws > 1 ? ` (${result.count}/${result.draws} repeats)` : "";
  const lines = [`${label} · ${describeVariant(variant)}: ${result.status}${repeats}: ${result.reason}`];
  const run = runs[0];
  if (run === undefined) return lines;
  if (run.error !== null) {
    lines.push(`  request failed: ${run.error.kind}: ${run.error.message}`);
    return lines;
  }
  const output = run.output === null ? "(none)" : run.output === "" ? "(empty)" : truncate(run.output, OUTPUT_CHARS);
  lines.push(`  output: ${output}`);
  for (const call of run.tool_calls) {
    const args = call.arguments === null ? (call.raw_arguments ?? "") : JSON.stringify(call.arguments);
    lines.push(`  tool call: ${call.name}(${truncate(args, OUTPUT_CHARS)})`);
  }
  return lines;
}
