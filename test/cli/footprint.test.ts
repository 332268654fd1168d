import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { expect, test } from "vitest";
import { cacheEntries } from "../support/cache-entries.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject } from "../support/run-cli.js";
import { scenarioCases, scenarioEvalArgs, scenarioRubric, scriptedModel } from "../support/scenario.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const bin = join(repoRoot, "dist", "bin.js");

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else found.push(relative(dir, child));
    }
  };
  walk(dir);
  return found.sort();
}

// The built CLI as a user runs it (tsx, which the other CLI tests use, keeps its own cache in the temp folder).
test.skipIf(!existsSync(bin))("eval writes only inside the project: nothing in HOME or the temp folder", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel() });
  const dir = makeProject({ "data.jsonl": scenarioCases(12), "rubric.yaml": scenarioRubric });
  const outside = mkdtempSync(join(tmpdir(), "modelgate-outside-"));
  const home = join(outside, "home");
  const temp = join(outside, "tmp");
  mkdirSync(home);
  mkdirSync(temp);
  const exitCode = await new Promise<number | null>((done) => {
    const child = spawn(process.execPath, [bin, ...scenarioEvalArgs, "--format", "table,json,md,html,junit", "--out", "reports/run", "--quiet"], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: home, USERPROFILE: home, TMPDIR: temp, TMP: temp, TEMP: temp, OPENAI_BASE_URL: server.openaiBaseUrl },
      stdio: "ignore",
    });
    child.on("close", done);
  });
  expect(exitCode).toBe(0);
  expect(filesUnder(outside)).toEqual([]);
  const written = filesUnder(dir).filter((name) => name !== "data.jsonl" && name !== "rubric.yaml");
  expect(written.filter((name) => !name.startsWith(".modelgate/cache/"))).toEqual([
    "reports/run/junit.xml",
    "reports/run/report.html",
    "reports/run/report.json",
    "reports/run/report.md",
  ]);
  expect(written.filter((name) => name.startsWith(".modelgate/cache/"))).toHaveLength(1); // one segment
  expect(cacheEntries(dir).entries).toHaveLength(24);
});
