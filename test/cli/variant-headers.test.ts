import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

/** SPEC §2: a variant's `headers:` (literal or `{ env: NAME }`), sent on every request and masked everywhere. */

const gatewayConfig = "pk-config-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e";
const literal = "team-search-routing-0123456789abcdef";

function config(url: string, headers: string, params = "{ temperature: 0 }"): string {
  return [
    "rubric: rubric.yaml",
    "variants:",
    `  base: { provider: openai-compatible, base_url: "${url}", model: base-2024-01-01, params: ${params} }`,
    `  cand: { provider: openai-compatible, base_url: "${url}", model: cand-2024-01-01, headers: ${headers} }`,
    "",
  ].join("\n");
}

function everyWrittenFile(dir: string): string {
  const out = join(dir, "out");
  return readdirSync(out)
    .map((file) => readFileSync(join(out, file), "utf8"))
    .join("\n");
}

describe("variant headers", () => {
  test("literal and env headers reach the endpoint and no written byte holds their values", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({
      "data.jsonl": scenarioCases(3),
      "rubric.yaml": scenarioRubric,
      "modelgate.config.yaml": config(server.openaiBaseUrl, `{ x-portkey-config: { env: PORTKEY_CONFIG }, x-team: "${literal}" }`),
    });
    const result = await runModelgate(
      ["eval", "--baseline", "base", "--candidate", "cand", "--out", "out", "--format", "table,json,md,html,junit", "--record", "out/cassette.jsonl"],
      {
        cwd: dir,
        env: { PORTKEY_CONFIG: gatewayConfig },
      },
    );
    expect(result.exitCode).toBe(0);
    const candidate = server.stats.log.filter((request) => request.model.startsWith("cand"));
    expect(candidate).toHaveLength(3);
    for (const request of candidate) {
      expect(request.headers["x-portkey-config"]).toBe(gatewayConfig);
      expect(request.headers["x-team"]).toBe(literal);
      expect(JSON.stringify(request.body)).not.toContain(gatewayConfig);
    }
    expect(server.stats.log.filter((request) => request.model.startsWith("base")).every((request) => !request.headers["x-team"])).toBe(true);
    const written = result.stdout + result.stderr + everyWrittenFile(dir);
    expect(written).not.toContain(gatewayConfig);
    expect(written).not.toContain(literal);
  });

  test("a header whose variable is unset is an input error naming the variable; nothing is called", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({
      "data.jsonl": scenarioCases(2),
      "rubric.yaml": scenarioRubric,
      "modelgate.config.yaml": config(server.openaiBaseUrl, "{ x-portkey-config: { env: PORTKEY_CONFIG } }"),
    });
    const result = await runModelgate(["eval", "--baseline", "base", "--candidate", "cand", "--out", "out"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/header x-portkey-config from PORTKEY_CONFIG: set PORTKEY_CONFIG/);
    expect(server.stats.requests).toBe(0);
  });

  test.each([
    ["headers in params", "{ x-team: ok }", "{ headers: { x-team: ok } }", /variants\.base\.params\.headers: HTTP headers do not go in params/],
    ["a bad header name", "{ 'bad header': ok }", "{}", /variants\.cand\.headers\.bad header: not a valid HTTP header name/],
    ["a value that is neither", "{ x-team: 42 }", "{}", /variants\.cand\.headers\.x-team: expected a string, or \{ env: NAME \}/],
  ])("%s is an input error with the field", async (_name, headers, params, message) => {
    const dir = makeProject({
      "data.jsonl": scenarioCases(2),
      "rubric.yaml": scenarioRubric,
      "modelgate.config.yaml": config("http://127.0.0.1:9/v1", headers, params),
    });
    const result = await runModelgate(["validate"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
