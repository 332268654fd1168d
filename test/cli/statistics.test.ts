import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { GateRuleResult, RunReport } from "../../src/types.js";
import type { FakeServer } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { caseIdOf } from "../support/scenario.js";

/** n free-text cases; the answer is right unless the model's script says otherwise for that case. */
function project(n: number, rules: string) {
  const cases = Array.from({ length: n }, (_, i) => ({
    id: `q-${i}`,
    input: `[q-${i}] What is the return window?`,
    expected: { output: "30 days" },
    tags: [i % 4 === 0 ? "tenant:acme" : "tenant:globex"],
  }));
  const rubric = `dataset: data.jsonl\nchecks:\n  - { id: answer, type: contains, category: quality }\ngate:\n${rules}`;
  return makeProject({ "data.jsonl": cases, "rubric.yaml": rubric });
}

/** A model whose answer to case i is wrong when `wrong(i, model)` says so. */
function respond(wrong: (i: number, model: string) => boolean) {
  return (request: { model: string; lastUser: string }) => {
    const i = Number(caseIdOf(request as never).split("-")[1]);
    return { text: wrong(i, request.model) ? "Returns are handled case by case." : "You have 30 days to return it." };
  };
}

async function run(server: FakeServer, dir: string, extra: string[] = []) {
  const result = await runModelgate(
    [
      "eval",
      "--rubric",
      "rubric.yaml",
      "--baseline",
      "openai-compatible:base-2024-01-01",
      "--candidate",
      "openai-compatible:cand-2024-01-01",
      "--no-cache",
      "--concurrency",
      "32",
      "--out",
      "out",
      ...extra,
    ],
    { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } },
  );
  const report = JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
  return { result, report, rule: (metric: string, i = 0) => report.gate.rules.filter((r) => r.metric === metric)[i] as GateRuleResult };
}

// Baseline fails ~10% of cases (pseudo-randomly); the candidate additionally fails the given share.
const baselineWrong = (i: number) => (i * 7919) % 10 === 0;

describe("gate statistics through the CLI", () => {
  test("identical variants: every rule passes and nothing is significant", async () => {
    const server = await fakeServerForTest({ respond: respond((i) => baselineWrong(i)) });
    const dir = project(
      200,
      "  - { metric: pass_rate, max_drop: 0.02 }\n  - { metric: quality.score, max_drop: 0.02, mode: non-inferior }\n  - { metric: regressions, max: 0, mode: significant }\n",
    );
    const { result, report } = await run(server, dir);
    expect(result.exitCode).toBe(0);
    for (const rule of report.gate.rules) expect(rule.verdict).toBe("pass");
    for (const comparison of report.comparison.filter((c) => c.p_value !== null && /pass_rate|score/.test(c.metric))) {
      expect(comparison.p_value).toBeGreaterThan(0.05);
    }
  });

  test("a planted 10-point drop at n=400 fails with p < 0.01 and an interval that covers the truth", async () => {
    const server = await fakeServerForTest({ respond: respond((i, model) => baselineWrong(i) || (model.startsWith("cand") && i % 25 < 3)) });
    const dir = project(400, "  - { metric: pass_rate, max_drop: 0.02, mode: significant }\n");
    const { result, rule } = await run(server, dir);
    expect(result.exitCode).toBe(1);
    const passRate = rule("pass_rate");
    expect(passRate.verdict).toBe("fail");
    expect(passRate.p_value).toBeLessThan(0.01);
    const truth = passRate.delta ?? 0;
    expect(truth).toBeCloseTo(-0.1, 2); // 12% planted, minus the cases the baseline already failed
    expect(passRate.ci?.[0]).toBeLessThan(truth);
    expect(passRate.ci?.[1]).toBeGreaterThan(truth);
    expect(passRate.ci?.[1]).toBeLessThan(-0.02);
    expect(passRate.method).toMatch(/McNemar.*Newcombe/);
  });

  test("a small-n drop is inconclusive under point, passes under significant, fails under non-inferior", async () => {
    const server = await fakeServerForTest({ respond: respond((i, model) => model.startsWith("cand") && i === 3) });
    const dir = project(
      30,
      "  - { metric: pass_rate, max_drop: 0.02 }\n  - { metric: pass_rate, max_drop: 0.02, mode: significant }\n  - { metric: pass_rate, max_drop: 0.02, mode: non-inferior }\n",
    );
    const { rule, result } = await run(server, dir);
    const [point, significant, nonInferior] = [rule("pass_rate", 0), rule("pass_rate", 1), rule("pass_rate", 2)];
    expect(point.verdict).toBe("fail");
    expect(point.inconclusive).toBe(true);
    expect(point.reason).toMatch(/inconclusive at n=30, ~\d+ cases would settle it/);
    expect(point.cases_needed).toBeGreaterThan(30);
    expect(significant.verdict).toBe("pass");
    expect(nonInferior.verdict).toBe("fail");
    expect(result.stdout).toContain("inconclusive");
  });

  test("a segment can be gated: the drop lives in one tenant", async () => {
    const server = await fakeServerForTest({ respond: respond((i, model) => model.startsWith("cand") && i % 4 === 0 && i % 8 === 0) });
    const dir = project(
      80,
      "  - { metric: segment.tenant:acme.pass_rate, max_drop: 0.05 }\n  - { metric: segment.tenant:globex.pass_rate, max_drop: 0.05 }\n",
    );
    const { rule, result } = await run(server, dir);
    expect(rule("segment.tenant:acme.pass_rate").verdict).toBe("fail");
    expect(rule("segment.tenant:acme.pass_rate").n).toBe(20);
    expect(rule("segment.tenant:globex.pass_rate").verdict).toBe("pass");
    // worst segment first in the terminal table
    const segmentsAt = result.stdout.indexOf("Segments");
    expect(result.stdout.indexOf("tenant:acme", segmentsAt)).toBeLessThan(result.stdout.indexOf("tenant:globex", segmentsAt));
  });

  test("--repeat: flaky cases are flagged, regressions use per-case pass rates, intervals are clustered", async () => {
    const seen = new Map<string, number>();
    // Case 0 alternates right / wrong on the candidate's draws; case 1 is always wrong on the candidate.
    const server = await fakeServerForTest({
      respond: (request) => {
        const i = Number(caseIdOf(request).split("-")[1]);
        const candidate = request.model.startsWith("cand");
        const nth = (seen.get(`${request.model}/${i}`) ?? 0) + 1;
        seen.set(`${request.model}/${i}`, nth);
        const wrong = candidate && (i === 1 || (i === 0 && nth % 2 === 0));
        return { text: wrong ? "Returns are handled case by case." : "You have 30 days to return it." };
      },
    });
    const dir = project(12, "  - { metric: pass_rate, max_drop: 0.5 }\n  - { metric: flaky_rate, max: 1 }\n");
    const { report } = await run(server, dir, ["--repeat", "4", "--concurrency", "1"]);
    expect(report.run.repeat).toBe(4);
    expect(report.cases[0]?.candidate).toHaveLength(4);
    expect(report.cases[0]?.flaky).toBe(true);
    expect(report.cases[1]?.flaky).toBe(false);
    expect(report.cases[1]?.outcome).toBe("regression");
    expect(report.metrics.candidate.flaky_rate).toBeCloseTo(1 / 12);
    const passRate = report.gate.rules[0];
    expect(passRate?.method).toMatch(/clustered/);
  });

  test("regressions in significant mode: 1 regression against 12 improvements passes (improvements never fail it)", async () => {
    const server = await fakeServerForTest({
      respond: respond((i, model) => (model.startsWith("cand") ? i === 0 : i >= 1 && i <= 12)),
    });
    const dir = project(60, "  - { metric: regressions, max: 0, mode: significant }\n");
    const { result, rule } = await run(server, dir);
    expect(rule("regressions").candidate).toBe(1);
    expect(rule("regressions").verdict).toBe("pass");
    expect(rule("regressions").p_value).toBeGreaterThan(0.9);
    expect(result.exitCode).toBe(0);
  });

  test("plan --from a pilot run: cases for 80% power per rule and the gate's false-fail rate, calling no model", async () => {
    const server = await fakeServerForTest({ respond: respond((i, model) => baselineWrong(i) || (model.startsWith("cand") && i % 20 === 1)) });
    const dir = project(40, "  - { metric: pass_rate, max_drop: 0.02 }\n  - { metric: pass_rate, max_drop: 0.1, mode: evidence }\n");
    const { report } = await run(server, dir);
    expect(report.gate.false_fail_rate?.rate).toBeGreaterThan(0.1);
    const requests = server.stats.requests;
    const plan = await runModelgate(["plan", "--rubric", "rubric.yaml", "--from", "out/report.json"], { cwd: dir });
    expect(plan.stderr).toBe("");
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toMatch(/pass_rate max_drop 0\.1 \(evidence\): n=40, .* needs ~\d+ cases/);
    expect(plan.stdout).toMatch(/false-fail rate of this gate at n=40: \d+\.\d%/);
    expect(server.stats.requests).toBe(requests);
    const missing = await runModelgate(["plan", "--rubric", "rubric.yaml"], { cwd: dir });
    expect(missing.exitCode).toBe(2);
  });

  test("--filter: a rule whose segment the selection removed is skipped, the gate rests on the others; all skipped → exit 2", async () => {
    const server = await fakeServerForTest({ respond: respond((i) => baselineWrong(i)) });
    const dir = project(
      40,
      "  - { metric: pass_rate, max_drop: 0.05, mode: significant }\n  - { metric: segment.tenant:acme.pass_rate, max_drop: 0.05 }\n",
    );
    const { result, rule, report } = await run(server, dir, ["--filter", "tenant:globex"]);
    expect(rule("segment.tenant:acme.pass_rate").verdict).toBe("skipped");
    expect(rule("segment.tenant:acme.pass_rate").reason).toMatch(/no selected case carries this tag/);
    expect(report.gate.skipped).toBe(1);
    expect(result.exitCode).toBe(0);
    const only = project(40, "  - { metric: segment.tenant:acme.pass_rate, max_drop: 0.05 }\n");
    const skipped = await run(server, only, ["--filter", "tenant:globex"]);
    expect(skipped.result.exitCode).toBe(2);
    expect(skipped.result.stderr).toMatch(/no gate rule could be evaluated on the selected cases/);
  });

  test("evidence mode at small n is inconclusive: exit 4 under on_inconclusive: hold, 1 under fail", async () => {
    const server = await fakeServerForTest({ respond: respond((i, model) => model.startsWith("cand") && i === 3) });
    const dir = project(30, "  - { metric: pass_rate, max_drop: 0.05, mode: evidence }\n");
    const { result, rule } = await run(server, dir);
    expect(rule("pass_rate").verdict).toBe("inconclusive");
    expect(rule("pass_rate").cases_needed).toBeGreaterThan(30);
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toMatch(/inconclusive/);
    const strict = project(30, "  - { metric: pass_rate, max_drop: 0.05, mode: evidence }\n");
    writeFileSync(join(strict, "rubric.yaml"), `${readFileSync(join(strict, "rubric.yaml"), "utf8")}on_inconclusive: fail\n`);
    expect((await run(server, strict)).result.exitCode).toBe(1);
  });
});
