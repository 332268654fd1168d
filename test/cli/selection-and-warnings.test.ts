import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import type { FakeServer } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

const pinned = ["--baseline", "openai-compatible:baseline-2024-01-01", "--candidate", "openai-compatible:candidate-2024-02-01"];
const run = (server: FakeServer, dir: string, args: string[]) =>
  runModelgate(["eval", "--rubric", "rubric.yaml", "--no-cache", "--out", "out", ...args], {
    cwd: dir,
    env: { OPENAI_BASE_URL: server.openaiBaseUrl },
  });
const casesOf = (dir: string) => (JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport).cases.map((c) => c.id);

describe("case selection", () => {
  test.each([
    ["--filter", ["--filter", "json"], ["json-001", "json-004", "json-007"]],
    ["--filter twice (any tag)", ["--filter", "json", "--filter", "faq"], ["json-001", "faq-002", "json-004", "faq-005", "json-007", "faq-008"]],
    ["--case", ["--case", "tool-003", "--case", "faq-005"], ["tool-003", "faq-005"]],
    ["--limit", ["--limit", "2"], ["tool-000", "json-001"]],
  ])("%s runs exactly the selected cases", async (_name, args, expected) => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(9), "rubric.yaml": scenarioRubric });
    const result = await run(server, dir, [...pinned, ...args]);
    expect(result.stderr).not.toContain("crashed");
    expect(casesOf(dir)).toEqual(expected);
    expect(server.stats.requests).toBe(expected.length * 2);
  });

  test("an unknown --case id, or a selection that leaves nothing, is a usage error before any request", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(3), "rubric.yaml": scenarioRubric });
    const unknown = await run(server, dir, [...pinned, "--case", "nope"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/--case: no case with id "nope"/);
    const empty = await run(server, dir, [...pinned, "--filter", "no-such-tag"]);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/no cases selected/);
    expect(server.stats.requests).toBe(0);
  });
});

describe("variant warnings (errors under --strict)", () => {
  test("a floating model alias warns; --strict refuses before any request", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(3), "rubric.yaml": scenarioRubric });
    const floating = ["--baseline", "openai:gpt-4o", "--candidate", "openai:gpt-4o-2024-11-20"];
    const env = { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "sk-test-key-000000000000" };
    const warned = await runModelgate(["eval", "--rubric", "rubric.yaml", "--no-cache", ...floating], { cwd: dir, env });
    expect(warned.stderr).toMatch(/warning: baseline model "gpt-4o" is a floating alias/);
    server.reset();
    const strict = await runModelgate(["eval", "--rubric", "rubric.yaml", "--no-cache", "--strict", ...floating], { cwd: dir, env });
    expect(strict.exitCode).toBe(2);
    expect(strict.stderr).toMatch(/--strict: a warning is an error/);
    expect(server.stats.requests).toBe(0);
  });

  test("baseline and candidate differing in both model and prompt warn (change one variable at a time)", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const url = server.openaiBaseUrl;
    const dir = makeProject({
      "data.jsonl": scenarioCases(3),
      "rubric.yaml": scenarioRubric,
      "a.md": "You are helpful.",
      "b.md": "You are very helpful.",
      "modelgate.config.yaml": `variants:\n  a: { provider: openai-compatible, base_url: "${url}", model: baseline-2024-01-01, prompt: a.md }\n  b: { provider: openai-compatible, base_url: "${url}", model: candidate-2024-02-01, prompt: b.md }\n  c: { provider: openai-compatible, base_url: "${url}", model: candidate-2024-02-01, prompt: a.md }\n`,
    });
    const both = await runModelgate(["eval", "--rubric", "rubric.yaml", "--no-cache", "--baseline", "a", "--candidate", "b", "--strict"], {
      cwd: dir,
    });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/differ in both model and prompt/);
    const one = await runModelgate(["eval", "--rubric", "rubric.yaml", "--no-cache", "--baseline", "a", "--candidate", "c", "--strict"], {
      cwd: dir,
    });
    expect(one.stderr).not.toMatch(/warning/);
    expect(one.exitCode).toBe(0);
  });
});
