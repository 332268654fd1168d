import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";
import { DEMO_CASE_EXPECTATIONS, DEMO_GATE_EXPECTATIONS } from "../../scripts/demo-responder.js";
import type { RunReport } from "../../src/types.js";
import { runModelgate } from "../support/run-cli.js";

const repoRoot = resolve(import.meta.dirname, "../..");

test("the bundled demo replays offline, with no key, and the gate catches exactly the planted regressions", async () => {
  const out = mkdtempSync(join(tmpdir(), "modelgate-demo-"));
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
      "table,json,md,html,junit",
      "--out",
      out,
    ],
    // No API keys, and base URLs that lead nowhere: everything must come from the cassette.
    { cwd: repoRoot, env: { OPENAI_BASE_URL: undefined, ANTHROPIC_BASE_URL: undefined } },
  );
  expect(result.stderr).not.toMatch(/error|crashed/);
  expect(result.exitCode).toBe(1);
  const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as RunReport;
  expect(report.cases.length).toBeGreaterThanOrEqual(30);
  expect([...report.regressions].sort()).toEqual([...DEMO_CASE_EXPECTATIONS.regressions].sort());
  expect(report.improvements).toEqual(DEMO_CASE_EXPECTATIONS.improvements);
  for (const [metric, verdict] of Object.entries(DEMO_GATE_EXPECTATIONS)) {
    expect({ metric, verdict: report.gate.rules.find((rule) => rule.metric === metric)?.verdict }).toEqual({ metric, verdict });
  }
  // The judge's column is real: scored from recorded judge replies.
  const judged = report.cases.flatMap((c) => c.candidate.map((run) => run.checks.helpful)).filter((r) => r && r.status !== "skipped");
  expect(judged.length).toBeGreaterThan(5);
  expect(judged.every((r) => r?.status === "pass" || r?.status === "fail")).toBe(true);
  expect(result.stdout).toContain("refund-003");
});

test("npm run demo (scripts/demo.sh) succeeds exactly when the gate catches the planted regressions", () => {
  if (!existsSync(join(repoRoot, "dist", "bin.js"))) return; // built by `npm ci` (prepare) and by CI before tests
  const out = mkdtempSync(join(tmpdir(), "modelgate-demo-sh-"));
  const result = spawnSync("sh", ["scripts/demo.sh", "--out", out], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { PATH: process.env.PATH, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
  });
  expect(result.status).toBe(0);
  expect(result.stderr).toContain("the gate caught the planted regressions");
  expect(existsSync(join(out, "report.html"))).toBe(true);
});
