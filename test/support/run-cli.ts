import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../../src/cli.js";

/**
 * What the CLI tests run: the sources in-process (default), or the shipped bundle as its own process
 * when MODELGATE_TEST_TARGET=dist (the "dist" project of vitest.config.ts sets it; dist/ is built by
 * test/support/build-dist.ts first). Both see only the env a test passes, so results compare.
 */
export const testTarget: "src" | "dist" = process.env.MODELGATE_TEST_TARGET === "dist" ? "dist" : "src";
export const distBin = resolve(import.meta.dirname, "../../dist/bin.js");

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
  if (testTarget === "dist") return runDist(args, options);
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

/** `node dist/bin.js` with the same cwd, env and streams (pipes: not a terminal); an abort is Ctrl-C. */
function runDist(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; signal?: AbortSignal }): Promise<CliResult> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, MODELGATE_RETRY_BASE_MS: "5", ...options.env };
  const child = spawn(process.execPath, [distBin, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const onAbort = () => child.kill("SIGINT");
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  return new Promise((done) =>
    child.on("close", (code, signal) => {
      options.signal?.removeEventListener("abort", onAbort);
      // A death by signal reads as a shell would report it (128 + n); a crash is never a clean exit.
      done({ exitCode: code ?? 128 + (signal === "SIGKILL" ? 9 : 2), stdout, stderr });
    }),
  );
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
