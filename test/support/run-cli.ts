import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/cli.js";

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI entry point in-process with its own cwd, env and output buffers. Never throws:
 * whatever happens is in the exit code and the streams.
 */
export async function runModelgate(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; signal?: AbortSignal },
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const exitCode = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: { MODELGATE_RETRY_BASE_MS: "5", ...options.env } as NodeJS.ProcessEnv,
    cwd: options.cwd,
    signal: options.signal ?? new AbortController().signal,
  });
  return { exitCode, stdout, stderr };
}

/** A fresh temp folder with the given files (objects are written as JSON, arrays of objects as JSONL). */
export function makeProject(files: Record<string, string | object | object[]>): string {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-test-"));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    const text =
      typeof content === "string"
        ? content
        : Array.isArray(content)
          ? `${content.map((line) => JSON.stringify(line)).join("\n")}\n`
          : JSON.stringify(content, null, 2);
    writeFileSync(path, text);
  }
  return dir;
}
