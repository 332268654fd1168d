import { existsSync, readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { CaseLog, recordOf } from "../../src/run/case-log.js";
import type { CaseReport, CaseRun } from "../../src/types.js";
import { tempFolderForTest } from "../support/temp-folder.js";

const folder = () => tempFolderForTest("case-log-");

function run(output: string, extra: Partial<CaseRun> = {}): CaseRun {
  return {
    repeat: 0,
    output,
    tool_calls: [{ id: "call_1", name: "lookup", arguments: { q: output.slice(0, 10) } }],
    usage: { input_tokens: 10, output_tokens: 20 },
    latency_ms: 42,
    cost_usd: 0.001,
    attempts: 1,
    cached: false,
    error: null,
    checks: { fact: { status: "pass", score: 1, reason: "contains the fact" } },
    ...extra,
  };
}

function testCase(id: string, output: string): CaseReport {
  return {
    id,
    line: Number(id.replace(/\D/g, "")) || 1,
    tags: ["topic:a"],
    input: `question ${id} — ünïcödé ✓`,
    expected: { output: "x" },
    metadata: { source: id },
    baseline: [run(output)],
    candidate: [run(`${output}!`, { checks: { fact: { status: "fail", score: 0, reason: "missing" } } })],
    outcome: "regression",
  };
}

describe("CaseLog", () => {
  test("gives back each case exactly as report.json carries it, whatever order they finished in", () => {
    const log = new CaseLog(folder());
    const cases = Array.from({ length: 300 }, (_, i) => testCase(`c${i}`, `output ${i} ${"é".repeat(i % 7)} ${"x".repeat(2_000)}`));
    // Enough bytes to cross the write batch several times.
    const records = cases.map((c) => log.append(c));
    for (const i of [299, 0, 150, 1, 298]) {
      expect(log.json(records[i] as never)).toBe(JSON.stringify(cases[i]));
      expect(log.full(records[i] as never)).toEqual(cases[i]);
    }
    log.dispose();
  });

  test("a record keeps what aggregation reads and drops what the models and the dataset wrote", () => {
    const full = testCase("c7", "long answer");
    const record = recordOf(full);
    expect(record).toEqual({
      id: "c7",
      line: 7,
      tags: ["topic:a"],
      outcome: "regression",
      baseline: [
        {
          repeat: 0,
          usage: { input_tokens: 10, output_tokens: 20 },
          latency_ms: 42,
          cost_usd: 0.001,
          attempts: 1,
          cached: false,
          error: null,
          // A pass's reason stays in the case log; a failure's is kept, for the summaries that show it.
          checks: { fact: { status: "pass", score: 1 } },
        },
      ],
      candidate: [expect.objectContaining({ checks: { fact: { status: "fail", score: 0, reason: "missing" } } })],
    });
    expect(JSON.stringify(record)).not.toContain("long answer");
    expect(JSON.stringify(record)).not.toContain("question");
    expect(JSON.stringify(record)).not.toContain("lookup");
  });

  test("keeps every field a draw's record has, and the served model, stream timings and agreement", () => {
    const draw = run("x", {
      served_model: "gpt-x-2026",
      system_fingerprint: "fp_1",
      ttft_ms: 12,
      tokens_per_s: 80,
      agreement: { tool_calls: true, output_json: false },
      refusal: "I can't help with that",
      error: { kind: "server", status: 500, message: "boom" },
    });
    const { output: _o, tool_calls: _t, refusal: _r, ...expected } = draw;
    const record = recordOf({ ...testCase("c1", "x"), baseline: [draw] });
    expect(record.baseline[0]).toEqual({ ...expected, checks: { fact: { status: "pass", score: 1 } } });
  });

  test("alike parts of a run's records are kept once: passed checks, checks made only of them, agreements", () => {
    const log = new CaseLog(folder());
    const records = Array.from({ length: 50 }, (_, i) =>
      log.append({ ...testCase(`c${i}`, `a${i}`), candidate: [run(`b${i}`, { agreement: { output_json: true } })] }),
    );
    const [first, second] = records.map((record) => record.baseline[0]);
    expect(second?.checks).toBe(first?.checks);
    expect(records[9]?.candidate[0]?.agreement).toBe(records[3]?.candidate[0]?.agreement);
    expect(records[7]?.tags).toBe(records[2]?.tags);
    expect(second?.usage).toBe(first?.usage);
    expect(Object.isFrozen(first?.checks)).toBe(true);
    // A failed check is kept with its own reason, so its draw's checks are its own too.
    const failed = log.append(testCase("c99", "z")).candidate[0];
    expect(failed?.checks.fact).toEqual({ status: "fail", score: 0, reason: "missing" });
    expect(failed?.checks).not.toBe(first?.checks);
    log.dispose();
  });

  test("token counts are shared only when equal, and the report's own usage object is not frozen", () => {
    const log = new CaseLog(folder());
    const report = testCase("c1", "a");
    const a = log.append(report).baseline[0];
    const b = log.append({ ...testCase("c2", "b"), baseline: [run("b", { usage: { input_tokens: 10, output_tokens: 20, reasoning_tokens: 5 } })] })
      .baseline[0];
    const c = log.append({ ...testCase("c3", "c"), baseline: [run("c", { usage: { input_tokens: 10, output_tokens: 20, reasoning_tokens: 5 } })] })
      .baseline[0];
    expect(a?.usage).toEqual({ input_tokens: 10, output_tokens: 20 });
    expect(b?.usage).not.toBe(a?.usage);
    expect(c?.usage).toBe(b?.usage);
    expect(Object.isFrozen(report.baseline[0]?.usage)).toBe(false);
    log.dispose();
  });

  test("what reaches the disk is redacted", () => {
    const secret = "sk-proj-abcdefghijklmnopqrstuvwxyz123456";
    const log = new CaseLog(folder());
    const record = log.append(testCase("c1", `the key is ${secret}`));
    expect(log.json(record)).not.toContain(secret);
    expect(log.json(record)).toContain("the key is sk-proj-***");
    log.dispose();
  });

  test("dispose removes its scratch file; an unknown record is an internal error", () => {
    const dir = folder();
    const log = new CaseLog(dir);
    log.append(testCase("c1", "a"));
    expect(readdirSync(dir)).toHaveLength(1);
    expect(() => log.json(recordOf(testCase("c2", "b")))).toThrow(/not in the case log/);
    log.dispose();
    expect(existsSync(log.path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
