/**
 * Untrusted files (SECURITY.md): a dataset may name files, a dataset line may be anything, a rubric
 * may be broken YAML, and `--out` may be unwritable. Every one of these is an input error (exit 2) that
 * names the file, the line and the field, without a stack trace, before any request is paid for.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { makeProject, runModelgate } from "../support/run-cli.js";

const rubric = "name: t\ndataset: data.jsonl\nchecks:\n  - { id: exact, type: equals }\ngate:\n  - { metric: pass_rate, max_drop: 0 }\n";
const good = { id: "ok", input: "hi", expected: { output: "hello" } };
const jsonl = (...lines: Array<object | string>) => `${lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`;

async function validate(files: Record<string, string | object>, setup?: (dir: string) => void) {
  const dir = makeProject({ "rubric.yaml": rubric, ...files });
  setup?.(dir);
  const result = await runModelgate(["validate", "--rubric", "rubric.yaml"], { cwd: dir, env: {} });
  expect(result.stderr).not.toMatch(/crashed|\n\s+at /);
  return result;
}

describe("expected.schema_ref stays inside the dataset's folder", () => {
  test.each([
    {
      name: "a path up and out",
      ref: "../outside.json",
      expect: /data\.jsonl:2: expected\.schema_ref: .*outside\.json: leads outside the dataset's folder/,
    },
    {
      name: "an absolute path elsewhere",
      ref: "/etc/passwd",
      expect: /data\.jsonl:2: expected\.schema_ref: \/etc\/passwd: leads outside the dataset's folder/,
    },
    {
      name: "a device",
      ref: "dev-link",
      expect: /data\.jsonl:2: expected\.schema_ref: .*dev-link: is a symlink that leads outside the dataset's folder/,
    },
    { name: "a symlink out", ref: "escape.json", expect: /data\.jsonl:2: expected\.schema_ref: .*escape\.json: is a symlink that leads outside/ },
    {
      name: "a FIFO",
      ref: "pipe.json",
      expect: /data\.jsonl:2: expected\.schema_ref: .*pipe\.json: not a regular file \(a FIFO, device or socket\)/,
    },
    { name: "a huge file", ref: "huge.json", expect: /data\.jsonl:2: expected\.schema_ref: .*huge\.json: the file is over 4 MiB/ },
    { name: "not UTF-8", ref: "latin1.json", expect: /data\.jsonl:2: expected\.schema_ref: .*latin1\.json: not valid UTF-8/ },
  ])("$name", async (row) => {
    const result = await validate({ "data.jsonl": jsonl(good, { id: "c2", input: "a", expected: { schema_ref: row.ref } }) }, (dir) => {
      mkdirSync(join(dir, "..", "outside-of-project"), { recursive: true });
      writeFileSync(join(dir, "..", "outside.json"), "{}");
      symlinkSync("/dev/zero", join(dir, "dev-link"));
      symlinkSync("/etc/hostname", join(dir, "escape.json"));
      execFileSync("mkfifo", [join(dir, "pipe.json")]);
      const fd = openSync(join(dir, "huge.json"), "w");
      writeSync(fd, `{"description": "${"x".repeat(5 * 1024 * 1024)}"}`);
      closeSync(fd);
      writeFileSync(join(dir, "latin1.json"), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(row.expect);
  });

  test("a symlink that stays inside, and a subfolder, are fine", async () => {
    const schema = { type: "object" };
    const result = await validate(
      {
        "data.jsonl": jsonl(
          { id: "a", input: "x", expected: { schema_ref: "schemas/ticket.json" } },
          { id: "b", input: "y", expected: { schema_ref: "link.json" } },
        ),
      },
      (dir) => {
        mkdirSync(join(dir, "schemas"));
        writeFileSync(join(dir, "schemas", "ticket.json"), JSON.stringify(schema));
        symlinkSync(join(dir, "schemas", "ticket.json"), join(dir, "link.json"));
      },
    );
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });
});

describe("dataset lines are untrusted", () => {
  test("a line over 10 MiB is an input error naming file and line, and is never built whole", async () => {
    const dir = makeProject({ "rubric.yaml": rubric });
    const fd = openSync(join(dir, "data.jsonl"), "w");
    writeSync(fd, `${JSON.stringify(good)}\n{"id": "big", "input": "`);
    const block = "a".repeat(1 << 20);
    // 64 MiB on one line: holding it (and a copy per decode) would show in the heap.
    for (let i = 0; i < 64; i++) writeSync(fd, block);
    writeSync(fd, `"}\n${JSON.stringify({ ...good, id: "after" })}\n`);
    closeSync(fd);
    const before = process.memoryUsage().rss;
    const result = await runModelgate(["validate", "--rubric", "rubric.yaml"], { cwd: dir, env: {} });
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/data\.jsonl:2: line is over 10 MiB; a case must be smaller/);
    expect(result.stderr).toMatch(/invalid dataset: 1 problem\n/);
    expect(result.stderr).not.toMatch(/crashed|\n\s+at /);
  });

  test("invalid UTF-8 is reported with file, line and byte", async () => {
    const bytes = Buffer.concat([Buffer.from(`${JSON.stringify(good)}\n{"id": "b", "input": "caf`), Buffer.from([0xe9]), Buffer.from(`"}\n`)]);
    const result = await validate({ "data.jsonl": bytes.toString("latin1") }, (dir) => writeFileSync(join(dir, "data.jsonl"), bytes));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/data\.jsonl:2: not valid UTF-8 \(at byte 27 of the line\); save the file as UTF-8/);
  });

  test.each([
    { name: "NFC and NFD of the same text", first: "caf\u00e9-1", second: "cafe\u0301-1" },
    { name: "a zero-width space", first: "refund-001", second: "refund\u200B-001" },
    { name: "a BOM and a word joiner", first: "order-7", second: "\uFEFForder\u2060-7" },
  ])("look-alike case ids are an input error naming both lines: $name", async (row) => {
    const result = await validate({
      "data.jsonl": jsonl({ ...good, id: row.first }, { ...good, id: "other" }, { ...good, id: row.second }),
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/data\.jsonl:3: id: .* looks the same as the id .* on line 1 but differs in invisible ways/);
  });

  test("a dataset that is a FIFO is refused, not waited on", async () => {
    const result = await validate({}, (dir) => execFileSync("mkfifo", [join(dir, "data.jsonl")]));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/data\.jsonl: cannot read dataset: not a regular file/);
  });
});

describe("YAML errors carry a line", () => {
  test.each([
    { name: "a duplicate key", yaml: "name: t\nname: u\n", expect: /rubric\.yaml:2: Map keys must be unique/ },
    { name: "a tab indent", yaml: "name: t\n\tdataset: d\n", expect: /rubric\.yaml:2: Tabs are not allowed/ },
    { name: "an alias with no anchor", yaml: "name: t\ndataset: data.jsonl\nchecks: *nothing\n", expect: /rubric\.yaml:3: Unresolved alias/ },
    {
      name: "an alias bomb",
      yaml: "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
      expect: /rubric\.yaml:2: Excessive alias count/,
    },
  ])("$name", async (row) => {
    const dir = makeProject({ "rubric.yaml": row.yaml, "data.jsonl": jsonl(good) });
    const result = await runModelgate(["validate", "--rubric", "rubric.yaml"], { cwd: dir, env: {} });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(row.expect);
  });
});

describe("an unwritable --out is exit 2 before any request", () => {
  test.each([
    { name: "a read-only folder (/proc)", out: "/proc", expect: /--out \/proc: the folder is not writable/ },
    { name: "a folder that cannot be created", out: "/proc/modelgate-out", expect: /--out \/proc\/modelgate-out: cannot create the folder/ },
    { name: "a file", out: "rubric.yaml", expect: /--out \S*rubric\.yaml: exists and is not a folder/ },
  ])("$name", async (row) => {
    const dir = makeProject({ "rubric.yaml": rubric, "data.jsonl": jsonl(good) });
    // Nothing listens here: a request would fail as unreachable (exit 3), not as bad input.
    const env = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_API_KEY: "sk-test-unused-0000000000" };
    const result = await runModelgate(
      ["eval", "--rubric", "rubric.yaml", "--baseline", "openai:gpt-4o-2024-08-06", "--candidate", "openai:gpt-4o-2024-11-20", "--out", row.out],
      { cwd: dir, env },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(row.expect);
    expect(result.stderr).not.toMatch(/crashed|\n\s+at /);
  });
});

describe("files a rubric names stay inside the rubric's folder", () => {
  const data = [{ id: "a", input: "hi" }];
  test.each([
    [
      "a schema: outside the folder",
      "  - { id: s, type: json-schema, schema: ../outside.json }",
      /schema: \S*outside\.json: leads outside the rubric's folder/,
    ],
    [
      "a schema: by absolute path",
      "  - { id: s, type: json-schema, schema: /etc/passwd }",
      /schema: \/etc\/passwd: leads outside the rubric's folder/,
    ],
    [
      "a schema: symlinked to a device",
      "  - { id: s, type: json-schema, schema: zero.json }",
      /schema: \S*zero\.json: is a symlink that leads outside the rubric's folder/,
    ],
    [
      "a judge prompt: outside the folder",
      "  - { id: j, type: judge, criteria: ok, prompt: ../judge.md }",
      /prompt: \S*judge\.md: cannot use judge prompt: leads outside the rubric's folder/,
    ],
  ])("%s is exit 2 naming the field", async (_name, check, message) => {
    const dir = makeProject({ "outside.json": { type: "object" }, "judge.md": "x\n=== USER ===\n{{output}}" });
    mkdirSync(join(dir, "evals"));
    writeFileSync(join(dir, "evals", "data.jsonl"), `${data.map((row) => JSON.stringify(row)).join("\n")}\n`);
    symlinkSync("/dev/zero", join(dir, "evals", "zero.json"));
    writeFileSync(
      join(dir, "evals", "rubric.yaml"),
      `dataset: data.jsonl\njudge: { provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", model: judge-2024-01-01 }\nchecks:\n${check}\ngate:\n  - { metric: pass_rate, max_drop: 0 }\n`,
    );
    const result = await runModelgate(["validate", "--rubric", "evals/rubric.yaml"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("    at ");
  });
});
