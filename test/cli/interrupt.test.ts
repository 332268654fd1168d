import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject } from "../support/run-cli.js";
import { scenarioCases, scenarioEvalArgs, scenarioRubric, scriptedModel } from "../support/scenario.js";
import { spawnModelgate } from "../support/spawn-cli.js";

test("Ctrl-C stops cleanly with exit 130 and writes the cases that finished", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 40 });
  const dir = makeProject({ "data.jsonl": scenarioCases(200), "rubric.yaml": scenarioRubric });
  const cli = spawnModelgate([...scenarioEvalArgs, "--concurrency", "4", "--out", "out", "--no-cache"], {
    cwd: dir,
    env: { OPENAI_BASE_URL: server.openaiBaseUrl },
  });
  const deadline = Date.now() + 20_000;
  while (server.stats.requests < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  cli.kill("SIGINT");
  const { exitCode, stderr } = await cli.exited;
  expect(stderr).not.toContain("crashed");
  expect(exitCode).toBe(130);
  expect(existsSync(join(dir, "out", "report.json"))).toBe(true);
  const report = JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
  expect(report.run.interrupted).toBe(true);
  expect(report.cases.length).toBeGreaterThan(5);
  expect(report.cases.length).toBeLessThan(200);
  // every case in the report is complete: both sides answered
  for (const testCase of report.cases) {
    expect(testCase.baseline[0]?.error).toBeNull();
    expect(testCase.candidate[0]?.error).toBeNull();
  }
  expect(server.stats.requests).toBeLessThan(400);
}, 30_000);

test.each(["SIGTERM", "SIGINT"] as const)(
  "%s stops a run stuck on hanging requests and a long Retry-After pause within two seconds, writing what finished",
  async (signal) => {
    let answered = 0;
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      fault: (request) => {
        if (answered < 20) {
          answered++;
          return undefined;
        }
        // then: the baseline hangs, the candidate asks to wait 100 s (under the cap: the run waits)
        return request.model.startsWith("a-") ? { kind: "hang" } : { kind: "status", status: 429, retryAfter: "100" };
      },
    });
    const dir = makeProject({ "data.jsonl": scenarioCases(60), "rubric.yaml": scenarioRubric });
    const cli = spawnModelgate([...scenarioEvalArgs, "--concurrency", "4", "--out", "out", "--no-cache", "--timeout", "60000"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    const deadline = Date.now() + 20_000;
    while (server.stats.requests < 24 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Date.now();
    cli.kill(signal);
    const { exitCode, stderr } = await cli.exited;
    expect(Date.now() - killedAt).toBeLessThan(2_000);
    expect(stderr).not.toContain("crashed");
    expect(exitCode).toBe(130);
    const report = JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
    expect(report.run.interrupted).toBe(true);
    expect(report.cases.length).toBeGreaterThan(0);
  },
  30_000,
);
