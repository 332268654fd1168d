/**
 * End-to-end benchmark of the real CLI against the loopback model server (method and figures: bench/README.md).
 *
 *   npm run bench                      # full grid: N 1,000 / 10,000 × C 16 / 64 × L 0 / 50 ms, + a 429 cell
 *   npm run bench -- --quick           # N 1,000 only
 *   npm run bench -- --only 1000,16,0  # one cell: N,C,L[,K] (K: the server answers 429 past K in flight)
 *   npm run bench -- --big             # adds 100,000 cases × 2 at C=64, L=0 (memory target)
 *   npm run bench -- --json out.json   # also write the raw figures
 *   npm run bench -- --repeat 3        # each cell 3 times (and its SDK floor), the median reported
 *   npm run bench -- --promptfoo DIR [--promptfoo-node PATH]   # promptfoo on the same cells, side by side
 *   npm run bench -- --no-floor        # skip the SDK floor (bench/sdk-floor.mjs) runs
 *   npm run bench -- --no-replay       # skip the replay runs (a recorded run replayed: modelgate's own work alone)
 *   npm run bench -- --cache           # runs with the response cache on (the default), a fresh cache each run
 *   npm run bench -- --node-args "--trace-gc"   # node/V8 flags for the CLI runs (experiments)
 *   npm run bench -- --only 1000,16,0 --cpu-prof /tmp/prof   # CPU profile of the CLI (skews the timings);
 *   node --import tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile        # then summarise it
 *
 * The server (bench/server.ts) and the CLI (`node dist/bin.js eval`, rebuilt first when src/ is newer
 * than dist/) are separate processes, so the CLI's CPU and memory are its own. CPU time and peak RSS come
 * from the kernel's rusage of the finished child, via GNU time (`/usr/bin/time`, Debian package `time`);
 * without it (or with BENCH_NO_GNU_TIME=1), an `--import` preload writes the child's own
 * `process.resourceUsage()` at exit (bench/rusage-on-exit.mjs).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build as esbuild } from "esbuild";
import { gnuTime, type RunningServer, root, runNode, startServer, type Usage } from "./processes.js";
import { type PromptfooResult, promptfooMain, runPromptfoo } from "./promptfoo.js";

const bundledBin = join(root, "dist", "bin.js");
/** The CLI the cells run: the bundle, or under --cpu-prof one file per source file (so profiles name them). */
let bin = bundledBin;
/** bench/sdk-floor.mjs bundled with its imports (as dist/ is), so the floor pays no more to load than modelgate. */
let floorScript = "";

interface Cell {
  n: number;
  c: number;
  latencyMs: number;
  /** the server answers 429 past this many requests in flight */
  throttleAt?: number;
}

interface CellResult extends Cell, Usage {
  /** CPU per request beyond a 100-case run (`baseN`) with the same C, L, K: start-up and fixed costs taken out */
  marginalCpuMs?: number;
  /** CPU of bench/sdk-floor.mjs sending the same requests through the bare official client */
  floorCpuMs?: number;
  /**
   * modelgate's CPU beyond the floor: the median over repeats of (run − the floor run right after it).
   * Pairing cancels a slow spell of the machine that hits both; with one repeat it is run − floor.
   */
  ownCpuMs?: number;
  /** the same cell run by promptfoo (--promptfoo) */
  promptfoo?: PromptfooResult;
  /** modelgate's pass_rate per side, to set beside promptfoo's */
  passRate: { baseline: number | null; candidate: number | null };
  /** `modelgate merge` of this cell's report.json (the 100,000-case cell) */
  merge?: { wallS: number } & Usage;
  wallS: number;
  idealS: number;
  exitCode: number;
  requests: number;
  maxInFlight: number;
  throttled: number;
  failed: number;
  errorRate: { baseline: number | null; candidate: number | null };
  reportMb: number;
  serverCpuMs: number;
}

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    big: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string" },
    "no-build": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    "node-args": { type: "string" },
    "no-floor": { type: "boolean", default: false },
    "no-replay": { type: "boolean", default: false },
    cache: { type: "boolean", default: false },
    repeat: { type: "string", default: "1" },
    promptfoo: { type: "string" },
    "promptfoo-node": { type: "string" },
  },
});

function grid(): Cell[] {
  if (values.only) {
    const [n, c, latencyMs, throttleAt] = values.only.split(",").map(Number);
    if (!n || !c || latencyMs === undefined || Number.isNaN(latencyMs)) throw new Error(`--only expects N,C,L[,K], got ${values.only}`);
    return [{ n, c, latencyMs, ...(throttleAt ? { throttleAt } : {}) }];
  }
  const cells: Cell[] = [];
  for (const n of values.quick ? [1_000] : [1_000, 10_000])
    for (const c of [16, 64]) for (const latencyMs of [0, 50]) cells.push({ n, c, latencyMs });
  cells.push({ n: 1_000, c: 64, latencyMs: 50, throttleAt: 24 });
  if (values.big) cells.push({ n: 100_000, c: 64, latencyMs: 0 });
  return cells;
}

// ---------------------------------------------------------------- inputs

/** Runs per cell (--repeat); the median is reported. */
const repeat = Math.max(1, Number(values.repeat) || 1);

/** The element with the median key (the lower middle of an even count). */
function median<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

/** The small run each cell's marginal CPU per request is measured against. */
const baseN = 100;

const topics = ["billing", "shipping", "returns", "account", "product"];

/** A JSONL dataset of `n` cases, each asking for a JSON reply that quotes a per-case fact. */
function writeDataset(dir: string, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `c${String(i).padStart(6, "0")}`;
    const fact = `REF-${(i * 7919) % 100_000}-${topics[i % topics.length]}`;
    const input =
      `Support ticket for case ${id} about ${topics[i % topics.length]}. The customer asks what happens to their order and refund. ` +
      `Quote the reference fact ${fact} in the answer. Reply with a JSON object {answer, category, confidence}.`;
    lines.push(JSON.stringify({ id, input, vars: { key_fact: fact }, tags: [`topic:${topics[i % topics.length]}`] }));
  }
  const path = join(dir, `dataset-${n}.jsonl`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** The schema every reply must match (the rubric's json-schema check; promptfoo's is-json). */
const replySchema = {
  type: "object",
  required: ["answer", "category", "confidence"],
  additionalProperties: false,
  properties: {
    answer: { type: "string", minLength: 1 },
    category: { enum: topics },
    confidence: { type: "number", minimum: 0, maximum: 1 },
  },
};

/** The rubric: a JSON-schema check, a contains check, gate rules on pass rates and errors. */
function writeRubric(dir: string): string {
  const schema = replySchema;
  const rubric = {
    name: "bench",
    checks: [
      { id: "format", type: "json-schema", category: "format", schema },
      { id: "fact", type: "contains", category: "quality", value: "{{key_fact}}" },
    ],
    gate: [
      { metric: "pass_rate", max_drop: 0.05 },
      { metric: "format.pass_rate", max_drop: 0.02 },
      { metric: "error_rate", max: 0.02 },
    ],
  };
  const path = join(dir, "rubric.json");
  writeFileSync(path, JSON.stringify(rubric, null, 2));
  return path;
}

// ---------------------------------------------------------------- cells

async function runCell(cell: Cell, files: { rubric: string; dataset: string }, scratch: string): Promise<CellResult> {
  const server = await startServer(cell);
  const out = join(scratch, `out-${cell.n}-${cell.c}-${cell.latencyMs}-${cell.throttleAt ?? 0}`);
  const profile = values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", resolve(values["cpu-prof"])] : [];
  const nodeArgs = values["node-args"]?.split(/\s+/).filter(Boolean) ?? [];
  const args = [
    ...nodeArgs,
    ...profile,
    ...evalArgs(files, out),
    ...(values.cache ? ["--cache-dir", join(scratch, `cache-${process.hrtime.bigint()}`)] : ["--no-cache"]),
    "--concurrency",
    String(cell.c),
  ];
  let run: Awaited<ReturnType<typeof runNode>>;
  let stats: Awaited<ReturnType<RunningServer["stop"]>>;
  try {
    run = await runNode(args, { cwd: scratch, env: { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "bench" }, scratch });
  } finally {
    stats = await server.stop();
  }
  if (run.exitCode !== 0 && run.exitCode !== 1 && run.exitCode !== 3) {
    throw new Error(`modelgate exited ${run.exitCode} for ${label(cell)}:\n${run.stderr}`);
  }
  const reportPath = join(out, "report.json");
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as {
    cases: Array<{ baseline: Array<{ error: unknown }>; candidate: Array<{ error: unknown }> }>;
    metrics: { baseline: Record<string, number | null>; candidate: Record<string, number | null> };
  };
  const failed = report.cases.reduce((sum, c) => sum + [...c.baseline, ...c.candidate].filter((run) => run.error !== null).length, 0);
  const result: CellResult = {
    ...cell,
    wallS: run.wallS,
    // A throttling server admits at most K at once: the floor is then N·2·L / min(C, K).
    idealS: (cell.n * 2 * cell.latencyMs) / 1000 / Math.min(cell.c, cell.throttleAt ?? cell.c),
    exitCode: run.exitCode,
    cpuMs: run.cpuMs,
    peakRssMb: run.peakRssMb,
    requests: stats.requests,
    maxInFlight: stats.maxInFlight,
    throttled: stats.throttled,
    failed,
    errorRate: { baseline: report.metrics.baseline.error_rate ?? null, candidate: report.metrics.candidate.error_rate ?? null },
    passRate: { baseline: report.metrics.baseline.pass_rate ?? null, candidate: report.metrics.candidate.pass_rate ?? null },
    reportMb: statSync(reportPath).size / 2 ** 20,
    serverCpuMs: stats.cpuMs,
  };
  if (cell.n >= 100_000) {
    // What `modelgate merge` costs on a report this size (one "shard": the same reading and analysis).
    const merge = await runNode([bin, "merge", reportPath, "--out", `${out}-merged`, "--format", "json", "--quiet"], {
      cwd: scratch,
      env: process.env,
      scratch,
    });
    if (merge.exitCode !== 0 && merge.exitCode !== 1) throw new Error(`modelgate merge exited ${merge.exitCode}:\n${merge.stderr}`);
    result.merge = { wallS: merge.wallS, cpuMs: merge.cpuMs, peakRssMb: merge.peakRssMb };
    if (!values.keep) rmSync(`${out}-merged`, { recursive: true, force: true });
  }
  if (!values.keep) rmSync(out, { recursive: true, force: true });
  return result;
}

/**
 * CPU of the cell's requests alone: bench/sdk-floor.mjs sends the same requests at the same concurrency
 * through the bare official client, against a fresh server with the same latency.
 */
async function runFloor(cell: Cell, dataset: string, scratch: string): Promise<number> {
  const server = await startServer(cell);
  let run: Awaited<ReturnType<typeof runNode>>;
  try {
    run = await runNode([floorScript, dataset, String(cell.c)], {
      cwd: root,
      env: { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "bench" },
      scratch,
    });
  } finally {
    await server.stop();
  }
  if (run.exitCode !== 0) throw new Error(`sdk-floor exited ${run.exitCode} for ${label(cell)}:\n${run.stderr}`);
  return run.cpuMs;
}

/** `modelgate eval` of the bench's rubric and dataset, both variants at the bench server, report to `out`. */
function evalArgs(files: { rubric: string; dataset: string }, out: string): string[] {
  return [
    bin,
    "eval",
    "--rubric",
    files.rubric,
    "--dataset",
    files.dataset,
    "--baseline",
    "openai-compatible:bench-base",
    "--candidate",
    "openai-compatible:bench-cand",
    "--quiet",
    "--format",
    "json",
    "--out",
    out,
  ];
}

/** What a replay of N cases cost: modelgate's own work, with no request sent. */
interface ReplayResult {
  n: number;
  /** median of the --repeat replays */
  cpuMs: number;
  wallS: number;
  peakRssMb: number;
  /** the replay's pass rates equal the recorded run's (it scored the same replies) */
  sameVerdicts: boolean;
}

/**
 * modelgate's own work measured directly, with no subtraction: a run on N cases is recorded to a
 * cassette (L = 0, not measured), then replayed (--replay: no HTTP, no SDK) and measured. What is left
 * is everything modelgate does per case (start-up, loading and validating inputs, the runner, scoring,
 * the case log, statistics, the report) except sending the request and the SDK's handling of it.
 * The server's replies depend only on the prompt and model, so one cassette serves every C and L.
 */
async function runReplay(n: number, files: { rubric: string; dataset: string }, scratch: string): Promise<ReplayResult> {
  const cassette = join(scratch, `cassette-${n}.jsonl`);
  const recordedOut = join(scratch, `recorded-${n}`);
  const server = await startServer({ latencyMs: 0 });
  // The request key names the endpoint: the replay must see the same base URL, though nothing listens there then.
  const env = { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "bench" };
  try {
    const recorded = await runNode([...evalArgs(files, recordedOut), "--no-cache", "--concurrency", "64", "--record", cassette], {
      cwd: scratch,
      env,
      scratch,
    });
    if (recorded.exitCode !== 0 && recorded.exitCode !== 1) throw new Error(`recording run exited ${recorded.exitCode}:\n${recorded.stderr}`);
  } finally {
    await server.stop();
  }
  // Every metric but the latencies (a replay reports the recorded ones, and the recording run measured its own).
  const verdicts = (out: string) => {
    const { metrics } = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as { metrics: Record<string, Record<string, unknown>> };
    return JSON.stringify(metrics, (key, value) => (key.startsWith("latency.") || key.includes(".latency.") ? undefined : value));
  };
  const expected = verdicts(recordedOut);
  const runs: Array<Usage & { wallS: number; same: boolean }> = [];
  for (let r = 0; r < repeat; r++) {
    const out = join(scratch, `replayed-${n}-${r}`);
    const run = await runNode([...evalArgs(files, out), "--no-cache", "--replay", cassette], { cwd: scratch, env, scratch });
    if (run.exitCode !== 0 && run.exitCode !== 1) throw new Error(`replay exited ${run.exitCode}:\n${run.stderr}`);
    runs.push({ ...run, same: verdicts(out) === expected });
    if (!values.keep) rmSync(out, { recursive: true, force: true });
  }
  if (!values.keep) rmSync(recordedOut, { recursive: true, force: true });
  const middle = median(runs, (run) => run.cpuMs);
  return { n, cpuMs: middle.cpuMs, wallS: middle.wallS, peakRssMb: middle.peakRssMb, sameVerdicts: runs.every((run) => run.same) };
}

function label(cell: Cell): string {
  return `N=${cell.n} C=${cell.c} L=${cell.latencyMs}ms${cell.throttleAt ? ` 429>${cell.throttleAt}` : ""}`;
}

/** Median wall time of `node dist/bin.js <flag>` over `times` runs, and the median CPU. */
async function startup(flag: string, scratch: string, times = 10): Promise<{ wallMs: number; cpuMs: number; rssMb: number }> {
  const runs: Array<{ wallMs: number; cpuMs: number; rssMb: number }> = [];
  for (let i = 0; i < times; i++) {
    const run = await runNode([bin, flag], { cwd: scratch, env: process.env, scratch });
    if (run.exitCode !== 0) throw new Error(`modelgate ${flag} exited ${run.exitCode}: ${run.stderr}`);
    runs.push({ wallMs: run.wallS * 1000, cpuMs: run.cpuMs, rssMb: run.peakRssMb });
  }
  const median = (pick: (r: (typeof runs)[number]) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return ((sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) + (sorted[Math.ceil((sorted.length - 1) / 2)] ?? 0)) / 2;
  };
  return { wallMs: median((r) => r.wallMs), cpuMs: median((r) => r.cpuMs), rssMb: median((r) => r.rssMb) };
}

// ---------------------------------------------------------------- output

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  ");
}

function printTable(results: CellResult[]): void {
  const header = [
    "N",
    "C",
    "L ms",
    "429>K",
    "wall s",
    "ideal s",
    "ratio",
    "CPU ms/req",
    "marginal ms/req",
    "SDK floor ms/req",
    "own ms/req",
    "peak RSS MB",
    "max in flight",
    "429s",
    "failed",
    "exit",
  ];
  const rows = results.map((r) => [
    String(r.n),
    String(r.c),
    String(r.latencyMs),
    r.throttleAt === undefined ? "-" : String(r.throttleAt),
    r.wallS.toFixed(2),
    r.idealS.toFixed(2),
    r.idealS > 0 ? (r.wallS / r.idealS).toFixed(2) : "-",
    (r.cpuMs / (r.n * 2)).toFixed(2),
    r.marginalCpuMs === undefined ? "-" : r.marginalCpuMs.toFixed(2),
    r.floorCpuMs === undefined ? "-" : (r.floorCpuMs / (r.n * 2)).toFixed(2),
    r.ownCpuMs === undefined ? "-" : (r.ownCpuMs / (r.n * 2)).toFixed(2),
    r.peakRssMb.toFixed(0),
    String(r.maxInFlight),
    String(r.throttled),
    String(r.failed),
    String(r.exitCode),
  ]);
  printRows(header, rows);
}

/** modelgate's own work per request, from replays (no request sent). */
function printReplays(replays: ReplayResult[]): void {
  console.log("\nreplay (--replay of a recorded run: everything but the requests)");
  printRows(
    ["N", "wall s", "CPU ms", "CPU ms/req", "peak RSS MB", "same verdicts"],
    replays.map((r) => [
      String(r.n),
      r.wallS.toFixed(2),
      String(r.cpuMs),
      (r.cpuMs / (2 * r.n)).toFixed(2),
      r.peakRssMb.toFixed(0),
      r.sameVerdicts ? "yes" : "NO",
    ]),
  );
}

/** modelgate and promptfoo on the same cells: time, CPU, memory, and whether they scored the cases alike. */
function printSideBySide(results: CellResult[]): void {
  const header = ["N", "C", "L ms", "tool", "wall s", "CPU ms/req", "peak RSS MB", "pass base", "pass cand", "wall ×", "CPU ×", "RSS ×"];
  const percent = (value: number | null) => (value === null ? "-" : `${(value * 100).toFixed(1)}%`);
  const rows: string[][] = [];
  for (const r of results) {
    if (!r.promptfoo) continue;
    const p = r.promptfoo;
    const row = (tool: string, run: Pick<CellResult, "wallS" | "cpuMs" | "peakRssMb" | "passRate">, ratios: string[]) => [
      String(r.n),
      String(r.c),
      String(r.latencyMs),
      tool,
      run.wallS.toFixed(2),
      (run.cpuMs / (r.n * 2)).toFixed(2),
      run.peakRssMb.toFixed(0),
      percent(run.passRate.baseline),
      percent(run.passRate.candidate),
      ...ratios,
    ];
    rows.push(
      row("modelgate", r, ["1", "1", "1"]),
      row("promptfoo", p, [(p.wallS / r.wallS).toFixed(1), (p.cpuMs / r.cpuMs).toFixed(1), (p.peakRssMb / r.peakRssMb).toFixed(1)]),
    );
  }
  console.log("\nside by side (× = promptfoo ÷ modelgate)");
  printRows(header, rows);
}

/** A right-aligned text table. */
function printRows(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  console.log(pad(header, widths));
  for (const row of rows) console.log(pad(row, widths));
}

/** --promptfoo-node as given: a path is made absolute (promptfoo runs in its own folder), a bare name is looked up on PATH. */
function nodePath(given: string | undefined): string {
  if (!given) return process.execPath;
  return given.includes("/") ? resolve(given) : given;
}

function buildIfStale(): void {
  if (values["no-build"]) return;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  if (existsSync(bundledBin) && statSync(bundledBin).mtimeMs >= newest(join(root, "src"))) return;
  console.error("dist/ is older than src/: npm run build");
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
}

async function main(): Promise<void> {
  buildIfStale();
  const promptfoo = values.promptfoo ? { main: promptfooMain(resolve(values.promptfoo)), node: nodePath(values["promptfoo-node"]) } : undefined;
  const scratch = mkdtempSync(join(tmpdir(), "modelgate-bench-"));
  if (values["cpu-prof"]) {
    const unbundled = join(root, "bench", ".unbundled", "dist");
    execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "--unbundled", unbundled], { cwd: root, stdio: "inherit" });
    bin = join(unbundled, "bin.js");
  }
  floorScript = join(scratch, "sdk-floor.mjs");
  await esbuild({
    entryPoints: [join(root, "bench", "sdk-floor.mjs")],
    outfile: floorScript,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  });
  const cells = grid();
  console.log(
    `machine: ${cpus()[0]?.model ?? "?"} × ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; ` +
      `usage from ${gnuTime ? `${gnuTime} (rusage)` : "process.resourceUsage() preload"}`,
  );
  // The bench measures wall time on a small machine: anything else running skews it.
  const [load] = loadavg();
  if ((load ?? 0) > 0.5)
    console.log(
      `warning: 1-minute load average ${load?.toFixed(2)} before the bench (something else is, or just was, busy): wall times may be inflated; CPU ms are less affected`,
    );
  try {
    const version = await startup("--version", scratch);
    const help = await startup("--help", scratch);
    console.log(
      `start-up (median of 10): --version ${version.wallMs.toFixed(0)} ms wall / ${version.cpuMs} ms CPU / ${version.rssMb.toFixed(0)} MB; --help ${help.wallMs.toFixed(0)} ms wall / ${help.cpuMs} ms CPU`,
    );
    const rubric = writeRubric(scratch);
    const datasets = new Map<number, string>();
    const results: CellResult[] = [];
    for (const cell of cells) {
      if (!datasets.has(cell.n)) datasets.set(cell.n, writeDataset(scratch, cell.n));
      const dataset = datasets.get(cell.n) as string;
      const withFloor = !values["no-floor"] && !values["cpu-prof"] && cell.throttleAt === undefined;
      // --repeat k: k runs of modelgate, each followed by its floor (so a busy spell hits both); the
      // row is the run with the median CPU, the floor the median floor, own the median of the pairs' differences.
      const runs: CellResult[] = [];
      const floors: number[] = [];
      for (let r = 0; r < repeat; r++) {
        runs.push(await runCell(cell, { rubric, dataset }, scratch));
        // A throttled cell's floor would need modelgate's retries; its own CPU is not the question there.
        if (withFloor) floors.push(await runFloor(cell, dataset, scratch));
      }
      const result = median(runs, (run) => run.cpuMs);
      if (floors.length > 0) {
        result.floorCpuMs = median(floors, (cpu) => cpu);
        result.ownCpuMs = median(
          floors.map((floor, r) => (runs[r] as CellResult).cpuMs - floor),
          (own) => own,
        );
      }
      if (!values["cpu-prof"] && cell.n > baseN) {
        // The same configuration on a few cases: what the run costs whatever its size (start-up, loading,
        // the SDK's import, the report's fixed parts) comes out of the difference.
        if (!datasets.has(baseN)) datasets.set(baseN, writeDataset(scratch, baseN));
        const bases: CellResult[] = [];
        for (let r = 0; r < repeat; r++)
          bases.push(await runCell({ ...cell, n: baseN }, { rubric, dataset: datasets.get(baseN) as string }, scratch));
        result.marginalCpuMs = (result.cpuMs - median(bases, (base) => base.cpuMs).cpuMs) / (2 * (cell.n - baseN));
      }
      // promptfoo has no adaptive concurrency: a throttled cell would measure its retry policy, not its overhead.
      if (promptfoo && cell.throttleAt === undefined && cell.n <= 10_000) {
        result.promptfoo = await runPromptfoo(cell, { dataset: datasets.get(cell.n) as string, schema: replySchema }, { ...promptfoo, scratch });
      }
      results.push(result);
      console.log(
        `${label(cell)}: ${result.wallS.toFixed(2)} s (ideal ${result.idealS.toFixed(2)}), CPU ${result.cpuMs} ms${result.marginalCpuMs === undefined ? "" : ` (marginal ${result.marginalCpuMs.toFixed(2)} ms/req)`}${result.floorCpuMs === undefined ? "" : ` (SDK floor ${result.floorCpuMs} ms)`}, peak RSS ${result.peakRssMb.toFixed(0)} MB, ` +
          `max in flight ${result.maxInFlight}, server requests ${result.requests} (429: ${result.throttled}), failed ${result.failed}, ` +
          `error_rate ${result.errorRate.baseline}/${result.errorRate.candidate}, report.json ${result.reportMb.toFixed(1)} MB, server CPU ${result.serverCpuMs} ms, exit ${result.exitCode}, load ${loadavg()[0]?.toFixed(2)}`,
      );
      if (result.promptfoo) {
        const p = result.promptfoo;
        console.log(
          `  promptfoo: ${p.wallS.toFixed(2)} s, CPU ${p.cpuMs} ms, peak RSS ${p.peakRssMb.toFixed(0)} MB, ` +
            `pass ${(p.passRate.baseline * 100).toFixed(1)}% / ${(p.passRate.candidate * 100).toFixed(1)}%, request errors ${p.errors}`,
        );
      }
    }
    // One replay per dataset size (up to 10,000 cases: recording 100,000 would add minutes for the same figure).
    const replays: ReplayResult[] = [];
    if (!values["no-replay"] && !values["cpu-prof"]) {
      for (const n of [...new Set(cells.map((cell) => cell.n))].filter((n) => n <= 10_000)) {
        const replay = await runReplay(n, { rubric, dataset: datasets.get(n) as string }, scratch);
        replays.push(replay);
        console.log(
          `replay of N=${n}: ${replay.wallS.toFixed(2)} s, CPU ${replay.cpuMs} ms (${(replay.cpuMs / (2 * n)).toFixed(2)} ms/req), peak RSS ${replay.peakRssMb.toFixed(0)} MB, same verdicts as the recorded run: ${replay.sameVerdicts ? "yes" : "NO"}`,
        );
      }
    }
    for (const result of results) {
      if (!result.merge) continue;
      const { wallS, cpuMs, peakRssMb } = result.merge;
      console.log(`merge of the ${result.n}-case report.json: ${wallS.toFixed(2)} s, CPU ${cpuMs} ms, peak RSS ${peakRssMb.toFixed(0)} MB`);
    }
    console.log("");
    printTable(results);
    if (replays.length > 0) printReplays(replays);
    if (promptfoo) printSideBySide(results);
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ version, help, results, replays }, null, 2)}\n`);
  } finally {
    if (!values.keep) rmSync(scratch, { recursive: true, force: true });
    else console.log(`kept ${scratch}`);
  }
}

await main();
