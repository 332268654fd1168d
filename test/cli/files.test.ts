/**
 * Files: every path resolves relative to the file that names it (not the working directory) and the
 * report names the resolved file; `--out` never deletes what it did not write; report files are
 * replaced atomically (temp + rename) and no temp file is left behind.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/types.js";
import { cacheEntries } from "../support/cache-entries.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioEvalArgs, scenarioRubric, scriptedModel } from "../support/scenario.js";

/** Every file under `dir`, relative. */
function listFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string, prefix: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child, `${prefix}${name}/`);
      else found.push(`${prefix}${name}`);
    }
  };
  walk(dir, "");
  return found.sort();
}

/** A path from the report, as the file it names (reports show paths relative to the process's cwd). */
function fileOf(path: string | undefined): string {
  return resolve(process.cwd(), path ?? "");
}

const ticketSchema = {
  type: "object",
  required: ["category", "priority"],
  properties: { category: { type: "string" }, priority: { enum: ["low", "high"] } },
};

describe("paths resolve relative to the file that names them", () => {
  test("config → rubric → dataset → schema_ref, prompt and a rubric schema file, run from another folder", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const root = makeProject({});
    const write = (path: string, content: string | object) => {
      mkdirSync(resolve(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), typeof content === "string" ? content : JSON.stringify(content));
    };
    write(
      "conf/modelgate.config.yaml",
      [
        "rubric: ../evals/support.yaml",
        "variants:",
        `  stable: { provider: openai-compatible, model: baseline-2024-01-01, prompt: ../prompts/support.md, base_url: "${server.openaiBaseUrl}" }`,
        `  canary: { provider: openai-compatible, model: candidate-2024-02-01, prompt: ../prompts/support.md, base_url: "${server.openaiBaseUrl}" }`,
        "",
      ].join("\n"),
    );
    write(
      "evals/support.yaml",
      "name: t\ndataset: ../datasets/support.jsonl\nchecks:\n  - { id: format, type: json-schema, when: { tags: [json] } }\n" +
        "  - { id: ticket, type: json-schema, schema: schemas/ticket.json, when: { tags: [json] } }\n" +
        "gate:\n  - { metric: pass_rate, max_drop: 0 }\n",
    );
    write("evals/schemas/ticket.json", ticketSchema);
    write("prompts/support.md", "You are the support bot for {{brand}}.\n");
    const cases = scenarioCases(3)
      .filter((_, index) => index % 3 === 1)
      .map((c) => ({ ...c, vars: { brand: "Acme" }, expected: { schema_ref: "schemas/ticket.json" } }));
    write("datasets/support.jsonl", `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
    write("datasets/schemas/ticket.json", ticketSchema);
    // Decoys where the same relative paths would land if they were read from the working directory.
    const cwd = join(root, "work", "deep");
    for (const decoy of ["work/evals/support.yaml", "work/datasets/support.jsonl", "work/prompts/support.md", "work/deep/schemas/ticket.json"]) {
      write(decoy, "{ not what you want");
    }

    const validated = await runModelgate(["validate", "--config", "../../conf/modelgate.config.yaml"], { cwd, env: {} });
    expect(validated.stderr).toBe("");
    expect(validated.exitCode).toBe(0);
    expect(validated.stdout).toContain(`ok: ${join(root, "datasets/support.jsonl")}: 1 cases`);

    const result = await runModelgate(
      ["eval", "--config", "../../conf/modelgate.config.yaml", "--baseline", "stable", "--candidate", "canary", "--no-cache", "--out", "out"],
      { cwd, env: {} },
    );
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(readFileSync(join(cwd, "out", "report.json"), "utf8")) as RunReport;
    expect(fileOf(report.run.dataset.path)).toBe(join(root, "datasets/support.jsonl"));
    expect(fileOf(report.run.rubric.path)).toBe(join(root, "evals/support.yaml"));
    expect(fileOf(report.variants.baseline.prompt_path)).toBe(join(root, "prompts/support.md"));
    expect(report.cases[0]?.expected?.schema_path).toBe(join(root, "datasets/schemas/ticket.json"));
    expect(report.cases[0]?.candidate[0]?.checks.ticket?.status).toBe("pass");
    expect(server.stats.log[0]?.system).toBe("You are the support bot for Acme.\n");
  });
});

describe("--out", () => {
  const args = scenarioEvalArgs;

  test("keeps every file it did not write, and replaces its own reports by rename", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(3), "rubric.yaml": scenarioRubric });
    mkdirSync(join(dir, "out", "notes"), { recursive: true });
    writeFileSync(join(dir, "out", "README.txt"), "mine");
    writeFileSync(join(dir, "out", "notes", "keep.md"), "mine too");
    writeFileSync(join(dir, "out", "report.html"), "an old report nobody asked to rewrite");
    writeFileSync(join(dir, "out", "report.json"), "old report");
    const before = statSync(join(dir, "out", "report.json")).ino;
    const reader = openSync(join(dir, "out", "report.json"), "r");
    try {
      const result = await runModelgate([...args, "--format", "table,json,md,junit", "--out", "out"], {
        cwd: dir,
        env: { OPENAI_BASE_URL: server.openaiBaseUrl },
      });
      expect(result.exitCode).toBe(0);
      expect(listFiles(join(dir, "out"))).toEqual(["README.txt", "junit.xml", "notes/keep.md", "report.html", "report.json", "report.md"]);
      expect(readFileSync(join(dir, "out", "README.txt"), "utf8")).toBe("mine");
      expect(readFileSync(join(dir, "out", "notes", "keep.md"), "utf8")).toBe("mine too");
      expect(readFileSync(join(dir, "out", "report.html"), "utf8")).toBe("an old report nobody asked to rewrite");
      // A new file renamed over the old one: a reader that had it open still sees the old, whole file.
      expect(statSync(join(dir, "out", "report.json")).ino).not.toBe(before);
      const buffer = Buffer.alloc(64);
      expect(buffer.subarray(0, readSync(reader, buffer, 0, 64, 0)).toString()).toBe("old report");
      expect((JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport).schema_version).toBe(1);
    } finally {
      closeSync(reader);
    }
  });

  test("--out . writes next to the inputs and removes none of them", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(3), "rubric.yaml": scenarioRubric, "notes.txt": "keep" });
    const result = await runModelgate([...args, "--format", "json,md", "--out", "."], { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.exitCode).toBe(0);
    expect(listFiles(dir).filter((name) => !name.startsWith(".modelgate/"))).toEqual([
      "data.jsonl",
      "notes.txt",
      "report.json",
      "report.md",
      "rubric.yaml",
    ]);
  });

  test("no temp file is left anywhere: reports, cache entries, cassette", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(6), "rubric.yaml": scenarioRubric });
    const result = await runModelgate([...args, "--format", "table,json,md,html,junit", "--record", "run.cassette.jsonl", "--out", "out"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(result.exitCode).toBe(0);
    const files = listFiles(dir);
    expect(cacheEntries(dir).entries).toHaveLength(12);
    expect(files.filter((name) => /\.tmp$|\.tmp\b/.test(name))).toEqual([]);
    expect(files.filter((name) => name.startsWith("out/"))).toEqual(["out/junit.xml", "out/report.html", "out/report.json", "out/report.md"]);
  });

  test("an --out that is a file is a usage error before any request, not a crash after the run", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(3), "rubric.yaml": scenarioRubric, out: "a file" });
    const result = await runModelgate([...args, "--out", "out"], { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(2);
    expect(server.stats.requests).toBe(0);
  });
});

describe("a report that cannot be written", () => {
  test("is a one-line error with exit 3, not a crash, and leaves no scratch file", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const dir = makeProject({ "data.jsonl": scenarioCases(3), "rubric.yaml": scenarioRubric });
    // report.json cannot replace a folder of that name.
    mkdirSync(join(dir, "out", "report.json"), { recursive: true });
    writeFileSync(join(dir, "out", "report.json", "keep.txt"), "mine");
    const result = await runModelgate([...scenarioEvalArgs, "--out", "out"], { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } });
    expect(result.stderr).not.toContain("crashed");
    expect(result.stderr).toMatch(/^error: the run could not complete: rename out\/report\.json failed \(E(ISDIR|NOTEMPTY)\)/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.exitCode).toBe(3);
    expect(listFiles(join(dir, "out"))).toEqual(["report.json/keep.txt"]);
  });
});

describe("cache clear", () => {
  test("--cache-dir naming a folder with other files deletes only cache entries", async () => {
    const dir = makeProject({ "data.jsonl": scenarioCases(1), "rubric.yaml": scenarioRubric });
    const result = await runModelgate(["cache", "clear", "--cache-dir", "."], { cwd: dir, env: {} });
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(dir, "data.jsonl"))).toBe(true);
  });
});
