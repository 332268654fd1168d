import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test, vi } from "vitest";
import { exampleCases, plantedRegression } from "../../src/commands/init-scaffold.js";
import type { RunReport } from "../../src/types.js";
import { runModelgate } from "../support/run-cli.js";

/*
 * `modelgate init`: a commented example project whose printed next step works offline at once, and
 * shows a failing gate (the candidate regresses on one planted case).
 */

const offline = { OPENAI_BASE_URL: undefined, ANTHROPIC_BASE_URL: undefined };
const scaffold = ["modelgate.config.yaml", "prompts/example.md", "evals/example.yaml", "datasets/example.jsonl", "datasets/example.cassette.jsonl"];

afterEach(() => {
  vi.restoreAllMocks();
});

/** The `modelgate eval …` command init printed, as the folder to run it in and its arguments. */
function printedCommand(stdout: string, cwd: string): { cwd: string; args: string[] } {
  const line = stdout.split("\n").find((text) => / eval --baseline /.test(text));
  if (!line) throw new Error(`no eval command in:\n${stdout}`);
  // Never `npx modelgate` (a registry name we do not own): the bin of the install, or node on a clone's dist/.
  expect(stdout).not.toMatch(/\bnpx\b/);
  const match = /^\s*(?:cd (\S+) && )?(?:\S*node_modules\/\.bin\/modelgate|node \S+\/dist\/bin\.js) (eval .*)$/.exec(line);
  if (!match?.[2]) throw new Error(`unexpected command line: ${line}`);
  return { cwd: match[1] ? join(cwd, match[1]) : cwd, args: match[2].trim().split(/\s+/) };
}

test("init scaffolds a valid project whose printed --replay command gates offline and fails on the planted regression", async () => {
  const fetchSpy = vi.spyOn(globalThis, "fetch");
  const cwd = mkdtempSync(join(tmpdir(), "modelgate-init-"));
  const init = await runModelgate(["init", "my-gate"], { cwd, env: offline });
  expect(init.stderr).toBe("");
  expect(init.exitCode).toBe(0);
  const project = join(cwd, "my-gate");
  for (const file of scaffold) {
    expect(existsSync(join(project, file)), file).toBe(true);
    expect(init.stdout).toContain(file);
  }
  // The files teach their formats in comments.
  expect(readFileSync(join(project, "datasets/example.jsonl"), "utf8")).toMatch(/^\/\/ /m);
  expect(readFileSync(join(project, "evals/example.yaml"), "utf8")).toMatch(/^# .*checks/m);
  expect(readFileSync(join(project, "modelgate.config.yaml"), "utf8")).toMatch(/^# /m);

  const validate = await runModelgate(["validate"], { cwd: project, env: offline });
  expect(validate.stderr).toBe("");
  expect(validate.exitCode).toBe(0);
  expect(validate.stdout).toContain(`datasets/example.jsonl: ${exampleCases.length} cases`);

  const command = printedCommand(init.stdout, cwd);
  expect(command.cwd).toBe(project);
  expect(command.args).toContain("--replay");
  const run = await runModelgate(command.args, { cwd: command.cwd, env: offline });
  expect(run.stderr).not.toMatch(/error|warning|crashed/);
  expect(run.exitCode).toBe(1);
  expect(fetchSpy).not.toHaveBeenCalled();
  expect(init.stdout).toContain(plantedRegression);
  expect(run.stdout).toContain(plantedRegression);

  const [runId] = readdirSync(join(project, "reports"));
  const report = JSON.parse(readFileSync(join(project, "reports", String(runId), "report.json"), "utf8")) as RunReport;
  expect(report.regressions).toEqual([plantedRegression]);
  expect(report.improvements).toEqual([]);
  expect(report.cases.every((testCase) => [...testCase.baseline, ...testCase.candidate].every((draw) => draw.error === null))).toBe(true);
  // Every answer came from the cassette.
  expect(report.run.requests).toEqual({ total: exampleCases.length * 2, reused: exampleCases.length * 2 });
  expect(report.cases.filter((testCase) => testCase.outcome !== "pass").map((testCase) => testCase.id)).toEqual([plantedRegression]);
});

test("init with no folder scaffolds the working directory, and the printed command needs no cd", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "modelgate-init-"));
  const init = await runModelgate(["init"], { cwd, env: offline });
  expect(init.exitCode).toBe(0);
  expect(readdirSync(cwd).sort()).toEqual(["datasets", "evals", "modelgate.config.yaml", "prompts"]);
  const command = printedCommand(init.stdout, cwd);
  expect(init.stdout).not.toMatch(/cd \S+ && /);
  expect(command.cwd).toBe(cwd);
  const cassette = readFileSync(join(cwd, "datasets/example.cassette.jsonl"), "utf8").trim().split("\n");
  expect(cassette).toHaveLength(exampleCases.length * 2);
});

test("init refuses to overwrite: exit 2 naming the existing files, and nothing is written", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "modelgate-init-"));
  mkdirSync(join(cwd, "evals"));
  writeFileSync(join(cwd, "evals/example.yaml"), "mine\n");
  writeFileSync(join(cwd, "modelgate.config.yaml"), "mine too\n");
  const init = await runModelgate(["init"], { cwd, env: offline });
  expect(init.exitCode).toBe(2);
  expect(init.stderr).toMatch(/modelgate\.config\.yaml, evals\/example\.yaml already exist .*nothing was written/);
  expect(init.stdout).toBe("");
  expect(readdirSync(cwd).sort()).toEqual(["evals", "modelgate.config.yaml"]);
  expect(readdirSync(join(cwd, "evals"))).toEqual(["example.yaml"]);
  expect(readFileSync(join(cwd, "evals/example.yaml"), "utf8")).toBe("mine\n");
  expect(readFileSync(join(cwd, "modelgate.config.yaml"), "utf8")).toBe("mine too\n");
});

test("init into a path that is a file is exit 2", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "modelgate-init-"));
  writeFileSync(join(cwd, "taken"), "");
  const init = await runModelgate(["init", "taken"], { cwd, env: offline });
  expect(init.exitCode).toBe(2);
  expect(init.stderr).toMatch(/taken exists and is not a folder/);
});
