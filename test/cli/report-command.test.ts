import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { DEMO_CASE_EXPECTATIONS } from "../../scripts/demo-responder.js";
import type { CaseReport, RunReport } from "../../src/types.js";
import { makeCaseReport, makeCaseRun, makeGateRule, makeReport } from "../support/make-report.js";
import { makeProject, runModelgate } from "../support/run-cli.js";

/*
 * `modelgate report <run.json>`: a saved run re-rendered without calling any model, exiting by its saved
 * verdict. The saved run is a real one: the bundled demo, replayed from its cassette.
 */

const repoRoot = resolve(import.meta.dirname, "../..");
// No keys (runModelgate passes only the env it is given) and no base URLs: nothing could be called.
const offline = { OPENAI_BASE_URL: undefined, ANTHROPIC_BASE_URL: undefined };

let evalDir: string;

beforeAll(async () => {
  evalDir = mkdtempSync(join(tmpdir(), "modelgate-report-eval-"));
  const result = await runModelgate(
    [
      "eval",
      "--baseline",
      "stable",
      "--candidate",
      "canary",
      "--replay",
      "datasets/demo.cassette.jsonl",
      "--format",
      "json,html,junit",
      "--out",
      evalDir,
    ],
    { cwd: repoRoot, env: offline },
  );
  expect(result.exitCode).toBe(1);
});

afterEach(() => {
  vi.restoreAllMocks();
});

test("re-renders a saved run into a new folder, prints the table, exits 1 on its failed gate, and calls nothing", async () => {
  const fetchSpy = vi.spyOn(globalThis, "fetch");
  const out = join(mkdtempSync(join(tmpdir(), "modelgate-report-")), "rerendered");
  const result = await runModelgate(["report", join(evalDir, "report.json"), "--format", "md,html,junit", "--out", out], {
    cwd: repoRoot,
    env: offline,
  });

  expect(result.stderr).not.toMatch(/error|crashed/);
  expect(result.exitCode).toBe(1);
  expect(fetchSpy).not.toHaveBeenCalled();
  expect(readdirSync(out).sort()).toEqual(["junit.xml", "report.html", "report.md"]);
  // Every renderer is a pure function of report.json: the same bytes as the run itself wrote.
  for (const file of ["report.html", "junit.xml"]) expect(readFileSync(join(out, file), "utf8")).toBe(readFileSync(join(evalDir, file), "utf8"));
  expect(readFileSync(join(out, "report.md"), "utf8")).toMatch(/^## .*modelgate/);
  // The terminal table: the gate rules, the regressing cases, the verdict, where to look next.
  expect(result.stdout).toContain("gate rule");
  for (const id of DEMO_CASE_EXPECTATIONS.regressions) expect(result.stdout).toContain(id);
  expect(result.stdout).toMatch(/NOT safe to roll out/);
  expect(result.stdout).toContain("report.html");
  expect(result.stderr).toMatch(/reports written to .*\(report\.md, report\.html, junit\.xml\)/);
});

test("defaults: writes report.md and report.html next to run.json, and exits 0 on a passing verdict", async () => {
  const dir = makeProject({ "run.json": makeReport() });
  const result = await runModelgate(["report", "run.json", "--no-color"], { cwd: dir, env: offline });
  expect(result.stderr).not.toMatch(/error|crashed/);
  expect(result.exitCode).toBe(0);
  expect(readdirSync(dir).sort()).toEqual(["report.html", "report.md", "run.json"]);
  expect(result.stdout).toContain("gate rule");
  expect(result.stdout).not.toMatch(/\u001b\[/);
});

test("--quiet prints nothing; the exit code still carries the verdict", async () => {
  const dir = makeProject({ "report.json": JSON.parse(readFileSync(join(evalDir, "report.json"), "utf8")) });
  const result = await runModelgate(["report", "report.json", "--format", "junit", "--quiet"], { cwd: dir, env: offline });
  expect(result).toMatchObject({ exitCode: 1, stdout: "", stderr: "" });
  expect(existsSync(join(dir, "junit.xml"))).toBe(true);
});

test("--format md appends the Markdown to $GITHUB_STEP_SUMMARY, as eval does", async () => {
  const dir = makeProject({ "run.json": makeReport(), "summary.md": "earlier step\n" });
  const summary = join(dir, "summary.md");
  const result = await runModelgate(["report", "run.json", "--format", "md"], { cwd: dir, env: { ...offline, GITHUB_STEP_SUMMARY: summary } });
  expect(result.exitCode).toBe(0);
  expect(readFileSync(summary, "utf8")).toBe(`earlier step\n${readFileSync(join(dir, "report.md"), "utf8")}\n`);
});

describe("a file that is not a modelgate report is exit 2, naming the file, and nothing is written", () => {
  test.each([
    { name: "another JSON file", content: JSON.stringify({ name: "my-app", version: "1.0.0" }), expect: /run\.json: not a modelgate report/ },
    { name: "not JSON at all", content: "<html></html>", expect: /run\.json: not a modelgate report: not valid JSON/ },
    { name: "a JSON array", content: "[1, 2]", expect: /run\.json: not a modelgate report/ },
    { name: "another schema version", content: JSON.stringify({ ...makeReport(), schema_version: 2 }), expect: /run\.json: .*schema_version 2/ },
    {
      name: "a truncated report",
      content: JSON.stringify({ schema_version: 1, run: { id: "x" } }),
      expect: /invalid report: 17 problems\n[\s\S]*run\.json: gate: missing[\s\S]*run\.json: run\.requests: missing; required by the report schema/,
    },
    {
      name: "a bad verdict",
      content: JSON.stringify({ ...makeReport(), gate: { verdict: "maybe", rules: [] } }),
      expect: /run\.json: gate\.verdict: expected one of "pass", "fail", "inconclusive", "error"/,
    },
  ])("$name", async (row) => {
    const dir = makeProject({ "run.json": row.content });
    const result = await runModelgate(["report", "run.json", "--format", "md,html,junit"], { cwd: dir, env: offline });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(row.expect);
    expect(result.stderr).not.toMatch(/crashed|\n\s+at /);
    expect(readdirSync(dir)).toEqual(["run.json"]);
  });

  test("a missing file", async () => {
    const dir = makeProject({});
    const result = await runModelgate(["report", "nowhere.json"], { cwd: dir, env: offline });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/nowhere\.json: cannot read the report: file not found/);
  });
});

test("an unknown --format is a usage error listing the known ones", async () => {
  const dir = makeProject({ "run.json": makeReport() });
  const result = await runModelgate(["report", "run.json", "--format", "pdf"], { cwd: dir, env: offline });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toMatch(/unknown format "pdf"; expected any of table,json,md,html,junit/);
});

describe("exits by the saved verdict, and every format says what it was (SPEC §8)", () => {
  const skipped = makeGateRule({ metric: "segment.tenant:acme.pass_rate", verdict: "skipped", reason: "no selected case carries tenant:acme" });
  test.each([
    {
      verdict: "pass",
      exit: 0,
      rules: [makeGateRule(), skipped],
      junit: /<testsuite name="gate" tests="2" failures="0" errors="0" skipped="1"/,
      md: /candidate safe to roll out — 1 of 2 gate rules passed \(1 skipped/,
    },
    {
      verdict: "inconclusive",
      exit: 4,
      rules: [makeGateRule({ verdict: "inconclusive", inconclusive: true, reason: "the interval straddles the bound" })],
      junit: /<failure message="not enough evidence to decide[^"]*" type="inconclusive">/,
      md: /## ⚠️ modelgate: not enough evidence to decide — 1 of 1 gate rule inconclusive/,
    },
    {
      verdict: "error",
      exit: 3,
      rules: [makeGateRule()],
      reason: "the candidate's endpoint answered 401 to every request: check OPENAI_API_KEY",
      junit:
        /<testcase classname="modelgate\.run" name="run completed" time="0\.000">\n\s+<error message="the run could not complete — the candidate&apos;s endpoint answered 401/,
      md: /## ⛔ modelgate: the run could not complete — the candidate's endpoint answered 401[^\n]*no verdict on the candidate/,
    },
  ])("$verdict → exit $exit", async (row) => {
    const report = makeReport({
      gate: { verdict: row.verdict as RunReport["gate"]["verdict"], rules: row.rules, ...(row.reason ? { reason: row.reason } : {}) },
    });
    const dir = makeProject({ "run.json": report });
    const result = await runModelgate(["report", "run.json", "--format", "table,md,html,junit", "--no-color"], { cwd: dir, env: offline });
    expect(result.stderr).not.toMatch(/error:|crashed/);
    expect(result.exitCode).toBe(row.exit);
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toMatch(row.junit);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toMatch(row.md);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain(`data-verdict="${row.verdict}"`);
    if (row.verdict !== "fail") expect(result.stdout + html).not.toMatch(/NOT safe/);
    if (row.verdict === "pass") expect(html).toMatch(/<span class="badge skipped">– skipped<\/span>/);
  });

  test("an interrupted run is not green in JUnit: the run and the unscored checks are errors", async () => {
    const finished = makeCaseReport({ id: "done" });
    const unscored = makeCaseReport({ id: "cut", baseline: [], candidate: [] });
    const dir = makeProject({ "run.json": makeReport({ run: { interrupted: true }, cases: [finished, unscored] }) });
    const result = await runModelgate(["report", "run.json", "--format", "junit", "--quiet"], { cwd: dir, env: offline });
    expect(result.exitCode).toBe(0);
    const xml = readFileSync(join(dir, "junit.xml"), "utf8");
    expect(xml).toMatch(/<testcase classname="modelgate\.run" name="run not interrupted"[^>]*>\n\s+<error [^>]*type="interrupted"/);
    expect(xml).toMatch(/<testcase classname="modelgate\.format" name="cut"[^>]*>\n\s+<error message="not scored: the run was interrupted/);
    expect(xml).not.toMatch(/<testsuites [^>]*errors="0"/);
  });
});

describe("a crafted report.json is checked against the report schema before anything is written", () => {
  test("every problem, with its JSON path, and the line of a case", async () => {
    const report = makeReport();
    const bad = {
      ...report,
      run: { ...report.run, repeat: "2", warnings: [7] },
      variants: { ...report.variants, candidate: { ...report.variants.candidate, name: { html: "<b>" } } },
      gate: { verdict: "pass", rules: [{ ...makeGateRule(), verdict: "<script>", ci: "wide" }] },
    };
    const cases = [makeCaseReport({ id: "ok" }), { ...makeCaseReport({ id: "bad" }), outcome: "exploded", tags: "x" }];
    // The writer's layout (one case per line), so cases are read and checked one at a time.
    const head = JSON.stringify({ ...bad, cases: undefined }, null, 2);
    const text = `${head.slice(0, head.lastIndexOf("}")).trimEnd()},\n  "cases": [\n${cases.map((c) => `    ${JSON.stringify(c)}`).join(",\n")}\n  ]\n}\n`;
    const dir = makeProject({ "run.json": text });
    const result = await runModelgate(["report", "run.json", "--format", "md,html,junit"], { cwd: dir, env: offline });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).not.toMatch(/crashed|\n\s+at /);
    for (const line of [
      /run\.json: run\.repeat: expected integer/,
      /run\.json: run\.warnings\[0\]: expected string/,
      /run\.json: variants\.candidate\.name: expected string/,
      /run\.json: gate\.rules\[0\]\.verdict: expected one of "pass", "fail", "inconclusive", "skipped"/,
      /run\.json: gate\.rules\[0\]\.ci: expected null or a value of the documented shape/,
      /run\.json:\d+: cases\[1\]\.tags: expected array/,
      /run\.json:\d+: cases\[1\]\.outcome: expected one of "regression"/,
    ]) {
      expect(result.stderr).toMatch(line);
    }
    expect(result.stderr).not.toContain("<script>"); // values are not echoed
    expect(readdirSync(dir)).toEqual(["run.json"]);
  });

  test("a case problem is found in a file read whole, too", async () => {
    const report = makeReport({ cases: [{ ...makeCaseReport(), candidate: [{ ...makeCaseRun(), latency_ms: "fast" }] } as unknown as CaseReport] });
    const dir = makeProject({ "run.json": JSON.stringify(report) });
    const result = await runModelgate(["report", "run.json", "--format", "html"], { cwd: dir, env: offline });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/run\.json: cases\[0\]\.candidate\[0\]\.latency_ms: expected number/);
  });

  test.skipIf(process.platform === "win32")("a FIFO is refused, not waited on", async () => {
    const dir = makeProject({});
    execFileSync("mkfifo", [join(dir, "run.json")]);
    const result = await runModelgate(["report", "run.json"], { cwd: dir, env: offline });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/run\.json: cannot read the report: not a regular file/);
  });
});

test("an unwritable $GITHUB_STEP_SUMMARY is a warning; the reports are still written and the exit code is the verdict's", async () => {
  const dir = makeProject({ "run.json": makeReport() });
  // A folder cannot be appended to, whoever runs the test (root passes permission checks).
  const result = await runModelgate(["report", "run.json", "--format", "md"], { cwd: dir, env: { ...offline, GITHUB_STEP_SUMMARY: dir } });
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toMatch(/warning: could not append the Markdown report to \$GITHUB_STEP_SUMMARY \(.*: EISDIR\)/);
  expect(existsSync(join(dir, "report.md"))).toBe(true);
});
