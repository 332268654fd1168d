import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { runModelgate } from "../support/run-cli.js";

/*
 * The CI examples are run, not just read: the `modelgate eval` command of examples/github-actions.yml
 * and of the GitLab snippet in README.md is extracted and run with exactly its arguments on the bundled
 * demo and its committed cassette, and the files the rest of the pipeline picks up must be there.
 */

const repoRoot = resolve(import.meta.dirname, "../..");
const offline = { OPENAI_BASE_URL: undefined, ANTHROPIC_BASE_URL: undefined };

interface Step {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  "continue-on-error"?: unknown;
}

/** The `modelgate eval …` line of a shell script (line continuations joined), as arguments. */
function evalArguments(script: string): string[] {
  const line = script
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .find((text) => /\bmodelgate eval\b/.test(text));
  if (!line) throw new Error(`no modelgate eval command in:\n${script}`);
  const command = line.slice(line.indexOf("modelgate eval") + "modelgate ".length).trim();
  // The split below is only honest for plain words: no quoting, no variables, no redirections.
  expect(command).toMatch(/^[\w\s./,:=-]+$/);
  return command.split(/\s+/);
}

/** The demo project, copied: the command runs as in the repository root, but its --out lands in a temp folder. */
function demoProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-ci-"));
  for (const path of ["modelgate.config.yaml", "datasets", "evals", "prompts"]) cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
  return dir;
}

function optionValue(args: string[], flag: string): string {
  const value = args[args.indexOf(flag) + 1];
  if (args.indexOf(flag) < 0 || value === undefined) throw new Error(`${flag} missing in ${args.join(" ")}`);
  return value;
}

test("examples/github-actions.yml: the replay step's command gates the demo offline and writes what the later steps publish", async () => {
  const workflow = parse(readFileSync(join(repoRoot, "examples/github-actions.yml"), "utf8")) as {
    on: Record<string, unknown>;
    jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
  };
  expect(workflow.on).toHaveProperty("pull_request");
  const [job] = Object.values(workflow.jobs);
  if (!job) throw new Error("no job");
  expect(job.env?.OPENAI_API_KEY).toMatch(/^\$\{\{ secrets\.OPENAI_API_KEY \}\}$/);
  const gateSteps = job.steps.filter((step) => step.run?.includes("modelgate eval"));
  const replayStep = gateSteps.find((step) => step.run?.includes("--replay"));
  const liveStep = gateSteps.find((step) => !step.run?.includes("--replay"));
  if (!replayStep?.run || !liveStep?.run) throw new Error("expected a replay step and a live step");
  // Replay exactly when the secret is missing, live otherwise; a failed gate fails the job.
  expect(replayStep.if).toBe("env.OPENAI_API_KEY == ''");
  expect(liveStep.if).toBe("env.OPENAI_API_KEY != ''");
  for (const step of gateSteps) expect(step["continue-on-error"]).toBeUndefined();
  // modelgate comes from the committed tarball (npm ci) and runs from node_modules/.bin: never npx.
  expect(readFileSync(join(repoRoot, "examples/github-actions.yml"), "utf8")).not.toMatch(/\bnpx\b/);
  expect(job.steps.some((step) => step.run?.includes("node_modules/.bin") && step.run.includes("GITHUB_PATH"))).toBe(true);

  const args = evalArguments(replayStep.run);
  const replay = optionValue(args, "--replay");
  // The live step is the same command without the cassette.
  expect(evalArguments(liveStep.run)).toEqual(args.filter((arg, index) => arg !== "--replay" && args[index - 1] !== "--replay"));
  expect(optionValue(args, "--format").split(",")).toEqual(expect.arrayContaining(["md", "html", "junit"]));
  const out = optionValue(args, "--out");

  const project = demoProject();
  const summary = join(project, "step-summary.md");
  writeFileSync(summary, "");
  expect(existsSync(join(project, replay))).toBe(true);
  const result = await runModelgate(args, { cwd: project, env: { ...offline, GITHUB_STEP_SUMMARY: summary } });
  expect(result.stderr).not.toMatch(/error|crashed/);
  expect(result.exitCode).toBe(1);
  expect(readFileSync(summary, "utf8")).toBe(`${readFileSync(join(project, out, "report.md"), "utf8")}\n`);
  expect(readFileSync(summary, "utf8")).toMatch(/^## .*modelgate.*\n[\s\S]*### Gate/);

  // What the later steps pick up exists, and they run even though the gate step failed.
  const upload = job.steps.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
  const junit = job.steps.find((step) => step.uses?.startsWith("mikepenz/action-junit-report@"));
  if (!upload?.with || !junit?.with) throw new Error("expected the upload-artifact and junit-report steps");
  const uploaded = String(upload.with.path).trim().split("\n");
  expect(uploaded).toContain(`${out}/report.html`);
  for (const path of uploaded) expect(existsSync(join(project, path)), path).toBe(true);
  expect(junit.with.report_paths).toBe(`${out}/junit.xml`);
  expect(readFileSync(join(project, out, "junit.xml"), "utf8")).toMatch(/<testsuites name="modelgate"[\s\S]*<failure/);
  for (const step of [upload, junit]) expect(step.if).toMatch(/^\$\{\{ !cancelled\(\) \}\}$/);
});

test("the GitLab CI snippet in README.md: the replay command gates the demo offline and writes the junit and exposed HTML reports", async () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const snippet = /<!-- gitlab-ci:start -->\n```yaml\n([\s\S]*?)```\n<!-- gitlab-ci:end -->/.exec(readme)?.[1];
  if (!snippet) throw new Error("README.md has no GitLab snippet between the gitlab-ci markers");
  const jobs = parse(snippet) as Record<
    string,
    { script: string[]; artifacts: { when?: string; expose_as?: string; paths: string[]; reports: { junit: string } } }
  >;
  const [job] = Object.values(jobs);
  if (!job) throw new Error("no job");
  expect(job.artifacts.when).toBe("always");
  expect(job.artifacts.expose_as).toBeTruthy();

  const script = job.script.join("\n");
  const replayLine = script.split("\n").find((line) => line.includes("modelgate eval") && line.includes("--replay"));
  const liveLine = script.split("\n").find((line) => line.includes("modelgate eval") && !line.includes("--replay"));
  if (!replayLine || !liveLine) throw new Error("expected a replay command and a live command");
  expect(script).toMatch(/if \[ -z "\$OPENAI_API_KEY" \]; then\n\s*modelgate eval .*--replay/);
  // Installed from the committed tarball and run from node_modules/.bin: never npx (a registry name).
  expect(script).not.toMatch(/\bnpx\b/);
  expect(script).toContain(`export PATH="$PWD/node_modules/.bin:$PATH"`);
  const args = evalArguments(replayLine);
  expect(evalArguments(liveLine)).toEqual(args.filter((arg, index) => arg !== "--replay" && args[index - 1] !== "--replay"));

  const project = demoProject();
  const result = await runModelgate(args, { cwd: project, env: offline });
  expect(result.stderr).not.toMatch(/error|crashed/);
  expect(result.exitCode).toBe(1);
  expect(readFileSync(join(project, job.artifacts.reports.junit), "utf8")).toMatch(/<testsuites name="modelgate"/);
  expect(job.artifacts.paths.length).toBeGreaterThan(0);
  for (const path of job.artifacts.paths) expect(existsSync(join(project, path)), path).toBe(true);
  expect(job.artifacts.paths.some((path) => path.endsWith("report.html"))).toBe(true);
});

describe("the sharded GitHub Actions example", () => {
  test("shards with --shard i/n over the matrix and gates on modelgate merge", () => {
    const workflow = parse(readFileSync(resolve(repoRoot, "examples/github-actions-sharded.yml"), "utf8")) as {
      jobs: {
        shard: { strategy: { matrix: { shard: number[] } }; steps: Array<{ run?: string }> };
        gate: { needs: string; steps: Array<{ run?: string }> };
      };
    };
    const shards = workflow.jobs.shard.strategy.matrix.shard;
    const evalStep = workflow.jobs.shard.steps.find((step) => step.run?.includes("modelgate eval"))?.run ?? "";
    expect(evalStep).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(workflow.jobs.gate.needs).toBe("shard");
    expect(workflow.jobs.gate.steps.some((step) => step.run?.includes("modelgate merge shards/*/report.json"))).toBe(true);
  });
});
