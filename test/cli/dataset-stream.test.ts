import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";

const rubric = `
name: stream
dataset: data.jsonl
checks:
  - { id: answer, type: contains, category: quality, value: "ok" }
gate:
  - { metric: pass_rate, max_drop: 0.05 }
`;

/** Enough cases (~150 KB) that the run is still reading the file when the first request arrives. */
const cases = Array.from({ length: 600 }, (_, i) => ({ id: `c${i}`, input: `[c${i}] ${"question ".repeat(25)}`, tags: [`t${i % 3}`] }));
const args = ["eval", "--rubric", "rubric.yaml", "--baseline", "openai-compatible:a", "--candidate", "openai-compatible:b", "--no-cache"];

test("the run reads the dataset as it goes, in file order, with the selection flags applied on the way", async () => {
  const server = await fakeServerForTest();
  const dir = makeProject({ "data.jsonl": cases, "rubric.yaml": rubric });
  const env = { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "test" };
  const run = await runModelgate([...args, "--filter", "t1", "--limit", "50", "--format", "json", "--out", "out", "--quiet"], { cwd: dir, env });
  expect(run.exitCode).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as { cases: Array<{ id: string }> };
  // The first 50 cases tagged t1 (every third, from c1), in dataset order.
  expect(report.cases.map((c) => c.id)).toEqual(Array.from({ length: 50 }, (_, i) => `c${1 + 3 * i}`));
  expect(server.stats.requests).toBe(100);
});

test("a dataset that changes while the run reads it is an input error naming the file (exit 2), not a mix of two datasets", async () => {
  const dir = makeProject({ "data.jsonl": cases, "rubric.yaml": rubric });
  let appended = false;
  const server = await fakeServerForTest({
    respond: (request) => {
      if (!appended) {
        appended = true;
        appendFileSync(join(dir, "data.jsonl"), `${JSON.stringify({ id: "late", input: "[late] added during the run" })}\n`);
      }
      return { text: `ok: ${request.lastUser}` };
    },
  });
  const run = await runModelgate([...args, "--out", "out", "--quiet"], {
    cwd: dir,
    env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "test" },
  });
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toContain("data.jsonl: changed while the run was reading it");
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
});
