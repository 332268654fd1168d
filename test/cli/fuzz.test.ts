/**
 * Input fuzzing through the real CLI entry point: generated malformed datasets, rubrics and configs
 * (truncated lines, a wrong type at every field, huge strings, deep nesting, BOMs, CRLF, invalid UTF-8,
 * NaN/Infinity literals, `__proto__`/`constructor`/`prototype` keys) must end `modelgate validate` in
 * exit 0 or exit 2 with a message — never a crash, never a hang — and must never touch Object.prototype.
 * Seeded, so a failure replays; bounded to a few seconds. Also: a 200 MB dataset is streamed, and
 * `__proto__` keys in a dataset pollute nothing through a real run and a replay either.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { stringify as toYaml } from "yaml";
import type { RunReport } from "../../src/types.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioEvalArgs } from "../support/scenario.js";

// ---------------------------------------------------------------- harness

/** Seeded and small by default; `FUZZ_SEED=... FUZZ_SCALE=20 npx vitest run test/cli/fuzz.test.ts` to hunt longer. */
const fuzzSeed = Number(process.env.FUZZ_SEED) || undefined;
const fuzzScale = Number(process.env.FUZZ_SCALE) || 1;
function fuzzOptions(seed: number, numRuns: number): { seed: number; numRuns: number } {
  return { seed: fuzzSeed ?? seed, numRuns: numRuns * fuzzScale };
}

type Files = Record<string, string | Buffer>;

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

/** No run may add anything to Object.prototype (or Array.prototype), whatever the input. */
function expectPrototypesClean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
}

/** Runs `validate` on the files in a fresh folder (removed afterwards); fails on a hang. */
async function validate(files: Files, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-fuzz-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`validate hung on ${JSON.stringify(files).slice(0, 500)}`)), 10_000);
    });
    try {
      return await Promise.race([runModelgate(args, { cwd: dir, env: {} }), hang]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Exit 0 with an `ok:` summary, or exit 2 with an `error:` message; nothing else. */
function expectCleanOutcome(result: { exitCode: number; stdout: string; stderr: string }, files: Files): void {
  const context = `stderr: ${result.stderr.slice(0, 2_000)}\ninput: ${JSON.stringify(files).slice(0, 1_000)}`;
  expect(result.stderr, context).not.toContain("crashed");
  expect(result.stderr, context).not.toMatch(/\n\s+at /);
  expect([0, 2], context).toContain(result.exitCode);
  if (result.exitCode === 2) expect(result.stderr, context).toMatch(/^error: \S.*/);
  else expect(result.stdout, context).toMatch(/^ok: /m);
  expectPrototypesClean();
}

// ---------------------------------------------------------------- hostile values

/** An object whose JSON has the key `__proto__` (or another) as an own key, as JSON.parse would make it. */
function withKey(key: string, value: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

const protoKey = fc.constantFrom("__proto__", "constructor", "prototype");

/** A wrong-typed, oversized, deeply nested or prototype-poking value for any field. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 6 },
  { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, "", " ", "\u0000", "{{x}}", "$regex", [], {}), weight: 4 },
  { arbitrary: fc.integer({ min: 10_000, max: 300_000 }).map((n) => "x".repeat(n)), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.tuple(fc.integer({ min: 150, max: 400 }), fc.boolean()).map(([depth, asArray]) => nested(depth, 1, asArray)), weight: 1 },
  { arbitrary: protoKey.map((key) => withKey(key, { polluted: 1 })), weight: 3 },
  { arbitrary: fc.constantFrom({ $regex: "(a+)+$" }, { $approx: "x" }, { $oneOf: 3 }, { $aprox: 1 }, { $schema: { type: "strin" } }), weight: 2 },
);

/** Every path into `value` (objects and arrays), the root included. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const paths: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

type Mutation = { path: number; op: "set" | "delete" | "proto"; value: unknown; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.nat(),
  op: fc.constantFrom("set", "set", "set", "delete", "proto"),
  value: hostileValue,
  key: protoKey,
});

/** Applies mutations to a deep copy of `base`: a hostile value at a path, a deleted field, or a `__proto__` key. */
function mutate(base: unknown, mutations: Mutation[]): unknown {
  let root = structuredClone(base);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.path % paths.length] ?? [];
    if (path.length === 0) {
      if (m.op === "set") root = m.value;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (m.op === "set") Object.defineProperty(parent, last, { value: m.value, enumerable: true, writable: true, configurable: true });
    else if (m.op === "delete") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (typeof target === "object" && target !== null && !Array.isArray(target)) {
        Object.defineProperty(target, m.key, { value: { polluted: 1 }, enumerable: true, writable: true, configurable: true });
      } else parent[last] = withKey(m.key, { polluted: 1 });
    }
  }
  return root;
}

// ---------------------------------------------------------------- text-level damage

type Damage = (text: string, at: number) => string | Buffer;

const invalidUtf8 = [
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xe2, 0x82]),
];

function splice(text: string, at: number, insert: string): string {
  const index = text.length === 0 ? 0 : at % (text.length + 1);
  return text.slice(0, index) + insert + text.slice(index);
}

const damages: Record<string, Damage> = {
  none: (text) => text,
  truncate: (text, at) => text.slice(0, text.length === 0 ? 0 : at % text.length),
  bom: (text) => `\uFEFF${text}`,
  bomInside: (text, at) => splice(text, at, "\uFEFF"),
  crlf: (text) => text.replace(/\n/g, "\r\n"),
  loneCr: (text) => text.replace(/\n/g, "\r"),
  nan: (text) => text.replace(/-?\d+(\.\d+)?/, "NaN"),
  infinity: (text) => text.replace(/-?\d+(\.\d+)?/, "Infinity"),
  negInfinity: (text) => text.replace(/-?\d+(\.\d+)?/, "-Infinity"),
  hugeExponent: (text) => text.replace(/-?\d+(\.\d+)?/, "1e999999"),
  yamlNan: (text) => text.replace(/-?\d+(\.\d+)?/, ".nan"),
  yamlInf: (text) => text.replace(/-?\d+(\.\d+)?/, "-.inf"),
  nul: (text, at) => splice(text, at, "\u0000"),
  loneSurrogate: (text) => text.replace(/"([^"\\]*)"/, '"\\ud800$1"'),
  trailingComma: (text) => text.replace(/([}\]])\s*$/, ",$1"),
  singleQuotes: (text) => text.replace(/"/g, "'"),
  yamlTag: (text) => text.replace(/: /, ": !!binary "),
  yamlAlias: (text) => text.replace(/: /, ": *nowhere "),
  tabs: (text) => text.replace(/ {2}/g, "\t"),
  invalidUtf8: (text, at) => {
    const index = text.length === 0 ? 0 : at % (text.length + 1);
    const bytes = invalidUtf8[at % invalidUtf8.length] ?? Buffer.alloc(0);
    return Buffer.concat([Buffer.from(text.slice(0, index)), bytes, Buffer.from(text.slice(index))]);
  },
};

const damage = fc.record({ kind: fc.constantFrom(...Object.keys(damages)), at: fc.nat() });

function applyDamage(text: string, d: { kind: string; at: number }): string | Buffer {
  return (damages[d.kind] ?? damages.none)?.(text, d.at) ?? text;
}

function toBuffer(parts: Array<string | Buffer>, separator: string): Buffer {
  const buffers: Buffer[] = [];
  parts.forEach((part, index) => {
    if (index > 0) buffers.push(Buffer.from(separator));
    buffers.push(typeof part === "string" ? Buffer.from(part) : part);
  });
  return Buffer.concat(buffers);
}

// ---------------------------------------------------------------- valid starting points

const refundTool = {
  name: "issue_refund",
  description: "Refund an order",
  parameters: { type: "object", properties: { order_id: { type: "string" }, amount: { type: "number" } }, required: ["order_id"] },
};

const baseCase = {
  id: "c1",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Refund {{order}}" },
    { role: "assistant", content: "", tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1" } }] },
    { role: "tool", content: "ok", tool_call_id: "call_1", name: "issue_refund" },
  ],
  vars: { order: "A-1" },
  tools: [refundTool],
  tool_choice: "auto",
  expected: {
    output: "Refunded A-1",
    schema: { type: "object", properties: { ok: { type: "boolean" } } },
    tool_calls: [{ name: "issue_refund", arguments: { order_id: { $regex: "^A-\\d+$" }, amount: { $approx: 3, $tol: 0.1 } } }],
  },
  criteria: "be correct",
  tags: ["a", "tenant:acme"],
  metadata: { source: "fuzz", n: 1 },
};
const inputCase = { id: "c2", input: "How long is the window?", expected: { output: "30 days", schema_ref: "schema.json" }, tags: ["b"] };
const schemaFile = { type: "object", required: ["a"], properties: { a: { type: "string", format: "date" } } };

const baseRubric = {
  name: "fuzz",
  dataset: "data.jsonl",
  judge: { provider: "openai", model: "gpt-4o-2024-08-06" },
  checks: [
    { id: "format", type: "json-schema", category: "format", when: { tags: ["a"] } },
    { id: "tools", type: "tool-calls", order: "any", extra_calls: "forbid", extra_arguments: "allow" },
    { id: "helpful", type: "judge", criteria: "Answers the question.", scale: [1, 5], pass_at: 4 },
    { id: "pair", type: "judge", mode: "pairwise", criteria: "Better answer." },
    { id: "polite", type: "not-refusal" },
    { id: "cites", type: "contains", value: "{{order}}", ignore_case: true },
    { id: "shape", type: "regex", pattern: "^R", flags: "i" },
    { id: "exact", type: "equals", value: "Refunded A-1" },
    { id: "json", type: "is-json" },
    { id: "tokens", type: "max-tokens", max: 100 },
    { id: "fast", type: "max-latency-ms", max: 1_000 },
  ],
  gate: [
    { metric: "quality.score", max_drop: 0.02 },
    { metric: "format.pass_rate", max_drop: 0 },
    { metric: "latency.p95_ms", max: 3_000 },
    { metric: "cost.per_request_usd", max_increase: "10%" },
    { metric: "error_rate", max: 0.01 },
    { metric: "regressions", max: 0, mode: "significant" },
  ],
  segments: ["a"],
};

const baseConfig = {
  rubric: "rubric.yaml",
  dataset: "data.jsonl",
  concurrency: 4,
  repeat: 1,
  timeout: 1_000,
  max_retries: 2,
  variants: {
    stable: {
      provider: "openai",
      model: "gpt-4o-2024-08-06",
      prompt: "prompt.md",
      params: { temperature: 0, max_tokens: 512 },
      pricing: { input_per_mtok: 2.5, output_per_mtok: 10 },
      api_key_env: "MY_OPENAI_KEY",
      description: "the current one",
    },
    canary: { provider: "openai-compatible", base_url: "http://localhost:4000/v1", model: "m-2024-01-01" },
    inline: "anthropic:claude-3-5-sonnet-20241022",
  },
  judge: { provider: "anthropic", model: "claude-3-5-sonnet-20241022" },
  gate: [{ metric: "pass_rate", max_drop: 0.02 }],
};

const validRubricText =
  "name: t\ndataset: data.jsonl\nchecks:\n  - { id: answer, type: contains }\ngate:\n  - { metric: pass_rate, max_drop: 0.02 }\n";
const validDataText = `${JSON.stringify({ id: "c1", input: "Refund {{order}}", vars: { order: "A-1" }, expected: { output: "A-1" } })}\n`;

/** A structured file as YAML (block or flow) or JSON. */
const serialiseAs = fc.constantFrom<(value: unknown) => string>(
  (value) => toYaml(value),
  (value) => JSON.stringify(value, null, 2),
  (value) => JSON.stringify(value),
);

// ---------------------------------------------------------------- properties

describe("fuzzing modelgate validate: exit 0 or 2 with a message, never a crash or a hang", () => {
  test("malformed datasets", async () => {
    const line = fc.oneof(
      { arbitrary: fc.constant(JSON.stringify(inputCase)), weight: 2 },
      { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => JSON.stringify(mutate(baseCase, ms)) ?? "null"), weight: 8 },
      { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }).map((ms) => JSON.stringify(mutate(inputCase, ms)) ?? "null"), weight: 3 },
      { arbitrary: fc.constantFrom("", "   ", "// a comment", "# not a comment", "{", "}", "[]", "null", '"c1"', "NaN", "{}"), weight: 2 },
      {
        arbitrary: fc
          .integer({ min: 150, max: 20_000 })
          .map((depth) => `{"id":"deep","input":"a","metadata":${"[".repeat(depth)}${"]".repeat(depth)}}`),
        weight: 1,
      },
    );
    const dataset = fc.record({
      lines: fc.array(fc.tuple(line, damage), { minLength: 1, maxLength: 6 }),
      separator: fc.constantFrom("\n", "\r\n"),
      schema: fc.oneof(
        fc.constant(JSON.stringify(schemaFile)),
        fc.tuple(fc.array(mutation, { maxLength: 2 }), damage).map(([ms, d]) => applyDamage(JSON.stringify(mutate(schemaFile, ms)) ?? "", d)),
      ),
    });
    await fc.assert(
      fc.asyncProperty(dataset, async ({ lines, separator, schema }) => {
        const files: Files = {
          "rubric.yaml": validRubricText,
          "data.jsonl": toBuffer(
            lines.map(([text, d]) => applyDamage(text, d)),
            separator,
          ),
          "schema.json": schema,
        };
        expectCleanOutcome(await validate(files, ["validate", "--rubric", "rubric.yaml"]), files);
      }),
      fuzzOptions(20_250_301, 150),
    );
  });

  test("malformed rubrics", async () => {
    const rubric = fc.record({
      mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
      serialise: serialiseAs,
      damage,
      // now and then, flow collections nested past any sane depth instead
      deep: fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: fc.integer({ min: 200, max: 3_000 }), weight: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(rubric, async ({ mutations, serialise, damage: d, deep }) => {
        const text = deep
          ? `name: t\ndataset: data.jsonl\nchecks: ${"[".repeat(deep)}${"]".repeat(deep)}\n`
          : serialise(mutate(baseRubric, mutations));
        const files: Files = { "rubric.yaml": applyDamage(text, d), "data.jsonl": validDataText };
        expectCleanOutcome(await validate(files, ["validate", "--rubric", "rubric.yaml"]), files);
      }),
      fuzzOptions(20_250_302, 120),
    );
  });

  test("malformed configs", async () => {
    const config = fc.record({ mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }), serialise: serialiseAs, damage });
    await fc.assert(
      fc.asyncProperty(config, async ({ mutations, serialise, damage: d }) => {
        const files: Files = {
          "modelgate.config.yaml": applyDamage(serialise(mutate(baseConfig, mutations)), d),
          "rubric.yaml": validRubricText,
          "data.jsonl": validDataText,
          "prompt.md": "You help with order {{order}}.\n",
        };
        expectCleanOutcome(await validate(files, ["validate", "--config", "modelgate.config.yaml"]), files);
      }),
      fuzzOptions(20_250_303, 120),
    );
  });
});

// ---------------------------------------------------------------- prototype pollution through real runs

describe("__proto__ keys in a dataset pollute nothing", () => {
  const poison = '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}';
  const poisonedLine =
    `{"id": "p1", "input": "Refund {{order}}", "vars": {"order": "A-1", "__proto__": {"polluted": 1}},` +
    ` "metadata": ${poison},` +
    ` "tools": [{"name": "issue_refund", "parameters": {"type": "object", "properties": {"order_id": {"type": "string"},` +
    ` "__proto__": {"type": "object"}, "constructor": {"type": "object"}}}}],` +
    ` "expected": {"__proto__": {"polluted": 1}, "output": "A-1",` +
    ` "tool_calls": [{"name": "issue_refund", "arguments": {"order_id": "A-1", "__proto__": {"polluted": 1}}}]}}`;
  const messagesLine =
    `{"id": "p2", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "",` +
    ` "tool_calls": [{"name": "issue_refund", "arguments": ${poison}}]}, {"role": "user", "content": "again"}],` +
    ` "tools": [{"name": "issue_refund", "parameters": {"type": "object"}}], "metadata": {"__proto__": {"polluted": 1}}}`;
  const rubricText =
    "name: t\ndataset: data.jsonl\nchecks:\n  - { id: answer, type: contains }\n  - { id: tools, type: tool-calls, extra_arguments: allow }\n" +
    "gate:\n  - { metric: pass_rate, max_drop: 0.02 }\n";

  test("validate, a live run (tool-call arguments from the model carry __proto__ too) and a replay", async () => {
    const dir = makeProject({ "data.jsonl": `${poisonedLine}\n${messagesLine}\n`, "rubric.yaml": rubricText });
    const validated = await runModelgate(["validate", "--rubric", "rubric.yaml"], { cwd: dir, env: {} });
    expect(validated.stderr).not.toContain("crashed");
    expectPrototypesClean();

    const server = await fakeServerForTest({
      // The model answers with tool arguments that carry __proto__ as well.
      respond: () => ({ text: "A-1", tool_calls: [{ name: "issue_refund", arguments: `{"order_id": "A-1", ${poison.slice(1, -1)}}` }] }),
    });
    const args = [...scenarioEvalArgs, "--format", "table,json,md,html,junit"];
    const live = await runModelgate([...args, "--record", "run.cassette.jsonl", "--out", "live"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(live.stderr).not.toContain("crashed");
    expect([0, 1]).toContain(live.exitCode);
    expectPrototypesClean();

    const replayed = await runModelgate([...args, "--replay", "run.cassette.jsonl", "--out", "replay"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(replayed.stderr).not.toContain("crashed");
    expect(replayed.exitCode).toBe(live.exitCode);
    expectPrototypesClean();

    // The keys are kept as data, not dropped and not applied.
    for (const out of ["live", "replay"]) {
      const report = JSON.parse(readFileSync(join(dir, out, "report.json"), "utf8")) as RunReport;
      const p1 = report.cases.find((c) => c.id === "p1");
      expect(Object.hasOwn(p1?.metadata as object, "__proto__")).toBe(true);
      expect(Object.getPrototypeOf(p1?.metadata)).toBe(Object.prototype);
      const call = p1?.candidate[0]?.tool_calls[0];
      expect(Object.hasOwn(call?.arguments as object, "__proto__")).toBe(true);
      expect(p1?.candidate[0]?.checks.tools?.status).toBe("pass");
    }
  });
});

test("variant names that are Object.prototype members are usage errors, not crashes", async () => {
  const dir = makeProject({
    "modelgate.config.yaml": "rubric: rubric.yaml\nvariants:\n  stable: openai:gpt-4o-2024-08-06\n  __proto__: openai:gpt-4o-2024-11-20\n",
    "rubric.yaml": validRubricText,
    "data.jsonl": validDataText,
  });
  const validated = await runModelgate(["validate"], { cwd: dir, env: {} });
  expect(validated.stdout).toContain("2 variants");
  for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    const result = await runModelgate(["eval", "--baseline", name, "--candidate", "stable", "--replay", "none.jsonl"], { cwd: dir, env: {} });
    expect(result.stderr, name).not.toContain("crashed");
    expect(result.exitCode, name).toBe(2);
  }
  expectPrototypesClean();
});

// ---------------------------------------------------------------- streaming

const repoRoot = resolve(import.meta.dirname, "../..");

/** Peak resident memory (VmHWM, bytes) of a child, polled from /proc until it exits. */
function runMeasured(args: string[], cwd: string): Promise<{ exitCode: number | null; stderr: string; stdout: string; peakRss: number }> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), resolve(repoRoot, "src/bin.ts"), ...args], {
    cwd,
    env: { PATH: process.env.PATH },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let peakRss = 0;
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const poll = setInterval(() => {
    try {
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
      if (hwm !== undefined) peakRss = Math.max(peakRss, Number(hwm) * 1024);
    } catch {
      // exited between two polls
    }
  }, 20);
  return new Promise((done) =>
    child.on("close", (exitCode) => {
      clearInterval(poll);
      done({ exitCode, stderr, stdout, peakRss });
    }),
  );
}

describe.skipIf(process.platform !== "linux")("a 200 MB dataset is streamed, never read whole", () => {
  test("200 MB of comment lines: peak RSS stays under 150 MB, and the bad line at 2,000,002 is named", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-big-"));
    try {
      writeFileSync(join(dir, "rubric.yaml"), validRubricText.replace("data.jsonl", "big.jsonl"));
      const fd = openSync(join(dir, "big.jsonl"), "w");
      const comment = `// ${"x".repeat(96)}\n`; // 100 bytes
      const block = comment.repeat(10_000);
      let lines = 0;
      const caseLine = (id: string) => `${JSON.stringify({ id, input: "Refund {{order}}", vars: { order: id }, expected: { output: id } })}\n`;
      writeSync(fd, caseLine("first"));
      lines++;
      let nextCase = 500_000;
      while (lines < 2_000_000) {
        writeSync(fd, block);
        lines += 10_000;
        if (lines >= nextCase) {
          // a blank line and a case, now and then: what the validator keeps is the cases, not the bytes
          writeSync(fd, `\n${caseLine(`case-${lines}`)}`);
          lines += 2;
          nextCase += 500_000;
        }
      }
      writeSync(fd, '{"id": "broken", "input": }\n');
      const brokenLine = lines + 1;
      writeSync(fd, caseLine("last"));
      closeSync(fd);

      const result = await runMeasured(["validate", "--rubric", "rubric.yaml"], dir);
      expect(result.stderr).not.toContain("crashed");
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`big.jsonl:${brokenLine}: not valid JSON`);
      expect(brokenLine).toBeGreaterThan(2_000_000);
      expect(result.peakRss).toBeGreaterThan(10 * 1024 * 1024); // the probe read something
      expect(result.peakRss).toBeLessThan(150 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
