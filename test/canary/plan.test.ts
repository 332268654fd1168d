import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadCanaryPlan } from "../../src/canary/plan.js";
import { UserError } from "../../src/errors.js";
import { sha256 } from "../../src/hash.js";

const rubric = `name: live
checks:
  - { id: format, type: is-json, category: format }
  - { id: no-refusal, type: not-refusal, category: quality }
`;

const validPlan = `name: support-bot-2025-01
rubric: live.yaml
baseline: stable
candidate: canary
traffic: logs/traffic/*.jsonl
window: 15m
min_requests: 100
compare_within: [tenant]
stages:
  - { name: internal, tenants: [internal] }
  - { name: beta, tenants: [beta] }
  - { percent: 5 }
  - { percent: 100, min_duration: 24h }
promote:
  consecutive: 4
  rules:
    - { metric: quality.pass_rate, min: 0.90 }
    - { metric: latency.p95_ms, max: 2000 }
rollback:
  windows: 1
  rules:
    - { metric: quality.pass_rate, min: 0.85, mode: significant }
    - { metric: format.pass_rate, max_drop: 0.01, mode: significant }
    - { metric: error_rate, max: 0.02 }
max_duration: 7d
actuator: { kind: unleash, url: http://127.0.0.1:4242, token_env: UNLEASH_ADMIN_TOKEN, project: default,
            flag: use-gpt4o-jan-2025, environment: production }
`;

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mg-plan-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function problemsOf(planText: string): string {
  const dir = folderWith({ "live.yaml": rubric, "canary.yaml": planText });
  try {
    loadCanaryPlan(join(dir, "canary.yaml"));
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error("expected the plan to be refused");
}

describe("loadCanaryPlan", () => {
  test("reads SPEC §11's example plan", () => {
    const dir = folderWith({ "live.yaml": rubric, "canary.yaml": validPlan });
    const plan = loadCanaryPlan(join(dir, "canary.yaml"));
    expect(plan.sha256).toBe(sha256(validPlan));
    expect(plan.window_ms).toBe(15 * 60_000);
    expect(plan.window_lag_ms).toBe(2 * 60_000);
    expect(plan.max_duration_ms).toBe(7 * 86_400_000);
    expect(plan.traffic).toEqual({ kind: "files", globs: [join(dir, "logs/traffic/*.jsonl")] });
    expect(plan.stages.map((s) => s.name)).toEqual(["internal", "beta", "5%", "100%"]);
    expect(plan.stages[3]).toMatchObject({ kind: "percent", percent: 100, min_duration_ms: 86_400_000 });
    expect(plan.promote.consecutive).toBe(4);
    expect(plan.rollback.rules.map((r) => r.mode)).toEqual(["significant", "significant", "point"]);
    expect(plan.actuator).toMatchObject({ kind: "unleash", flag: "use-gpt4o-jan-2025" });
    expect(plan.rubric?.name).toBe("live");
  });

  test("an import spec and a file-backed actuator resolve against the plan's folder", () => {
    const text = validPlan
      .replace(
        "traffic: logs/traffic/*.jsonl",
        "traffic: { format: litellm, path: logs/*.json, arm_by: model, arms: { baseline: a, candidate: b }, tags: { tenant: metadata.tenant } }",
      )
      .replace(/actuator:[\s\S]*$/, "actuator: { kind: flagd, path: flags/flags.json, flag: model }\n");
    const dir = folderWith({ "live.yaml": rubric, "canary.yaml": text });
    const plan = loadCanaryPlan(join(dir, "canary.yaml"));
    expect(plan.traffic).toEqual({
      kind: "import",
      format: "litellm",
      paths: [join(dir, "logs/*.json")],
      arm_by: "model",
      arms: { baseline: "a", candidate: "b" },
      tags: { tenant: "metadata.tenant" },
    });
    expect(plan.actuator).toEqual({ kind: "flagd", path: join(dir, "flags/flags.json"), flag: "model" });
  });

  test("every problem at once, each with file:line and field", () => {
    const text = validPlan
      .replace("window: 15m", "window: 15 minutes")
      .replace("{ percent: 5 }", "{ percent: 105 }")
      .replace("consecutive: 4", "consecutive: 0")
      .replace("metric: error_rate", "metric: eror_rate")
      .replace("mode: significant }\n    - { metric: format", "mode: signficant }\n    - { metric: format");
    const message = problemsOf(text);
    expect(message).toMatch(/canary\.yaml:6: window: expected a duration/);
    expect(message).toMatch(/canary\.yaml:12: stages\[2\]\.percent: expected an integer from 1 to 100/);
    expect(message).toMatch(/canary\.yaml:15: promote\.consecutive: expected an integer >= 1/);
    expect(message).toMatch(/canary\.yaml:22: rollback\.rules\[0\]\.mode: expected one of .*did you mean "significant"/);
    expect(message).toMatch(/canary\.yaml:24: rollback\.rules\[2\]\.metric: unknown metric "eror_rate".*did you mean "error_rate"/);
    expect(message).toMatch(/5 problems/);
  });

  test("a tenant stage with an actuator that cannot target tenants is refused at validation", () => {
    const text = validPlan.replace(/actuator:[\s\S]*$/, "actuator: { kind: webhook, url: http://127.0.0.1:9/hook }\n");
    const message = problemsOf(text);
    expect(message).toMatch(/canary\.yaml:10: stages\[0\]\.tenants: the actuator kind webhook cannot target tenants/);
    expect(message).toMatch(/canary\.yaml:11: stages\[1\]\.tenants: /);
  });

  test.each([
    ["a missing window", (t: string) => t.replace("window: 15m\n", ""), /window: required: a duration/],
    ["a name that is not a folder name", (t: string) => t.replace("name: support-bot-2025-01", "name: ../x"), /name: expected letters/],
    [
      "percentages that do not grow",
      (t: string) => t.replace("{ percent: 100, min_duration: 24h }", "{ percent: 5 }"),
      /stages\[3\]\.percent: expected more than/,
    ],
    [
      "a tenant stage after a percentage",
      (t: string) => t.replace("{ percent: 5 }", "{ percent: 5 }\n  - { tenants: [late] }"),
      /stages\[3\]: tenant stages come before/,
    ],
    [
      "an actuator missing a field",
      (t: string) => t.replace(/actuator:[\s\S]*$/, "actuator: { kind: litellm, path: c.yaml }\n"),
      /actuator\.model_name: required/,
    ],
    ["an unknown actuator kind", (t: string) => t.replace(/actuator:[\s\S]*$/, "actuator: { kind: unleesh }\n"), /actuator\.kind: expected one of/],
    ["a bad start", (t: string) => t.replace("max_duration: 7d", "max_duration: 7d\nstart: yesterday"), /start: expected an ISO 8601 time/],
    [
      "an unknown import format",
      (t: string) => t.replace("traffic: logs/traffic/*.jsonl", "traffic: { format: splunk, path: x }"),
      /traffic\.format: expected one of/,
    ],
    [
      "a rule without rules",
      (t: string) => t.replace(/promote:\n {2}consecutive: 4\n {2}rules:\n( {4}- .*\n){2}/, "promote: { consecutive: 4 }\n"),
      /promote\.rules: required/,
    ],
  ])("%s", (_, edit, pattern) => {
    expect(problemsOf(edit(validPlan))).toMatch(pattern);
  });

  test("a rubric that does not load is one problem at rubric:, and the rules' names are not also reported", () => {
    const message = problemsOf(validPlan.replace("rubric: live.yaml", "rubric: missing.yaml"));
    expect(message).toMatch(/canary\.yaml:2: rubric: the rubric missing\.yaml does not load/);
    expect(message).toMatch(/1 problem\b/);
  });
});

describe("the shipped example", () => {
  test("examples/canary/canary.yaml (the article's rule) is a valid plan", () => {
    const plan = loadCanaryPlan(join(import.meta.dirname, "../../examples/canary/canary.yaml"));
    expect(plan.promote).toMatchObject({ consecutive: 4 });
    expect(plan.stages.map((s) => s.name)).toEqual(["internal", "10%", "20%", "30%", "50%", "100%"]);
  });
});
