import { appendFileSync } from "node:fs";
import type { CliIO } from "../cli-io.js";
import { useColor } from "../cli-io.js";
import { displayName } from "../load/dataset.js";
import { redactSecrets } from "../redact.js";
import type { RunReport } from "../types.js";
import { type FileFormat, fileFormats } from "./index.js";
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

/**
 * Writes a run report in every asked format (report.json always), appends the Markdown to
 * $GITHUB_STEP_SUMMARY in GitHub Actions, and prints the terminal table or the `--json` summary.
 */
export function emitReport(report: RunReport, options: EmitOptions, io: CliIO): void {
  const { outDir } = options;
  const shownDir = displayName(outDir);
  const written: string[] = [];
  for (const format of new Set(["json", ...options.formats])) {
    if (format === "table") continue;
    if (format === "json") {
      writeJsonReport(outDir, report);
      written.push("report.json");
      continue;
    }
    const { file, render } = fileFormats[format as FileFormat];
    const content = render(report, { reportDir: shownDir });
    writeReportFile(outDir, file, content);
    written.push(file);
    // In GitHub Actions the Markdown summary also goes to the job's summary page.
    if (format === "md" && io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, `${redactSecrets(content, io.env)}\n`);
  }
  if (options.json) io.stdout.write(`${JSON.stringify(summaryOf(report, outDir), null, 2)}\n`);
  else if (options.formats.includes("table") && !options.quiet) {
    io.stdout.write(renderTerminal(report, { color: useColor(io, "stdout", options.color), reportDir: shownDir, formats: options.formats }));
  }
  if (!options.quiet && !options.json) io.stderr.write(`reports written to ${shownDir}/ (${written.join(", ")})\n`);
}

/** What `--json` prints: the verdict, each rule, the regressing cases. */
export function summaryOf(report: RunReport, outDir: string) {
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
