/**
 * Secrets never leave the environment. Recognisable keys are planted in OPENAI_API_KEY,
 * ANTHROPIC_API_KEY, a variable named by `api_key_env`, and the userinfo of a `base_url`; then runs that
 * record, use the cache, write every report format, print `--json`, hit a gateway that echoes the
 * Authorization header in a 400 body, fail on a credentialed URL and replay — and every byte written
 * (reports, cache, cassette, step summary, stdout, stderr) is searched for the planted values.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { redactSecrets, secretValues } from "../../src/redact.js";
import type { RunReport } from "../../src/types.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { type CliResult, makeProject, runModelgate } from "../support/run-cli.js";
import { caseIdOf, scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

const openaiKey = "sk-test-PLANTEDSECRET-abc123";
const anthropicKey = "sk-ant-PLANTEDANTKEY-xyz789";
/** Not shaped like any known key: only the exact-value rule can catch it. */
const gatewayToken = "gw-PLANTEDGATEWAY-0000";
const urlPassword = "PLANTEDPASS";
const planted = [openaiKey, anthropicKey, gatewayToken, urlPassword];

/** Every file under `dir` except the inputs the test wrote, as `path → text`. */
function writtenFiles(dir: string, inputs: Set<string>): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else if (!inputs.has(relative(dir, child))) files.set(relative(dir, child), readFileSync(child, "latin1"));
    }
  };
  walk(dir);
  return files;
}

/** Fails naming the file and the planted value, and shows the neighbourhood of the leak. */
function expectNoPlanted(where: string, text: string): void {
  for (const value of planted) {
    // not even a recognisable part: a truncated echo still leaks most of a key
    for (const part of [value, "PLANTED"]) {
      const at = text.indexOf(part);
      expect(at, `${where} leaks ${value}: …${text.slice(Math.max(0, at - 80), at + 80)}…`).toBe(-1);
    }
  }
}

describe("planted secrets appear in no byte modelgate writes", () => {
  test("record, cache, every format, --json, an echoing gateway, a credentialed URL, replay", async () => {
    const server = await fakeServerForTest({
      respond: scriptedModel(),
      // This gateway echoes the request's Authorization / x-api-key header in its 400 body.
      fault: (request) => (caseIdOf(request) === "json-001" ? { kind: "echo-auth" } : undefined),
    });
    const credentialed = server.openaiBaseUrl.replace("http://", `http://modelgate:${urlPassword}@`);
    const config = [
      "rubric: rubric.yaml",
      "variants:",
      "  oa: { provider: openai, model: gpt-4o-2024-08-06 }",
      "  an: { provider: anthropic, model: claude-3-5-sonnet-20241022 }",
      `  gw: { provider: openai-compatible, model: gw-model-2024-01-01, base_url: "${server.openaiBaseUrl}", api_key_env: GATEWAY_TOKEN }`,
      `  creds: { provider: openai-compatible, model: creds-model-2024-01-01, base_url: "${credentialed}" }`,
      "",
    ].join("\n");
    const dir = makeProject({ "modelgate.config.yaml": config, "data.jsonl": scenarioCases(6), "rubric.yaml": scenarioRubric });
    const inputs = new Set(["modelgate.config.yaml", "data.jsonl", "rubric.yaml"]);
    const env = {
      OPENAI_API_KEY: openaiKey,
      ANTHROPIC_API_KEY: anthropicKey,
      GATEWAY_TOKEN: gatewayToken,
      OPENAI_BASE_URL: server.openaiBaseUrl,
      ANTHROPIC_BASE_URL: server.anthropicBaseUrl,
      GITHUB_STEP_SUMMARY: join(dir, "step-summary.md"),
    };
    const allFormats = ["--format", "table,json,md,html,junit"];
    const results: Array<[string, CliResult]> = [];
    const run = async (name: string, args: string[]) => {
      const result = await runModelgate(args, { cwd: dir, env });
      expect(result.stderr, name).not.toContain("crashed");
      results.push([name, result]);
      return result;
    };

    const recorded = await run("record", [
      "eval",
      "--baseline",
      "oa",
      "--candidate",
      "an",
      "--record",
      "run.cassette.jsonl",
      ...allFormats,
      "--out",
      "out-record",
    ]);
    expect(recorded.exitCode).toBe(1); // json-001 errored on both sides: error_rate over the bound
    await run("cached, --json", ["eval", "--baseline", "oa", "--candidate", "gw", "--json", "--out", "out-json"]);
    const failing = await run("credentialed base_url", ["eval", "--baseline", "oa", "--candidate", "creds", ...allFormats, "--out", "out-creds"]);
    expect(failing.exitCode).toBe(3);
    await run("replay", ["eval", "--baseline", "oa", "--candidate", "an", "--replay", "run.cassette.jsonl", ...allFormats, "--out", "out-replay"]);
    await run("a key typed into a flag", ["eval", "--baseline", "oa", "--candidate", "an", "--concurrency", openaiKey]);

    const files = writtenFiles(dir, inputs);
    for (const expected of ["run.cassette.jsonl", "step-summary.md", "out-record/report.html", "out-record/junit.xml", "out-creds/report.md"]) {
      expect([...files.keys()]).toContain(expected);
    }
    expect([...files.keys()].some((name) => name.startsWith(".modelgate/cache/"))).toBe(true);
    for (const [name, text] of files) expectNoPlanted(name, text);
    for (const [name, result] of results) {
      expectNoPlanted(`stdout of ${name}`, result.stdout);
      expectNoPlanted(`stderr of ${name}`, result.stderr);
    }

    // The keys were really used and really echoed: the masking is what kept them out.
    const headers = server.stats.log.map((request) => `${request.headers.authorization ?? ""} ${request.headers["x-api-key"] ?? ""}`).join("\n");
    expect(headers).toContain(`Bearer ${openaiKey}`);
    expect(headers).toContain(anthropicKey);
    expect(headers).toContain(`Bearer ${gatewayToken}`);
    const report = JSON.parse(readFileSync(join(dir, "out-record", "report.json"), "utf8")) as RunReport;
    const echoed = report.cases.find((c) => c.id === "json-001");
    expect(echoed?.baseline[0]?.error?.message).toBe("HTTP 400: invalid request headers: Bearer ***");
    expect(echoed?.candidate[0]?.error?.kind).toBe("bad_request");
    // The Anthropic SDK sends its key as a Bearer token (and older ones as x-api-key): masked either way.
    expect(echoed?.candidate[0]?.error?.message).toMatch(/^HTTP 400: invalid request headers: (Bearer \*\*\*|sk-ant-\*\*\*)$/);
    const gateway = JSON.parse(readFileSync(join(dir, "out-json", "report.json"), "utf8")) as RunReport;
    expect(gateway.cases.find((c) => c.id === "json-001")?.candidate[0]?.error?.message).toBe("HTTP 400: invalid request headers: Bearer ***");
    const creds = JSON.parse(readFileSync(join(dir, "out-creds", "report.json"), "utf8")) as RunReport;
    expect(creds.variants.candidate.base_url_host).toBe(new URL(server.openaiBaseUrl).host + "/v1");
    expect(creds.cases[0]?.candidate[0]?.error?.kind).toBe("network");
  });

  test("a bad base_url with credentials is reported without them", async () => {
    const dir = makeProject({
      "modelgate.config.yaml": `rubric: rubric.yaml\nvariants:\n  x: { provider: openai-compatible, model: m-2024-01-01, base_url: "ftp://admin:${urlPassword}@10.0.0.1/v1" }\n`,
      "data.jsonl": scenarioCases(1),
      "rubric.yaml": scenarioRubric,
    });
    const result = await runModelgate(["validate"], { cwd: dir, env: {} });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/variants\.x\.base_url: expected an http\(s\) URL/);
    expectNoPlanted("stderr", result.stderr);
  });
});

describe("redactSecrets", () => {
  const env = { OPENAI_API_KEY: openaiKey, MY_GATEWAY_TOKEN: gatewayToken, PROXY_URL: `http://me:${urlPassword}@proxy:3128`, SHORT_KEY: "abc" };

  test.each([
    { name: "an env key's exact value", input: `key=${gatewayToken};`, expected: "key=***;" },
    { name: "a key-shaped value", input: "sk-proj-abcdefghijklmnop", expected: "sk-proj-***" },
    { name: "a Bearer credential", input: "Authorization: Bearer abc.def-ghi_jkl", expected: "Authorization: Bearer ***" },
    { name: "URL userinfo", input: "GET https://bob:hunter2@api.example.com/v1 failed", expected: "GET https://***@api.example.com/v1 failed" },
    { name: "a password from a URL variable, wherever it appears", input: `password is ${urlPassword}`, expected: "password is ***" },
    { name: "a JSON-escaped form", input: JSON.stringify({ k: `"${gatewayToken}"` }), expected: '{"k":"\\"***\\""}' },
    { name: "short values are left alone", input: "abc and PATH", expected: "abc and PATH" },
    { name: "e-mail addresses are not userinfo", input: "write to me@example.com", expected: "write to me@example.com" },
  ])("$name", ({ input, expected }) => {
    expect(redactSecrets(input, env)).toBe(expected);
  });

  test("stays linear on output built to make a regex backtrack", () => {
    const started = performance.now();
    for (const text of ["a.".repeat(200_000), "a-".repeat(200_000), "x://".repeat(100_000), `http://${"b".repeat(400_000)}`, "sk-".repeat(130_000)]) {
      redactSecrets(text, env);
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test("which variables count as secrets", () => {
    expect(
      secretValues({ OPENAI_API_KEY: "sk-1234567890", PWD: "/home/dev/project", HOME: "/root", GH_TOKEN: "ghp_1234567890", PATH: "/usr/bin" }).sort(),
    ).toEqual(["ghp_1234567890", "sk-1234567890"]);
  });
});

/**
 * Keys shaped to slip past a masker that looks only at raw text: Markdown escapes `_ * | [ # ~`, JSON
 * escapes `"`, HTML and XML escape `" < & '`, and an excerpt cut keeps only a key's start. Each is the
 * value of the variable a gateway variant's `api_key_env` names (so the SDK sends it), and the model
 * echoes it into outputs at every offset where a report cuts an excerpt and into tool arguments; the
 * dataset has it in case ids and tags (cut by the reports too); the gateway echoes it in an error. No
 * byte written holds 10 characters of it.
 */
describe("keys of every hostile shape, in every format, through the real CLI", () => {
  const shapes = {
    markdown: "gw_PLANTED_md_under_score_0123456789abcd",
    "markdown punctuation": "gw*PLANTED*|pipe[br]#hash~tilde`0123456789",
    "JSON, HTML and XML": 'gw"PLANTED"<lt>&amp;\'apos>0123456789',
    "sk- shaped": "sk-PLANTEDopenAIkey0123456789abcdefghij",
    "sk-ant- shaped": "sk-ant-PLANTEDanthropic0123456789abcdef",
  };
  // Where a renderer cuts: terminal reasons (100), Markdown ids/reasons/excerpts (80–800), JUnit output (2000).
  const cuts = [80, 100, 120, 200, 300, 400, 800, 2000];

  function leaks(text: string, key: string): string[] {
    const found: string[] = [];
    if (text.includes("PLANTED")) found.push(`…${text.slice(Math.max(0, text.indexOf("PLANTED") - 40), text.indexOf("PLANTED") + 40)}…`);
    for (let i = 0; i + 10 <= key.length; i++) if (text.includes(key.slice(i, i + 10))) found.push(key.slice(i, i + 10));
    return found;
  }

  test.each(Object.entries(shapes))("%s", async (_shape, key) => {
    const server = await fakeServerForTest({
      respond: (request) => {
        const id = caseIdOf(request);
        if (!request.model.includes("cand")) return { text: "nothing" };
        if (id === "tool-1") return { tool_calls: [{ name: "note", arguments: { text: `the key is ${key}` } }] };
        const offset = Number(id.split("-")[1]);
        return { text: `${"x".repeat(Math.max(0, offset))}${key} and more after it` };
      },
      fault: (request) => (caseIdOf(request) === "echo-1" && request.model.includes("cand") ? { kind: "echo-auth" } : undefined),
    });
    const cases: object[] = [];
    for (const cut of cuts) {
      for (const before of [14, 6]) cases.push({ id: `cut-${cut - before}`, input: `[cut-${cut - before}] say it`, expected: { output: "nothing" } });
    }
    cases.push({
      id: "tool-1",
      input: "[tool-1] note it",
      tools: [{ name: "note", parameters: { type: "object", properties: { text: { type: "string" } } } }],
      expected: { output: "nothing" },
    });
    cases.push({ id: "echo-1", input: "[echo-1] anything", expected: { output: "nothing" } });
    // A key pasted into the dataset: ids and tags are shown (and cut) by every report.
    for (const cut of [80, 100, 120]) {
      cases.push({ id: `${"i".repeat(cut - 14)}${key}`, input: `[cut-${cut}] say it`, expected: { output: "nothing" }, tags: [`t-${key}`] });
    }
    const config = [
      "rubric: rubric.yaml",
      "variants:",
      `  base: { provider: openai-compatible, model: base-2024-01-01, base_url: "${server.openaiBaseUrl}", api_key_env: GATEWAY_TOKEN }`,
      `  cand: { provider: openai-compatible, model: cand-2024-01-01, base_url: "${server.openaiBaseUrl}", api_key_env: GATEWAY_TOKEN }`,
      "",
    ].join("\n");
    const rubric = "name: keys\ndataset: data.jsonl\nchecks:\n  - { id: exact, type: equals }\ngate:\n  - { metric: pass_rate, max_drop: 0 }\n";
    const dir = makeProject({ "modelgate.config.yaml": config, "data.jsonl": cases, "rubric.yaml": rubric });
    const inputs = new Set(["modelgate.config.yaml", "data.jsonl", "rubric.yaml"]);
    const env = { GATEWAY_TOKEN: key, GITHUB_STEP_SUMMARY: join(dir, "step-summary.md") };
    const base = ["eval", "--baseline", "base", "--candidate", "cand", "--no-cache"];
    const runs = [
      await runModelgate([...base, "--format", "table,json,md,html,junit", "--out", "out"], { cwd: dir, env }),
      await runModelgate([...base, "--json", "--out", "out-json"], { cwd: dir, env }),
      await runModelgate(["report", "out/report.json", "--format", "table,md,html,junit", "--out", "out-again"], { cwd: dir, env }),
    ];
    expect(runs.map((run) => run.exitCode)).toEqual([1, 1, 1]);
    // The key was really sent, and really came back: the masking is what kept it out.
    expect(server.stats.log.some((request) => request.headers.authorization === `Bearer ${key}`)).toBe(true);
    const files = writtenFiles(dir, inputs);
    for (const name of ["out/report.md", "out/report.html", "out/junit.xml", "out-again/report.html", "step-summary.md"])
      expect([...files.keys()]).toContain(name);
    for (const [name, text] of files) expect(leaks(text, key), name).toEqual([]);
    for (const [index, run] of runs.entries()) {
      expect(leaks(run.stdout, key), `stdout of run ${index}`).toEqual([]);
      expect(leaks(run.stderr, key), `stderr of run ${index}`).toEqual([]);
    }
    const report = JSON.parse(files.get("out/report.json") ?? "{}") as RunReport;
    expect(report.cases.find((c) => c.id === "cut-786")?.candidate[0]?.output).toMatch(/^x{786}(sk-(ant-)?)?\*\*\* and more after it$/);
  });
});
