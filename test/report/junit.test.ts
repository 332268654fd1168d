import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { stripInvalidXmlChars } from "../../src/report/escape.js";
import { renderJUnit } from "../../src/report/junit.js";
import { loadSmallReport, makeCaseReport, makeCaseRun, makeCheckResult, makeLargeReport, makeReport } from "../support/make-report.js";

interface TestCaseXml {
  "@_name": string;
  "@_classname": string;
  "@_time": string;
  failure?: { "@_message": string; "@_type": string; "#text"?: string };
  error?: { "@_message": string; "@_type": string; "#text"?: string };
  skipped?: { "@_message"?: string } | "";
}

interface SuiteXml {
  "@_name": string;
  "@_tests": string;
  "@_failures": string;
  "@_errors": string;
  "@_skipped": string;
  "@_time": string;
  testcase?: TestCaseXml[];
}

interface Parsed {
  testsuites: SuiteXml & { testsuite: SuiteXml[] };
}

function parse(xml: string): Parsed {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (name) => name === "testsuite" || name === "testcase" || name === "property",
  });
  return parser.parse(xml) as Parsed;
}

function suite(parsed: Parsed, name: string): SuiteXml {
  const found = parsed.testsuites.testsuite.find((candidate) => candidate["@_name"] === name);
  if (found === undefined) throw new Error(`no suite ${name}`);
  return found;
}

function testcase(parsed: Parsed, suiteName: string, name: string): TestCaseXml {
  const found = suite(parsed, suiteName).testcase?.find((candidate) => candidate["@_name"] === name);
  if (found === undefined) throw new Error(`no testcase ${name} in ${suiteName}`);
  return found;
}

describe("renderJUnit", () => {
  const report = loadSmallReport();
  const xml = renderJUnit(report);
  const parsed = parse(xml);

  test("matches the golden file for the small fixture", async () => {
    await expect(xml).toMatchFileSnapshot("./__snapshots__/report-small.junit.xml");
  });

  test("has a gate suite and one suite per check", () => {
    expect(parsed.testsuites.testsuite.map((s) => s["@_name"])).toEqual(["gate", "check.format", "check.tools", "check.helpful", "check.no-refusal"]);
  });

  test("counts add up in every suite and at the root", () => {
    let totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const s of parsed.testsuites.testsuite) {
      const cases = s.testcase ?? [];
      const counts = {
        tests: cases.length,
        failures: cases.filter((c) => c.failure !== undefined).length,
        errors: cases.filter((c) => c.error !== undefined).length,
        skipped: cases.filter((c) => c.skipped !== undefined).length,
      };
      expect({
        tests: Number(s["@_tests"]),
        failures: Number(s["@_failures"]),
        errors: Number(s["@_errors"]),
        skipped: Number(s["@_skipped"]),
      }).toEqual(counts);
      const time = cases.reduce((sum, c) => sum + Number(c["@_time"]), 0);
      expect(Number(s["@_time"])).toBeCloseTo(time, 2);
      totals = {
        tests: totals.tests + counts.tests,
        failures: totals.failures + counts.failures,
        errors: totals.errors + counts.errors,
        skipped: totals.skipped + counts.skipped,
      };
    }
    const root = parsed.testsuites;
    expect({
      tests: Number(root["@_tests"]),
      failures: Number(root["@_failures"]),
      errors: Number(root["@_errors"]),
      skipped: Number(root["@_skipped"]),
    }).toEqual(totals);
    expect(totals).toEqual({ tests: 7 + 4 * 6, failures: 2 + 2 + 1 + 1 + 1, errors: 4, skipped: 8 });
    // the root time is the run's wall clock
    expect(Number(root["@_time"])).toBeCloseTo(72.48, 3);
  });

  test("failed gate rules are failures whose message is the rule's reason", () => {
    const gate = suite(parsed, "gate");
    const failures = (gate.testcase ?? []).filter((c) => c.failure !== undefined);
    const failedRules = report.gate.rules.filter((rule) => rule.verdict === "fail");
    expect(failures.map((c) => c.failure?.["@_message"])).toEqual(failedRules.map((rule) => rule.reason));
    expect(failures.map((c) => c["@_name"])).toEqual(["quality.score max_drop 0.02", "tools.pass_rate max_drop 0.01"]);
  });

  test.each([
    { suite: "check.tools", name: "refund-001", kind: "failure", type: "regression" },
    { suite: "check.format", name: "extract-044", kind: "failure", type: "fail" },
    { suite: "check.tools", name: "lookup-030", kind: "error", type: "rate_limit" },
    { suite: "check.helpful", name: "extract-044", kind: "error", type: "error" },
    { suite: "check.format", name: "refund-001", kind: "skipped", type: undefined },
    { suite: "check.helpful", name: "summarize-012", kind: "pass", type: undefined },
  ])("$suite / $name is $kind", ({ suite: suiteName, name, kind, type }) => {
    const c = testcase(parsed, suiteName, name);
    expect(c["@_classname"]).toBe(`modelgate.${suiteName.slice("check.".length)}`);
    if (kind === "pass") {
      expect(c.failure ?? c.error ?? c.skipped).toBeUndefined();
    } else if (kind === "skipped") {
      expect(c.skipped).toBeDefined();
    } else {
      const element = kind === "failure" ? c.failure : c.error;
      expect(element?.["@_type"]).toBe(type);
    }
  });

  test("a failure carries the candidate's reason and baseline-vs-candidate detail", () => {
    const c = testcase(parsed, "check.tools", "refund-001");
    expect(c.failure?.["@_message"]).toBe('expected issue_refund(order_id="A-1234") | got no tool calls');
    expect(c.failure?.["#text"]).toContain("baseline · stable");
    expect(c.failure?.["#text"]).toContain('issue_refund({"order_id":"A-1234","reason":"arrived broken"})');
    expect(c.failure?.["#text"]).toContain("I can't process refunds directly");
    expect(Number(c["@_time"])).toBeCloseTo(1.63, 3);
  });

  test("case ids with markup round-trip as text", () => {
    expect(testcase(parsed, "check.helpful", "faq-<b>shipping</b>")).toBeDefined();
    expect(xml).not.toContain("<b>");
  });

  test("strips characters XML 1.0 forbids and keeps everything else", () => {
    const hostile = "nul\u0000 bell\u0007 esc\u001b[0m vt\u000b ff\u000c lone\uD800 low\uDC00 nonchar\uFFFE\uFFFF ok😀 tab\tnewline\n";
    const xmlWithControls = renderJUnit(
      makeReport({
        cases: [
          makeCaseReport({
            id: `id-${hostile}`,
            outcome: "regression",
            candidate: [
              makeCaseRun({
                output: hostile,
                checks: { format: makeCheckResult({ status: "fail", score: 0, reason: hostile }), helpful: makeCheckResult() },
              }),
            ],
          }),
        ],
        run: { id: hostile },
      }),
    );
    expect(xmlWithControls).toBe(stripInvalidXmlChars(xmlWithControls));
    expect(xmlWithControls.isWellFormed()).toBe(true); // no lone surrogates
    const forbidden = [...xmlWithControls].filter((char) => {
      const code = char.codePointAt(0) ?? 0;
      return (code < 0x20 && char !== "\t" && char !== "\n" && char !== "\r") || code === 0xfffe || code === 0xffff;
    });
    expect(forbidden).toEqual([]);
    const parsedControls = parse(xmlWithControls);
    const only = suite(parsedControls, "check.format").testcase?.[0];
    expect(only?.["@_name"]).toMatch(/^id-nul bell esc\[0m vt ff lone low nonchar ok😀 tab/);
    expect(only?.failure?.["@_message"]).toContain("ok😀");
  });

  test.each([
    { input: "a\u0000b", expected: "ab" },
    { input: "tab\tnl\ncr\r", expected: "tab\tnl\ncr\r" },
    { input: "pair😀", expected: "pair😀" },
    { input: "lone\uD83D", expected: "lone" },
    { input: "\uDE00lone", expected: "lone" },
    { input: "x\uFFFEy\uFFFFz", expected: "xyz" },
  ])("stripInvalidXmlChars($input)", ({ input, expected }) => {
    expect(stripInvalidXmlChars(input)).toBe(expected);
  });

  test("5,000 cases parse with the right totals", () => {
    const large = makeLargeReport(5_000);
    const parsedLarge = parse(renderJUnit(large));
    const formatSuite = suite(parsedLarge, "check.format");
    const failing = large.cases.filter((c) => c.candidate.some((run) => run.checks.format?.status === "fail")).length;
    expect(Number(formatSuite["@_tests"])).toBe(5_000);
    expect(Number(formatSuite["@_failures"])).toBe(failing);
    expect(Number(parsedLarge.testsuites["@_tests"])).toBe(2 + 2 * 5_000);
  });
});
