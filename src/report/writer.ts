import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { redactSecrets } from "../redact.js";

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
