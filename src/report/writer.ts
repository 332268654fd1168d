import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { redactSecrets } from "../redact.js";
import type { CaseRecord, RunReport, RunSummary } from "../types.js";

/**
 * `mkdir -p`, a level at a time. Node's own recursive mkdir never returns where a level answers ENOENT
 * though its parent exists (`--out /proc/x` spun forever): here that is an error like any other.
 */
export function makeFolders(path: string): void {
  const missing: string[] = [];
  for (let at = resolve(path); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) mkdirSync(folder);
}

/**
 * Writes a report file atomically (temp + rename): a reader never sees half a report. Secrets are masked
 * on the way out (redact.ts): a report is shared, pasted into PRs and uploaded as a CI artifact.
 */
export function writeReportFile(directory: string, name: string, content: string): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, name);
  const temp = join(directory, `.${name}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(temp, redactSecrets(content));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return path;
}

/**
 * Writes report.json a case at a time (atomically, secrets masked): a 100,000-case report never becomes
 * one string in memory. Cases go one per line; everything else is indented as usual. `caseJson` gives a
 * case's JSON (from memory, or from the run's case log, whose lines are redacted already).
 */
export function writeJsonReport(directory: string, report: RunReport): string;
export function writeJsonReport(directory: string, report: RunSummary, caseJson: (record: CaseRecord) => string): string;
export function writeJsonReport(
  directory: string,
  report: RunSummary,
  caseJson: (record: CaseRecord) => string = (record) => redactSecrets(JSON.stringify(record)),
): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, "report.json");
  const temp = join(directory, `.report.json.${randomBytes(4).toString("hex")}.tmp`);
  const { cases, ...rest } = report;
  const head = JSON.stringify(rest, null, 2);
  const fd = openSync(temp, "w");
  try {
    // Everything but the cases, then the cases spliced in as the last field.
    writeSync(fd, redactSecrets(`${head.slice(0, head.lastIndexOf("}")).trimEnd()},\n  "cases": [`));
    let buffer = "";
    cases.forEach((testCase, index) => {
      buffer += `${index === 0 ? "" : ","}\n    ${caseJson(testCase)}`;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = "";
      }
    });
    writeSync(fd, `${buffer}${cases.length > 0 ? "\n  " : ""}]\n}\n`);
    closeSync(fd);
    renameSync(temp, path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw error;
  }
  return path;
}
