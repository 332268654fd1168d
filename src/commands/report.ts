import { accessSync, constants, readFileSync, type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { useColor } from "../cli-io.js";
import { describeValue, throwIfIssues, UserError } from "../errors.js";
import { jsonErrorMessage } from "../fields.js";
import { gateExitCode } from "../gate/evaluate.js";
import { displayName } from "../paths.js";
import { printTerminal, redactedSummary, writeReportFiles } from "../report/emit.js";
import { type OpenedReport, openedWhole, openReport } from "../report/read-report.js";
import { caseIssues, reportHeadIssues } from "../report/validate-report.js";
import { makeFolders } from "../report/writer.js";
import { CaseLog, recordOf, SharedRecordValues } from "../run/case-log.js";
import type { CaseRecord, Issue, RunReport } from "../types.js";

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
 * `modelgate report <run.json>`: re-renders a saved run without calling any model. The file is untrusted
 * (it may come from anywhere): it is checked against the report schema, every problem with its JSON path
 * (exit 2), before anything is written, and every field is rendered as untrusted text. Writes the asked
 * file formats, prints the terminal table (unless --quiet), and exits by the saved verdict (0 pass,
 * 1 fail, 4 inconclusive, 3 error), so a pipeline can gate on a report produced elsewhere.
 */
export function runReport(options: ReportOptions, io: CliIO): number {
  const source = resolve(io.cwd, options.file);
  const shown = displayName(source);
  const { saved, issues } = openSaved(source);
  const outDir = resolve(io.cwd, options.out ?? dirname(source));
  const reportDir = displayName(outDir);
  // Re-rendering report.json onto itself would only rewrite the same bytes.
  const files = [...new Set(options.formats)].filter(
    (format) => format !== "table" && !(format === "json" && resolve(outDir, "report.json") === source),
  );
  // Cases are read one at a time: only their records stay in memory, the full cases wait in a case log
  // when a file format needs them (none does for the table alone, which then writes nothing).
  if (files.length > 0) makeOutFolder(outDir, reportDir);
  const caseLog = files.length > 0 ? new CaseLog(outDir) : undefined;
  try {
    const records: CaseRecord[] = [];
    const shared = new SharedRecordValues();
    let index = 0;
    for (const testCase of saved.cases()) {
      const problems = caseIssues(testCase, index, shown, saved.caseLine?.());
      index++;
      if (problems.length > 0) {
        issues.push(...problems);
        if (issues.length >= 200) break;
        continue;
      }
      if (issues.length === 0) records.push(caseLog ? caseLog.append(testCase) : recordOf(testCase, shared));
    }
    throwIfIssues(issues, "report");
    const { report, source: cases } = redactedSummary({ ...saved.head, cases: records }, caseLog ?? noCases);
    const written = caseLog ? writeReportFiles(report, files, outDir, io, cases) : [];
    if (!options.quiet) {
      // The "next: open …" line points at a rendered HTML or Markdown report; without one there is nothing new to open.
      const readable = options.formats.includes("html") || options.formats.includes("md");
      const caseDetail = caseLog ? { caseDetail: (record: CaseRecord) => cases.full(record) } : {};
      printTerminal(
        report,
        { color: useColor(io, "stdout", options.color), formats: options.formats, ...(readable ? { reportDir } : {}), ...caseDetail },
        io,
      );
      if (written.length > 0) io.stderr.write(`reports written to ${reportDir}/ (${written.join(", ")})\n`);
    }
    return gateExitCode(report.gate);
  } finally {
    caseLog?.dispose();
  }
}

/** The table alone needs no full case. */
const noCases = {
  json: () => {
    throw new Error("internal: no case log");
  },
  full: () => {
    throw new Error("internal: no case log");
  },
};

function makeOutFolder(outDir: string, shown: string): void {
  try {
    makeFolders(outDir);
    accessSync(outDir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(`--out ${shown}: cannot write reports there (${code}); choose a folder you can write to`);
  }
}

/**
 * A saved run, opened to be read a case at a time, with the problems of its head (exit 2 at once if it
 * is no report at all); the caller adds its cases' problems, so every problem is listed at once.
 */
function openSaved(path: string): { saved: OpenedReport; issues: Issue[] } {
  const shown = displayName(path);
  checkRegularFile(path, shown);
  let opened: OpenedReport | undefined;
  try {
    opened = openReport(path, shown);
  } catch (error) {
    throw new UserError(`${shown}: cannot read the report: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!opened) {
    const { report, issues } = parseWhole(path);
    return { saved: openedWhole(report), issues };
  }
  return { saved: opened, issues: headIssues(opened.head, shown) };
}

/** A report is a regular file: a FIFO would block the read forever, a device never end. */
function checkRegularFile(path: string, shown: string): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${shown}: cannot read the report: ${code === "ENOENT" ? "file not found" : (code ?? (error as Error).message)}`);
  }
  if (!stats.isFile()) throw new UserError(`${shown}: cannot read the report: not a regular file`);
}

/** A report read whole (one not laid out a case per line) is held in memory: beyond this it is refused. */
const maxWholeReportBytes = 512 * 1024 * 1024;

/** Reads a saved run and checks it is a modelgate report.json this version can render (exit 2 if not). */
export function readReport(path: string): RunReport {
  const { report, issues } = parseWhole(path);
  throwIfIssues(issues, "report");
  return report;
}

/** A report.json read whole, and the problems of its head. */
function parseWhole(path: string): { report: RunReport; issues: Issue[] } {
  const shown = displayName(path);
  let text: string;
  try {
    if (statSync(path).size > maxWholeReportBytes) {
      throw new UserError(
        `${shown}: not a modelgate report this version can read whole: over ${maxWholeReportBytes / 1024 / 1024} MiB and not one case per line`,
      );
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${shown}: cannot read the report: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${shown}: not a modelgate report: not valid JSON (${jsonErrorMessage(error)})`);
  }
  const issues = headIssues(data, shown);
  if (!Array.isArray((data as { cases?: unknown }).cases)) issues.push({ file: shown, field: "cases", message: "expected array" });
  return { report: data as RunReport, issues };
}

/** The head of a parsed report against the report schema; exit 2 at once if it is no report of this version. */
function headIssues(data: unknown, shown: string): Issue[] {
  const version = (data as { schema_version?: unknown } | null)?.schema_version;
  if (typeof data !== "object" || data === null || Array.isArray(data) || version === undefined) {
    throw new UserError(`${shown}: not a modelgate report: expected a report.json written by \`modelgate eval\` (with "schema_version": 1)`);
  }
  if (version !== 1) {
    throw new UserError(`${shown}: report schema_version ${describeValue(version)} is not one this modelgate can read (it reads schema_version 1)`);
  }
  return reportHeadIssues({ ...data, cases: [] }, shown);
}
