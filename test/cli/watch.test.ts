import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";
import { spawnModelgate } from "../support/spawn-cli.js";

async function waitFor(condition: () => boolean, what: string, stderr: () => string, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    // the child's stderr says where it stopped (a slow, loaded CI machine, or an error)
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr so far:\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test("--watch re-runs when the dataset changes, requests only what changed, and says what moved", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel(new Set(["json-004"])) });
  const dir = makeProject({ "data.jsonl": scenarioCases(9), "rubric.yaml": scenarioRubric });
  const cli = spawnModelgate(
    [
      "eval",
      "--rubric",
      "rubric.yaml",
      "--baseline",
      "openai-compatible:baseline-2024-01-01",
      "--candidate",
      "openai-compatible:candidate-2024-02-01",
      "--watch",
      "--out",
      "out",
    ],
    { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } },
  );
  await waitFor(() => cli.stderrSoFar().includes("watching"), "the first run", cli.stderrSoFar);
  expect(server.stats.requests).toBe(18);
  server.reset();

  // Fix the regressing case's expectation away: drop it from the dataset.
  const lines = readFileSync(join(dir, "data.jsonl"), "utf8")
    .trim()
    .split("\n")
    .filter((line) => !line.includes('"json-004"'));
  writeFileSync(join(dir, "data.jsonl"), `${lines.join("\n")}\n`);
  await waitFor(() => cli.stderrSoFar().split("watching").length > 2, "the re-run", cli.stderrSoFar);
  expect(server.stats.requests).toBe(0); // every remaining case is cached
  cli.kill("SIGINT");
  const { exitCode, stdout, stderr } = await cli.exited;
  expect(stderr).toContain("data.jsonl changed: re-running");
  expect(stdout).toMatch(/since the last run:[\s\S]*regressions: 1 → 0[\s\S]*no longer regressing: json-004/);
  expect(exitCode).toBe(130);
}, 60_000);
