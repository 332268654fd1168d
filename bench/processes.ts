/**
 * The bench's child processes: the loopback model server (bench/server.ts) and a measured `node` run.
 * Wall time is measured here, spawn to exit; CPU (user + system) and peak RSS are the child's own
 * `process.resourceUsage()` at exit, written by a preload (bench/rusage-on-exit.mjs) — the whole
 * process, start-up included.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface Usage {
  wallS: number;
  cpuMs: number;
  peakRssMb: number;
}

export interface RunningServer {
  url: string;
  /** Stops the server; what it saw: requests answered and the peak in flight. */
  stop(): Promise<{ requests: number; maxInFlight: number }>;
}

/** Starts bench/server.ts with `latencyMs` per reply, in its own process. */
export async function startServer(latencyMs: number): Promise<RunningServer> {
  const args = ["--import", "tsx", join(root, "bench", "server.ts"), "--latency", String(latencyMs)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    output += chunk;
  });
  const line = async (prefix: string): Promise<string> => {
    for (;;) {
      const match = new RegExp(`^${prefix} (.*)$`, "m").exec(output);
      if (match?.[1] !== undefined) return match[1];
      if (child.exitCode !== null) throw new Error(`bench server exited (${child.exitCode}) before printing ${prefix}`);
      await new Promise((done) => setTimeout(done, 20));
    }
  };
  const url = await line("URL");
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      const stats = JSON.parse(await line("STATS"));
      await exited;
      return stats;
    },
  };
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** where the usage file goes */
  scratch: string;
  /** the node binary (default: this process's) */
  node?: string;
}

/** Runs `node <args>` to completion and measures it. */
export async function runNode(args: string[], options: RunOptions): Promise<Usage & { exitCode: number; stderr: string }> {
  const usageFile = join(options.scratch, `usage-${process.hrtime.bigint()}.json`);
  const preload = pathToFileURL(join(root, "bench", "rusage-on-exit.mjs")).href;
  const env = { ...options.env, BENCH_RUSAGE_FILE: usageFile, NODE_OPTIONS: `${options.env.NODE_OPTIONS ?? ""} --import=${preload}`.trim() };
  const started = performance.now();
  const child = spawn(options.node ?? process.execPath, args, { cwd: options.cwd, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exitCode = await new Promise<number>((done) => child.once("exit", (code) => done(code ?? -1)));
  const wallS = (performance.now() - started) / 1000;
  if (!existsSync(usageFile)) throw new Error(`node ${args[0]} exited ${exitCode} before writing its usage:\n${stderr.slice(-2000)}`);
  const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
  rmSync(usageFile, { force: true });
  return {
    wallS,
    cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    peakRssMb: usage.maxRSS / 1024,
    exitCode,
    stderr,
  };
}
