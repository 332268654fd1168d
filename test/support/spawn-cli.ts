import { spawn } from "node:child_process";
import { resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname, "../..");
const bin = resolve(repoRoot, "src/bin.ts");

export interface SpawnedCli {
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  stderrSoFar(): string;
}

/** Runs the real `modelgate` entry point as its own process (from source, via tsx), for signal tests. */
export function spawnModelgate(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): SpawnedCli {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), bin, ...args], {
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
