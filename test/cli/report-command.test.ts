import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { DEMO_CASE_EXPECTATIONS } from "../../scripts/demo-responder.js";
import { makeReport } from "../support/make-report.js";
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
      expect: /invalid report: .*\n.*run\.json: run\.requests: missing[\s\S]*run\.json: gate: missing/,
    },
    {
      name: "a bad verdict",
      content: JSON.stringify({ ...makeReport(), gate: { verdict: "maybe", rules: [] } }),
      expect: /run\.json: gate\.verdict: expected "pass", "fail", "inconclusive" or "error"/,
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
    expect(result.stderr).toMatch(/nowhere\.json: cannot read the report: ENOENT/);
  });
});

test("an unknown --format is a usage error listing the known ones", async () => {
  const dir = makeProject({ "run.json": makeReport() });
  const result = await runModelgate(["report", "run.json", "--format", "pdf"], { cwd: dir, env: offline });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toMatch(/unknown format "pdf"; expected any of table,json,md,html,junit/);
});
