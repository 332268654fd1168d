import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { useColor } from "../cli-io.js";
import { throwIfIssues, UserError } from "../errors.js";
import { gateExitCode } from "../gate/evaluate.js";
import { displayName } from "../load/dataset.js";
import { writeReportFiles } from "../report/emit.js";
import { type OpenedReport, openedWhole, openReport } from "../report/read-report.js";
import { renderTerminal } from "../report/terminal.js";
import { CaseLog, recordOf } from "../run/case-log.js";
import { limitHeapGrowth } from "../run/heap.js";
import type { CaseRecord, Issue, RunReport, RunSummary } from "../types.js";

/** `modelgate report` options, normalised by the CLI layer. */
export interface ReportOptions {
  /** the saved report.json */
  file: string;
  formats: string[];
  /** default: the folder of `file` */
  out?: string;
  quiet: boolean;
  color?: boolean;
}

/**
 * `modelgate report <run.json>`: re-renders a saved run without calling any model. Writes the asked file
 * formats, prints the terminal table (unless --quiet), and exits with the saved verdict (0 pass, 1 fail),
 * so a pipeline can gate on a report produced elsewhere.
 */
export function runReport(options: ReportOptions, io: CliIO): number {
  limitHeapGrowth();
  const source = resolve(io.cwd, options.file);
  const saved = openSaved(source);
  const outDir = resolve(io.cwd, options.out ?? dirname(source));
  const reportDir = displayName(outDir);
  // Re-rendering report.json onto itself would only rewrite the same bytes.
  const files = [...new Set(options.formats)].filter(
    (format) => format !== "table" && !(format === "json" && resolve(outDir, "report.json") === source),
  );
  // Cases are read one at a time: only their records stay in memory, the full cases wait in a case log
  // when a file format needs them (none does for the table alone, which then writes nothing).
  if (files.length > 0) mkdirSync(outDir, { recursive: true });
  const caseLog = files.length > 0 ? new CaseLog(outDir) : undefined;
  try {
    const records: CaseRecord[] = [];
    for (const testCase of saved.cases()) records.push(caseLog ? caseLog.append(testCase) : recordOf(testCase));
    const report: RunSummary = { ...saved.head, cases: records };
    const written = caseLog ? writeReportFiles(report, files, outDir, io, caseLog) : [];
    if (!options.quiet) {
      // The "next: open …" line points at a rendered HTML or Markdown report; without one there is nothing new to open.
      const readable = options.formats.includes("html") || options.formats.includes("md");
      io.stdout.write(
        renderTerminal(report, { color: useColor(io, "stdout", options.color), formats: options.formats, ...(readable ? { reportDir } : {}) }),
      );
      if (written.length > 0) io.stderr.write(`reports written to ${reportDir}/ (${written.join(", ")})\n`);
    }
    return gateExitCode(report.gate);
  } finally {
    caseLog?.dispose();
  }
}

/** A saved run, opened to be read a case at a time, and checked like `readReport` (exit 2 if it is not a report). */
function openSaved(path: string): OpenedReport {
  let opened: OpenedReport | undefined;
  try {
    opened = openReport(path, displayName(path));
  } catch (error) {
    throw new UserError(`${displayName(path)}: cannot read the report: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!opened) return openedWhole(readReport(path));
  checkReport(opened.head, displayName(path));
  return opened;
}

/** The top-level fields every renderer reads, and what each must be. */
const requiredFields: Array<{ path: string; kind: "object" | "array" | "string" }> = [
  { path: "run", kind: "object" },
  { path: "run.id", kind: "string" },
  { path: "run.requests", kind: "object" },
  { path: "run.warnings", kind: "array" },
  { path: "variants.baseline", kind: "object" },
  { path: "variants.candidate", kind: "object" },
  { path: "checks", kind: "array" },
  { path: "cases", kind: "array" },
  { path: "metrics", kind: "object" },
  { path: "comparison", kind: "array" },
  { path: "gate", kind: "object" },
  { path: "gate.rules", kind: "array" },
  { path: "regressions", kind: "array" },
  { path: "improvements", kind: "array" },
];

/** Reads a saved run and checks it is a modelgate report.json this version can render (exit 2 if not). */
export function readReport(path: string): RunReport {
  const shown = displayName(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UserError(`${shown}: cannot read the report: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${shown}: not a modelgate report: not valid JSON (${(error as Error).message})`);
  }
  checkReport(data, shown);
  return data as RunReport;
}

/** Checks parsed JSON is a modelgate report.json this version can render (exit 2 if not). */
function checkReport(data: unknown, shown: string): void {
  const version = (data as { schema_version?: unknown } | null)?.schema_version;
  if (typeof data !== "object" || data === null || Array.isArray(data) || version === undefined) {
    throw new UserError(`${shown}: not a modelgate report: expected a report.json written by \`modelgate eval\` (with "schema_version": 1)`);
  }
  if (version !== 1) {
    throw new UserError(`${shown}: report schema_version ${JSON.stringify(version)} is not one this modelgate can read (it reads schema_version 1)`);
  }
  const issues: Issue[] = [];
  for (const { path: field, kind } of requiredFields) {
    const value = field.split(".").reduce<unknown>((parent, key) => (isObject(parent) ? parent[key] : undefined), data);
    const ok = kind === "array" ? Array.isArray(value) : kind === "object" ? isObject(value) : typeof value === kind;
    if (!ok) issues.push({ file: shown, field, message: value === undefined ? `missing; expected ${article(kind)}` : `expected ${article(kind)}` });
  }
  const gate = (data as { gate?: unknown }).gate;
  const verdict = isObject(gate) ? gate.verdict : "pass";
  if (verdict !== "pass" && verdict !== "fail" && verdict !== "inconclusive" && verdict !== "error")
    issues.push({
      file: shown,
      field: "gate.verdict",
      message: `expected "pass", "fail", "inconclusive" or "error", got ${JSON.stringify(verdict) ?? "nothing"}`,
    });
  throwIfIssues(issues, "report");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function article(kind: string): string {
  return kind === "array" ? "an array" : kind === "object" ? "an object" : "a string";
}
