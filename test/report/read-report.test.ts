import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { UserError } from "../../src/errors.js";
import { openedWhole, openReport } from "../../src/report/read-report.js";
import { writeJsonReport } from "../../src/report/writer.js";
import type { RunReport } from "../../src/types.js";
import { makeCaseReport, makeCaseRun, makeLargeReport, makeReport } from "../support/make-report.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function written(report: RunReport): string {
  const dir = mkdtempSync(join(tmpdir(), "read-report-"));
  folders.push(dir);
  return writeJsonReport(dir, report);
}

function readBack(path: string): RunReport {
  const opened = openReport(path) ?? openedWhole(JSON.parse(readFileSync(path, "utf8")) as RunReport);
  return { ...opened.head, cases: [...opened.cases()] };
}

describe("openReport", () => {
  test("reads report.json as written, case by case, across read chunks and multi-byte characters", () => {
    const report = makeLargeReport(3_000);
    // Long multi-byte outputs, so lines and characters straddle the reader's 256 KB chunks.
    report.cases[7] = makeCaseReport({ id: "wide", baseline: [makeCaseRun({ output: "é✓🙂".repeat(70_000) })] });
    const path = written(report);
    expect(readBack(path)).toEqual(JSON.parse(readFileSync(path, "utf8")));
    expect(readBack(path).cases).toHaveLength(3_000);
  });

  test("a report.json of another layout (reformatted by a tool) is left to the caller to read whole, with the same result", () => {
    const report = makeReport();
    const path = written(report);
    const reformatted = path.replace(/report\.json$/, "reformatted.json");
    writeFileSync(reformatted, JSON.stringify(JSON.parse(readFileSync(path, "utf8")), null, 2));
    expect(openReport(reformatted)).toBeUndefined();
    expect(openReport(path)).toBeDefined();
    expect(readBack(reformatted)).toEqual(readBack(path));
    expect(readBack(reformatted).cases.length).toBeGreaterThan(0);
  });

  test("no cases", () => {
    const path = written({ ...makeReport(), cases: [] });
    expect(readBack(path).cases).toEqual([]);
    expect(readBack(path).gate).toEqual(makeReport().gate);
  });

  test("a file cut short is an input error naming the file and line, not a crash", () => {
    const path = written(makeLargeReport(50));
    const text = readFileSync(path, "utf8");
    const cut = path.replace(/report\.json$/, "cut.json");
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
    const reading = () => readBack(cut);
    expect(reading).toThrow(UserError);
    expect(reading).toThrow(/cut\.json:\d+: not a case of a modelgate report|ends inside its cases/);
  });

  test("not a report is left to the caller; no file is the file system's error", () => {
    const dir = mkdtempSync(join(tmpdir(), "read-report-"));
    folders.push(dir);
    writeFileSync(join(dir, "notes.json"), "hello");
    expect(openReport(join(dir, "notes.json"))).toBeUndefined();
    expect(() => openReport(join(dir, "missing.json"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
    expect(openedWhole(null as unknown as RunReport).head).toEqual({ cases: [] });
  });
});
