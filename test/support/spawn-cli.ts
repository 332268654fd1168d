import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { distBin, testTarget } from "./run-cli.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const bin = resolve(repoRoot, "src/bin.ts");

export interface SpawnedCli {
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  stderrSoFar(): string;
}

/**
 * Runs the real `modelgate` entry point as its own process, for signal tests: from source via tsx, or
 * the built dist/bin.js when MODELGATE_TEST_TARGET=dist (see run-cli.ts).
 */
export function spawnModelgate(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): SpawnedCli {
  const entry = testTarget === "dist" ? [distBin] : ["--import", import.meta.resolve("tsx"), bin];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, MODELGATE_RETRY_BASE_MS: "5", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.on("close", (exitCode, signal) => done({ exitCode, signal, stdout, stderr })),
  );
  return { exited, kill: (signal) => child.kill(signal), stderrSoFar: () => stderr };
}
