import { appendFileSync } from "node:fs";
import type { CliIO } from "../cli-io.js";
import { outputWidth, useColor } from "../cli-io.js";
import { displayName } from "../paths.js";
import { redactedValue, redactSecrets } from "../redact.js";
import type { CaseRecord, CaseReport, RunReport, RunSummary } from "../types.js";
import { type FileFormat, fileFormats } from "./index.js";
import { renderMarkdown } from "./markdown.js";
import { renderTerminal } from "./terminal.js";
import { writeJsonReport, writeReportFile } from "./writer.js";

export interface EmitOptions {
  /** absolute folder the files go to */
  outDir: string;
  /** `table` and any file formats; report.json is always written */
  formats: string[];
  quiet: boolean;
  json: boolean;
  color?: boolean;
}

/** EmitOptions from a command's output flags. */
export function emitOptions(outDir: string, flags: Pick<EmitOptions, "formats" | "quiet" | "json"> & { color?: boolean | undefined }): EmitOptions {
  return { outDir, formats: flags.formats, quiet: flags.quiet, json: flags.json, ...(flags.color !== undefined ? { color: flags.color } : {}) };
}

/**
 * Where the full cases of a report whose cases are records come from (eval's case log): their
 * report.json lines, redacted already, and the parsed cases.
 */
export interface CaseSource {
  json(record: CaseRecord): string;
  full(record: CaseRecord): CaseReport;
}

/** The cases of a report that holds them all already. */
export function inMemoryCases(_report: RunReport): CaseSource {
  return {
    json: (record) => redactSecrets(JSON.stringify(record)),
    // The records of a RunReport are its full cases.
    full: (record) => redactedValue(record as CaseReport),
  };
}

/**
 * Writes a run report in every asked format (report.json always), appends the Markdown to
 * $GITHUB_STEP_SUMMARY in GitHub Actions, and prints the terminal table or the `--json` summary.
 * With a `CaseSource`, report.json copies the cases through, the table and Markdown read only the cases
 * they show, and only HTML and JUnit (which show every case) hold all of them at once.
 */
export function emitReport(report: RunReport, options: EmitOptions, io: CliIO): void;
export function emitReport(report: RunSummary, options: EmitOptions, io: CliIO, cases: CaseSource): void;
export function emitReport(given: RunSummary, options: EmitOptions, io: CliIO, cases?: CaseSource): void {
  const { outDir } = options;
  const shownDir = displayName(outDir);
  const { report, source } = redactedSummary(given, cases ?? inMemoryCases(given as RunReport));
  const written = writeReportFiles(report, new Set(["json", ...options.formats]), outDir, io, source);
  if (options.json) io.stdout.write(redactSecrets(`${JSON.stringify(summaryOf(report, outDir), null, 2)}\n`, io.env));
  else if (options.formats.includes("table") && !options.quiet) {
    printTerminal(
      report,
      { color: useColor(io, "stdout", options.color), reportDir: shownDir, formats: options.formats, caseDetail: (record) => source.full(record) },
      io,
    );
  }
  if (!options.quiet && !options.json) io.stderr.write(`reports written to ${shownDir}/ (${written.join(", ")})\n`);
}

/** Prints the terminal table, fitted to stdout's width and masked after rendering like every file (the one terminal output path). */
export function printTerminal(report: RunSummary, options: Parameters<typeof renderTerminal>[1], io: CliIO): void {
  io.stdout.write(redactSecrets(renderTerminal(report, { width: outputWidth(io, "stdout"), ...options }), io.env));
}

/**
 * The summary with its secrets masked before any renderer cuts an excerpt from it: the head, and each
 * record (its check reasons may quote a model's output). Records of a case log keep their identity,
 * which the log finds the full case by, when they hold nothing to mask.
 */
export function redactedSummary(report: RunSummary, cases: CaseSource): { report: RunSummary; source: CaseSource } {
  const { cases: records, ...head } = report;
  const originals = new Map<CaseRecord, CaseRecord>();
  const masked = records.map((record) => {
    const copy = redactedValue(record);
    if (copy !== record) originals.set(copy, record);
    return copy;
  });
  const original = (record: CaseRecord) => originals.get(record) ?? record;
  const source: CaseSource =
    originals.size === 0 ? cases : { json: (record) => cases.json(original(record)), full: (record) => cases.full(original(record)) };
  return { report: { ...redactedValue(head), cases: masked }, source };
}

/**
 * Writes the asked file formats (`table` is not a file) to `outDir`, and in GitHub Actions appends the
 * Markdown to the job's summary page; returns the file names written. A summary page that cannot be
 * written is a warning: the reports are what the run owes.
 */
export function writeReportFiles(report: RunSummary, formats: Iterable<string>, outDir: string, io: CliIO, cases: CaseSource): string[] {
  const shownDir = displayName(outDir);
  const written: string[] = [];
  let whole: RunReport | undefined;
  const full = (): RunReport => (whole ??= { ...report, cases: report.cases.map((record) => cases.full(record)) });
  for (const format of formats) {
    if (format === "table") continue;
    if (format === "json") {
      writeJsonReport(outDir, report, (record) => cases.json(record));
      written.push("report.json");
      continue;
    }
    const { file, render } = fileFormats[format as FileFormat];
    const content =
      format === "md"
        ? renderMarkdown(report, { reportDir: shownDir, caseDetail: (record) => cases.full(record) })
        : render(full(), { reportDir: shownDir });
    writeReportFile(outDir, file, content);
    written.push(file);
    if (format === "md" && io.env.GITHUB_STEP_SUMMARY) appendStepSummary(io.env.GITHUB_STEP_SUMMARY, content, io);
  }
  return written;
}

function appendStepSummary(path: string, content: string, io: CliIO): void {
  try {
    appendFileSync(path, `${redactSecrets(content, io.env)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    io.stderr.write(
      `warning: could not append the Markdown report to $GITHUB_STEP_SUMMARY (${displayName(path)}: ${code}); the report files are written\n`,
    );
  }
}

/** What `--json` prints: the verdict, each rule, the regressing cases. */
export function summaryOf(report: RunSummary, outDir: string) {
  return {
    verdict: report.gate.verdict,
    run_id: report.run.id,
    report: displayName(`${outDir}/report.json`),
    rules: report.gate.rules.map(({ metric, bound_text, mode, baseline, candidate, delta, ci, p_value, verdict, inconclusive, reason }) => ({
      metric,
      bound: bound_text,
      mode,
      baseline,
      candidate,
      delta,
      ci,
      p_value,
      verdict,
      inconclusive,
      reason,
    })),
    regressions: report.regressions,
    improvements: report.improvements,
  };
}
