import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { TrafficLine } from "../../../src/traffic/types.js";
import { runModelgate } from "../../support/run-cli.js";
import { tempFolderForTest } from "../../support/temp-folder.js";

/** A minimal LiteLLM StandardLoggingPayload (litellm/types/utils.py). */
function payload(i: number, over: Record<string, unknown> = {}): string {
  const start = 1_781_259_300 + i;
  return JSON.stringify({
    id: `call-${i}`,
    trace_id: `trace-${i}`,
    call_type: "acompletion",
    stream: false,
    status: "success",
    model: "gpt-4o",
    model_group: "support",
    startTime: start,
    endTime: start + 0.5,
    completionStartTime: start + 0.5,
    prompt_tokens: 5,
    completion_tokens: 2,
    messages: [{ role: "user", content: `question ${i % 3}` }],
    response: { choices: [{ index: 0, message: { role: "assistant", content: `answer ${i}` } }] },
    model_parameters: {},
    metadata: { requester_metadata: { tenant: i % 4 === 0 ? "acme" : "globex" } },
    ...over,
  });
}

async function run(lines: string[], args: string[]) {
  const dir = tempFolderForTest("mg-import-flags-");
  writeFileSync(join(dir, "log.jsonl"), `${lines.join("\n")}\n`);
  const result = await runModelgate(["import", "litellm", "log.jsonl", "--out", "out.jsonl", ...args], { cwd: dir });
  let out: TrafficLine[] | undefined;
  try {
    out = readFileSync(join(dir, "out.jsonl"), "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TrafficLine);
  } catch {
    out = undefined;
  }
  return { ...result, out };
}

const twelve = Array.from({ length: 12 }, (_, i) => payload(i));

describe("import flags", () => {
  test("--since / --until keep the requests in the window", async () => {
    const { out, stdout } = await run(twelve, ["--since", String(1_781_259_303), "--until", new Date((1_781_259_305 + 0.1) * 1000).toISOString()]);
    expect(out?.map((l) => l.id)).toEqual(["trace-3", "trace-4", "trace-5"]);
    expect(stdout).toContain("3 before --since");
    expect(stdout).toContain("6 after --until");
  });

  test("--dedupe keeps the earliest of identical requests", async () => {
    const { out, stdout } = await run(twelve, ["--dedupe"]);
    expect(out?.map((l) => l.id)).toEqual(["trace-0", "trace-1", "trace-2"]);
    expect(stdout).toContain("--dedupe: 9 repeated request(s) left out");
  });

  test("--sample N --seed S: N lines, stratified by tags, the same for the same seed", async () => {
    const args = ["--tag", "tenant=metadata.requester_metadata.tenant", "--sample", "4", "--seed", "7"];
    const first = await run(twelve, args);
    const again = await run(twelve, args);
    expect(first.out).toHaveLength(4);
    expect(first.out?.map((l) => l.id)).toEqual(again.out?.map((l) => l.id));
    // 3 of 12 are acme: a quarter of the sample.
    expect(first.out?.filter((l) => l.tags?.includes("tenant:acme"))).toHaveLength(1);
    const other = await run(twelve, [...args.slice(0, -1), "8"]);
    expect(other.out).toHaveLength(4);
  });

  test("--strict makes a dropped record an error (exit 2), and nothing is written", async () => {
    const lines = [...twelve, payload(99, { call_type: "aembedding" })];
    const loose = await run(lines, []);
    expect(loose.exitCode).toBe(0);
    const strict = await run(lines, ["--strict"]);
    expect(strict.exitCode).toBe(2);
    expect(strict.stderr).toMatch(/log\.jsonl:13: dropped: call_type aembedding is not a chat completion/);
    expect(strict.out).toBeUndefined();
  });

  test("a bad line mid-file is unreadable input (exit 2, file:line); a torn last line is a warning", async () => {
    const bad = await run([twelve[0] as string, "{not json", twelve[1] as string], []);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("log.jsonl:2: not valid JSON");
    expect(bad.out).toBeUndefined();
    const torn = await run([twelve[0] as string, (twelve[1] as string).slice(0, 40)], []);
    expect(torn.exitCode).toBe(0);
    expect(torn.stderr).toContain("log.jsonl:2: the last line is not valid JSON");
    expect(torn.out).toHaveLength(1);
  });

  test("a missing input file is exit 2; secrets are masked even without --redact", async () => {
    const dir = tempFolderForTest("mg-import-flags-");
    const missing = await runModelgate(["import", "litellm", "nope.jsonl", "--out", "o.jsonl"], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("nope.jsonl");
    const withKey = payload(1, { messages: [{ role: "user", content: "my key is sk-proj-abcdefghijklmnop1234, mail a@b.io" }] });
    const { out } = await run([withKey], []);
    expect(out?.[0]?.request.messages).toEqual([{ role: "user", content: "my key is sk-proj-***, mail a@b.io" }]);
  });

  test("--out in a folder that does not exist yet: the folder is created (as eval's --out is)", async () => {
    const dir = tempFolderForTest("mg-import-flags-");
    writeFileSync(join(dir, "log.jsonl"), `${twelve.join("\n")}\n`);
    const result = await runModelgate(["import", "litellm", "log.jsonl", "--out", "reports/new/prod.traffic.jsonl"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(dir, "reports/new/prod.traffic.jsonl"), "utf8").trim().split("\n")).toHaveLength(12);
  });

  test("usage errors: unknown format, bad --arm", async () => {
    const dir = tempFolderForTest("mg-import-flags-");
    const unknown = await runModelgate(["import", "splunk", "x.jsonl", "--out", "o.jsonl"], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("openai-batch, otel, litellm, langfuse");
    const arm = await runModelgate(["import", "litellm", "x.jsonl", "--out", "o.jsonl", "--arm", "stable=gpt-4o"], { cwd: dir });
    expect(arm.exitCode).toBe(2);
    expect(arm.stderr).toContain("--arm expects baseline=VALUE or candidate=VALUE");
  });
});
