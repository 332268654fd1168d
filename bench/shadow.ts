/**
 * The shadow proxy's bench (SPEC §10, issue 20): the built CLI (`node dist/bin.js shadow`, its own
 * process) between a load generator of 64 keep-alive clients (this process: the same client pools for
 * direct and proxied calls) and loopback upstreams (baselines and candidates in two more processes).
 *
 * - added latency: median and p99 through the proxy minus calling the baseline directly, in
 *   interleaved ABBA rounds, with no copies, a fast, a slow (2 s) and a hanging candidate;
 * - memory: the proxy's RSS under a hanging candidate at full load (the queue is bounded);
 * - throughput: requests/s through the proxy against a zero-latency upstream;
 * - nginx `mirror` with the slow candidate, the same way, when nginx is installed.
 *
 *   npm run bench -- --shadow-only        # just this part (~4 min; --quick ~2.5 min)
 *   node --import tsx bench/shadow.ts     # the same
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { root } from "./processes.js";

export interface ShadowTarget {
  name: string;
  measured: number;
  limit: number;
  unit: string;
  atLeast?: boolean;
}

const clients = 64;
/**
 * The baseline answers in 40–60 ms (uniform). A fixed latency would keep the 64 clients in lockstep:
 * all 64 answers arrive in one timer tick and the proxy relays them one after another, which measures
 * that burst (the lockstep run prints it) rather than what a model API's varying latency gives.
 */
const baselineLatency = "40+20";
const lockstepLatencyMs = 50;
const body = JSON.stringify({
  model: "base-2024-01-01",
  messages: [
    { role: "system", content: "You are a support assistant." },
    { role: "user", content: "Where is my order A-1234? It was due yesterday." },
  ],
  temperature: 0,
});

interface Spawned {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

function spawnProcess(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Spawned {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function waitFor(spawned: Spawned, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = pattern.exec(spawned.output());
    if (match) return match;
    if (spawned.child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start:\n${spawned.output().slice(-2000)}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** One keep-alive client pool per target, kept across rounds (as an application keeps its connections). */
const pools = new Map<string, Pool>();
function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: clients, pipelining: 1, keepAliveTimeout: 60_000 });
    pools.set(origin, pool);
  }
  return pool;
}
async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  pools.clear();
}

/** 64 keep-alive clients sending back to back for `seconds`; each request's latency in ms. */
async function load(origin: string, path: string, seconds: number): Promise<{ latencies: number[]; errors: number; rps: number }> {
  const pool = poolFor(origin);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const sent = performance.now();
        try {
          const response = await pool.request({
            path,
            method: "POST",
            headers: { "content-type": "application/json", authorization: "Bearer sk-bench-client" },
            body,
          });
          await response.body.text();
          if (response.statusCode !== 200) errors++;
          else latencies.push(performance.now() - sent);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { latencies, errors, rps: latencies.length / elapsed };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/**
 * Interleaved rounds, direct and through `via`, by the same client pools, in ABBA order (so drift in
 * the machine's load, and whichever goes first after a pause, hits both alike); both warmed up first.
 */
async function compare(direct: string, via: { origin: string; path: string }, rounds: number, seconds: number) {
  const a: number[] = [];
  const b: number[] = [];
  let errors = 0;
  await load(direct, "/v1/chat/completions", 1);
  await load(via.origin, via.path, 1);
  for (let round = 0; round < rounds; round++) {
    const directFirst = round % 2 === 0;
    const first = directFirst ? await load(direct, "/v1/chat/completions", seconds) : await load(via.origin, via.path, seconds);
    const second = directFirst ? await load(via.origin, via.path, seconds) : await load(direct, "/v1/chat/completions", seconds);
    const [d, p] = directFirst ? [first, second] : [second, first];
    a.push(...d.latencies);
    b.push(...p.latencies);
    errors += d.errors + p.errors;
  }
  return {
    direct: { p50: quantile(a, 0.5), p99: quantile(a, 0.99) },
    proxied: { p50: quantile(b, 0.5), p99: quantile(b, 0.99) },
    addedP50: quantile(b, 0.5) - quantile(a, 0.5),
    addedP99: quantile(b, 0.99) - quantile(a, 0.99),
    errors,
    requests: a.length + b.length,
  };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function startProxy(bin: string, dir: string, candidateUrl: string, baselineUrl: string, extra: string[] = []) {
  writeFileSync(
    join(dir, "modelgate.config.yaml"),
    `variants:\n  base: { provider: openai-compatible, base_url: "${baselineUrl}/v1", model: base-2024-01-01 }\n` +
      `  cand: { provider: openai-compatible, base_url: "${candidateUrl}/v1", model: cand-2025-01-01 }\n`,
  );
  const proxy = spawnProcess(
    process.execPath,
    [bin, "shadow", "--listen", "127.0.0.1:0", "--baseline", "base", "--candidate", "cand", "--log", "log", "--grace", "500", ...extra],
    {
      cwd: dir,
    },
  );
  const url = (await waitFor(proxy, /listening on (http:\/\/[^/\s]+)/, "the shadow proxy"))[1] as string;
  return { proxy, url };
}

function nginxConf(prefix: string, baselineUrl: string, candidateUrl: string): string {
  const host = (url: string) => new URL(url).host;
  return `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  upstream baseline { server ${host(baselineUrl)}; keepalive 128; }
  upstream candidate { server ${host(candidateUrl)}; keepalive 128; }
  server {
    listen 127.0.0.1:0;
    keepalive_requests 100000;
    location / { mirror /mirror; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://baseline; }
    location = /mirror { internal; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://candidate$request_uri; }
  }
}
`;
}

function nginxBinary(): string | undefined {
  for (const path of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      execFileSync(path, ["-v"], { stdio: "ignore" });
      return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Runs the whole shadow bench; prints its figures and returns the targets it holds them to. */
export async function runShadowBench(options: { bin: string; quick?: boolean }): Promise<ShadowTarget[]> {
  const scratch = mkdtempSync(join(tmpdir(), "modelgate-shadow-bench-"));
  const upstreamProcess = (servers: string[]) =>
    spawnProcess(process.execPath, ["--import", "tsx", join(root, "bench", "shadow-upstream.ts"), ...servers.flatMap((spec) => ["--server", spec])], {
      cwd: root,
    });
  // The baselines and the candidates in two processes: a candidate stands for a remote API, and its
  // work (a fast one answers as many requests as the baseline) must not slow the baseline's answers in
  // the proxied rounds only.
  const upstream = upstreamProcess([`baseline=${baselineLatency}`, `lockstep=${lockstepLatencyMs}`, "zero=0"]);
  const candidates = upstreamProcess(["fast=0", "slow=2000", "hang=-1"]);
  const targets: ShadowTarget[] = [];
  const rounds = options.quick ? 4 : 8;
  try {
    await waitFor(upstream, /URL zero (\S+)/, "the baseline servers");
    await waitFor(candidates, /URL hang (\S+)/, "the candidate servers");
    const urls = Object.fromEntries(
      [...`${upstream.output()}${candidates.output()}`.matchAll(/URL (\w+) (\S+)/g)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    const runs = [
      { name: "no copies (--sample 0)", candidate: "fast", baseline: "baseline", extra: ["--sample", "0"], target: false },
      { name: "fast candidate", candidate: "fast", baseline: "baseline", extra: [], target: true },
      { name: "slow candidate", candidate: "slow", baseline: "baseline", extra: [], target: true },
      { name: "hang candidate", candidate: "hang", baseline: "baseline", extra: [], target: true },
      {
        name: `fast candidate, lockstep baseline (exactly ${lockstepLatencyMs} ms)`,
        candidate: "fast",
        baseline: "lockstep",
        extra: [],
        target: false,
      },
    ];
    for (const run of runs) {
      const dir = mkdtempSync(join(scratch, "run-"));
      const baseline = urls[run.baseline] as string;
      const { proxy, url } = await startProxy(options.bin, dir, urls[run.candidate] as string, baseline, run.extra);
      const peak = { rss: 0 };
      const sampler = setInterval(() => (peak.rss = Math.max(peak.rss, rssMb(proxy.child.pid as number))), 250);
      const result = await compare(baseline, { origin: url, path: "/v1/chat/completions" }, rounds, 2);
      clearInterval(sampler);
      console.log(
        `shadow, ${run.name}: direct p50 ${result.direct.p50.toFixed(2)} / p99 ${result.direct.p99.toFixed(2)} ms, ` +
          `proxied p50 ${result.proxied.p50.toFixed(2)} / p99 ${result.proxied.p99.toFixed(2)} ms ` +
          `(added ${result.addedP50.toFixed(2)} / ${result.addedP99.toFixed(2)} ms), ${result.requests} requests, ${result.errors} errors, proxy peak RSS ${peak.rss.toFixed(0)} MB`,
      );
      if (run.target)
        targets.push(
          { name: `shadow (${run.name}) added latency p50`, measured: result.addedP50, limit: 1, unit: "ms" },
          { name: `shadow (${run.name}) added latency p99`, measured: result.addedP99, limit: 3, unit: "ms" },
        );
      await proxy.stop();
      await closePools();
    }

    // Memory under a hanging candidate at full load: every request is copied and the copies never end.
    {
      const dir = join(scratch, "memory");
      mkdirSync(dir);
      const { proxy, url } = await startProxy(options.bin, dir, urls.hang as string, urls.zero as string);
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssMb(proxy.child.pid as number)), 250);
      const result = await load(url, "/v1/chat/completions", options.quick ? 6 : 12);
      clearInterval(sampler);
      const quarter = samples[Math.floor(samples.length / 4)] ?? 0;
      const last = samples.at(-1) ?? 0;
      const peakRss = Math.max(...samples);
      console.log(
        `shadow, hanging candidate at full load: ${result.latencies.length} requests (${result.rps.toFixed(0)}/s), ` +
          `proxy RSS ${quarter.toFixed(0)} MB after a quarter of the run, ${last.toFixed(0)} MB at the end, peak ${peakRss.toFixed(0)} MB`,
      );
      targets.push(
        { name: "shadow peak RSS, hanging candidate", measured: peakRss, limit: 200, unit: "MB" },
        { name: "shadow RSS growth over the last 3/4, hanging candidate", measured: last - quarter, limit: 25, unit: "MB" },
      );
      await proxy.stop();
    }

    // Throughput of the proxy itself against a zero-latency upstream (no copies: the served path alone).
    {
      const dir = join(scratch, "throughput");
      mkdirSync(dir);
      const { proxy, url } = await startProxy(options.bin, dir, urls.fast as string, urls.zero as string, ["--sample", "0"]);
      await load(url, "/v1/chat/completions", 1);
      const direct = await load(urls.zero as string, "/v1/chat/completions", 4);
      const proxied = await load(url, "/v1/chat/completions", 4);
      await proxy.stop();
      const copying = await startProxy(options.bin, join(scratch, "throughput"), urls.fast as string, urls.zero as string, ["--sample", "1"]);
      await load(copying.url, "/v1/chat/completions", 1);
      const withCopies = await load(copying.url, "/v1/chat/completions", 4);
      await copying.proxy.stop();
      console.log(
        `shadow throughput, zero-latency upstream, ${clients} clients: direct ${direct.rps.toFixed(0)} req/s, ` +
          `through the proxy ${proxied.rps.toFixed(0)} req/s (every request copied to a fast candidate: ${withCopies.rps.toFixed(0)} req/s)`,
      );
      targets.push({ name: "shadow throughput (proxy, zero-latency upstream)", measured: proxied.rps, limit: 5000, unit: "req/s", atLeast: true });
    }

    const nginx = nginxBinary();
    if (!nginx) console.log("nginx not installed: no comparison with nginx mirror (apt-get install -y nginx-light)");
    else {
      const prefix = join(scratch, "nginx");
      mkdirSync(prefix);
      // nginx cannot print a port it chose: find a free one first.
      const { createServer } = await import("node:net");
      const port = await new Promise<number>((done) => {
        const probe = createServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => done(port));
        });
      });
      writeFileSync(
        join(prefix, "nginx.conf"),
        nginxConf(prefix, urls.baseline as string, urls.slow as string).replace("127.0.0.1:0", `127.0.0.1:${port}`),
      );
      const server = spawnProcess(nginx, ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-g", "daemon off;"], { cwd: prefix });
      await new Promise((done) => setTimeout(done, 500));
      const result = await compare(
        urls.baseline as string,
        { origin: `http://127.0.0.1:${port}`, path: "/v1/chat/completions" },
        options.quick ? 2 : 3,
        3,
      );
      console.log(
        `nginx mirror, slow (2 s) candidate: proxied p50 ${result.proxied.p50.toFixed(2)} / p99 ${result.proxied.p99.toFixed(2)} ms ` +
          `(added ${result.addedP50.toFixed(2)} / ${result.addedP99.toFixed(2)} ms vs direct), ${result.errors} errors`,
      );
      await server.stop();
    }
  } finally {
    await closePools();
    await upstream.stop();
    await candidates.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return targets;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const targets = await runShadowBench({ bin: join(root, "dist", "bin.js"), quick: process.argv.includes("--quick") });
  for (const t of targets) {
    const pass = t.atLeast ? t.measured >= t.limit : t.measured <= t.limit;
    console.log(`${pass ? "PASS" : "FAIL"} ${t.name}: ${t.measured.toFixed(2)} ${t.unit} (limit ${t.atLeast ? ">=" : "<="} ${t.limit})`);
  }
}
