import { describe, expect, test } from "vitest";
import { makeProject, runModelgate } from "../support/run-cli.js";

/**
 * SPEC §6: a rule that cannot be evaluated, where that is knowable before the run, is an input error from
 * `validate` and `eval` alike (exit 2, with "did you mean"), and nothing is called.
 */

const cases = [
  { id: "a", input: "[a] hi", tags: ["tenant:acme", "json"], vars: { order_id: "A-1" } },
  { id: "b", input: "[b] hi", tags: ["tenant:globex"], vars: { order_id: "B-2" } },
];

const rows = [
  {
    name: "a when: tag no case carries",
    rubric: "checks:\n  - { id: ok, type: is-json, when: { tags: [jsn] } }\ngate:\n  - { metric: pass_rate, max_drop: 0 }\n",
    message: /check ok\.when\.tags: tag "jsn" is on no case of \S*data\.jsonl — did you mean "json"\?/,
  },
  {
    name: "a segments: tag no case carries",
    rubric: "checks:\n  - { id: ok, type: is-json }\nsegments: [tenant:acmee]\ngate:\n  - { metric: pass_rate, max_drop: 0 }\n",
    message: /segments: segment tag "tenant:acmee" is on no case.*did you mean "tenant:acme"/,
  },
  {
    name: "a segment gate rule on a tag no case carries",
    rubric: "checks:\n  - { id: ok, type: is-json }\ngate:\n  - { metric: segment.tenant:initech.pass_rate, max_drop: 0 }\n",
    message: /gate\[0\]\.metric: segment tag "tenant:initech" is on no case/,
  },
  {
    name: "a {{var}} in a check value that a case lacks",
    rubric: "checks:\n  - { id: cites, type: contains, value: '{{order_idd}}' }\ngate:\n  - { metric: pass_rate, max_drop: 0 }\n",
    message: /data\.jsonl:1: check cites: value uses \{\{order_idd\}\}, which this case does not define in vars — did you mean "order_id"\?/,
  },
  {
    name: "a cost rule for a variant with no price",
    rubric: "checks:\n  - { id: ok, type: is-json }\ngate:\n  - { metric: cost.per_request_usd, max_increase: '10%' }\n",
    message: /gate\[0\]\.metric: cost\.per_request_usd needs a price for cand \(model in-house-2024-01-01\).*add pricing:/,
  },
];

const config = [
  "rubric: rubric.yaml",
  "variants:",
  "  base: { provider: openai-compatible, base_url: 'http://127.0.0.1:9/v1', model: base-2024-01-01, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }",
  "  cand: { provider: openai-compatible, base_url: 'http://127.0.0.1:9/v1', model: in-house-2024-01-01 }",
  "",
].join("\n");

describe("rules that cannot be evaluated, known before the run", () => {
  test.each(rows)("$name: exit 2 from validate and from eval", async ({ rubric, message }) => {
    const dir = makeProject({ "data.jsonl": cases, "rubric.yaml": `dataset: data.jsonl\n${rubric}`, "modelgate.config.yaml": config });
    const validated = await runModelgate(["validate"], { cwd: dir });
    expect(validated.exitCode).toBe(2);
    expect(validated.stderr).toMatch(message);
    // eval fails before any request (the endpoint does not exist: a request would be exit 3, not 2)
    const evaluated = await runModelgate(["eval", "--baseline", "base", "--candidate", "cand", "--out", "out"], { cwd: dir });
    expect(evaluated.exitCode).toBe(2);
    expect(evaluated.stderr).toMatch(message);
  });
});

describe("a rubric with no gate rules", () => {
  test("is a loud warning, and an input error under --strict", async () => {
    const dir = makeProject({
      "data.jsonl": cases,
      "rubric.yaml": "dataset: data.jsonl\nchecks:\n  - { id: ok, type: is-json }\n",
      "modelgate.config.yaml": config,
    });
    const validated = await runModelgate(["validate"], { cwd: dir });
    expect(validated.exitCode).toBe(0);
    expect(validated.stderr).toMatch(/warning: \S*rubric\.yaml has no gate rules: every run will pass/);
    const strict = await runModelgate(["eval", "--baseline", "base", "--candidate", "cand", "--strict", "--out", "out"], { cwd: dir });
    expect(strict.exitCode).toBe(2);
    expect(strict.stderr).toMatch(/--strict: .*has no gate rules/s);
  });
});
