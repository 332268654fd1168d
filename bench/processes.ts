/**
 * The bench's child processes: the loopback model server (bench/server.ts) and a measured `node` run,
 * whose CPU time and peak RSS come from the kernel's rusage of the finished child, via GNU time
 * (`/usr/bin/time`, Debian package `time`); without it (or with BENCH_NO_GNU_TIME=1), an `--import`
 * preload writes the child's own `process.resourceUsage()` at exit (bench/rusage-on-exit.mjs).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const gnuTime = process.env.BENCH_NO_GNU_TIME ? undefined : ["/usr/bin/time", "/bin/time"].find((path) => existsSync(path));

/** What the server is asked to be: its latency, and past how many requests in flight it answers 429. */
export interface ServerShape {
  latencyMs: number;
  throttleAt?: number;
}

export interface Usage {
  cpuMs: number;
  peakRssMb: number;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** where the usage file goes */
  scratch: string;
  /** the node binary (default: this process's) */
  node?: string;
}

export interface RunningServer {
  url: string;
  stop(): Promise<{ requests: number; maxInFlight: number; throttled: number; cpuMs: number }>;
}

export async function startServer(cell: ServerShape): Promise<RunningServer> {
  const args = ["--import", "tsx", join(root, "bench", "server.ts"), "--latency", String(cell.latencyMs)];
  if (cell.throttleAt !== undefined) args.push("--max-in-flight", String(cell.throttleAt));
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let buffered = "";
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    lines.push(...parts);
    wake?.();
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const nextLine = async (prefix: string): Promise<string> => {
    for (;;) {
      const found = lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return found.slice(prefix.length);
      if (child.exitCode !== null) throw new Error(`bench server exited (${child.exitCode}) before printing ${prefix.trim()}`);
      await new Promise<void>((done) => {
        wake = done;
        setTimeout(done, 100);
      });
    }
  };
  const url = await nextLine("URL ");
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      const stats = JSON.parse(await nextLine("STATS "));
      await exited;
      return stats;
    },
  };
}

/** Runs `node <args>` to completion; wall time measured here, CPU and peak RSS from the kernel's rusage. */
export async function runNode(args: string[], options: RunOptions): Promise<Usage & { wallS: number; exitCode: number; stderr: string }> {
  const usageFile = join(options.scratch, `usage-${process.hrtime.bigint()}.txt`);
  let child: ChildProcess;
  const node = options.node ?? process.execPath;
  const env = { ...options.env };
  if (gnuTime) {
    child = spawn(gnuTime, ["-f", "%e %U %S %M", "-o", usageFile, node, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
  } else {
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --import=${pathToFileURL(join(root, "bench", "rusage-on-exit.mjs")).href}`;
    env.BENCH_RUSAGE_FILE = usageFile;
    child = spawn(node, args, { cwd: options.cwd, env, stdio: ["ignore", "ignore", "pipe"] });
  }
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const started = performance.now();
  const exitCode = await new Promise<number>((done) => child.once("exit", (code) => done(code ?? -1)));
  const wallS = (performance.now() - started) / 1000;
  const usage = readUsage(usageFile);
  rmSync(usageFile, { force: true });
  // GNU time reports the child's status on stderr when it is non-zero ("Command exited with non-zero status 1").
  return { wallS, exitCode, stderr: stderr.replace(/^Command exited with non-zero status \d+\n/m, ""), ...usage };
}

function readUsage(file: string): Usage {
  const text = readFileSync(file, "utf8").trim();
  if (gnuTime) {
    // -o files may start with "Command exited with non-zero status N"; the format line is last.
    const [, user, system, maxKb] = (text.split("\n").pop() ?? "").split(" ").map(Number);
    return { cpuMs: Math.round(((user ?? 0) + (system ?? 0)) * 1000), peakRssMb: (maxKb ?? 0) / 1024 };
  }
  const usage = JSON.parse(text) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
  return { cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000), peakRssMb: usage.maxRSS / 1024 };
}
