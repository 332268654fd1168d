/**
 * The bench: the real CLI (`node dist/bin.js eval`) against the loopback model server, measured against
 * the performance targets users feel, with PASS/FAIL per target (method and figures: bench/README.md).
 *
 *   npm run bench                      # N 1,000 and 10,000 cases at C=64, L=50 ms (~1 min)
 *   npm run bench -- --quick           # N 1,000 only
 *   npm run bench -- --big             # adds N 100,000 (the memory target; a few minutes)
 *   npm run bench -- --promptfoo DIR [--promptfoo-node PATH]   # promptfoo on every cell, side by side
 *   npm run bench -- --json out.json   # also write the raw figures
 *   npm run bench -- --shadow-only     # only the shadow proxy's part (bench/shadow.ts); --no-shadow skips it
 *
 * Exits 0 when every target passes, 1 when one fails.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type ImportBenchResult, runImportBench } from "./import.js";
import { root, runNode, startServer, type Usage } from "./processes.js";
import { type PromptfooResult, promptfooMain, runPromptfoo } from "./promptfoo.js";
import { runShadowBench } from "./shadow.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    big: { type: "boolean", default: false },
    json: { type: "string" },
    "no-build": { type: "boolean", default: false },
    promptfoo: { type: "string" },
    "promptfoo-node": { type: "string" },
    "shadow-only": { type: "boolean", default: false },
    "no-shadow": { type: "boolean", default: false },
  },
});

const bin = join(root, "dist", "bin.js");
/** Every cell runs at the concurrency and server latency the targets name. */
const concurrency = 64;
const latencyMs = 50;

interface CellResult extends Usage {
  n: number;
  /** requests × L / C: what the run would take if only the server's latency counted */
  idealS: number;
  exitCode: number;
  /** requests the server answered, and the most it had in flight at once */
  requests: number;
  maxInFlight: number;
  passRate: { baseline: number | null; candidate: number | null };
  promptfoo?: PromptfooResult;
}

// ---------------------------------------------------------------- inputs

const topics = ["billing", "shipping", "returns", "account", "product"];

/** A JSONL dataset of `n` cases, each asking for a JSON reply that quotes a per-case fact. */
function writeDataset(dir: string, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `c${String(i).padStart(6, "0")}`;
    const topic = topics[i % topics.length];
    const fact = `REF-${(i * 7919) % 100_000}-${topic}`;
    const input =
      `Support ticket for case ${id} about ${topic}. The customer asks what happens to their order and refund. ` +
      `Quote the reference fact ${fact} in the answer. Reply with a JSON object {answer, category, confidence}.`;
    lines.push(JSON.stringify({ id, input, vars: { key_fact: fact }, tags: [`topic:${topic}`] }));
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
  const rubric = {
    name: "bench",
    checks: [
      { id: "format", type: "json-schema", category: "format", schema: replySchema },
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

// ---------------------------------------------------------------- runs

/** One `modelgate eval` of `n` cases × 2 variants against a fresh server. */
async function runCell(n: number, files: { rubric: string; dataset: string }, scratch: string): Promise<CellResult> {
  const server = await startServer(latencyMs);
  const out = join(scratch, `out-${n}`);
  const args = [
    bin,
    "eval",
    ...["--rubric", files.rubric, "--dataset", files.dataset],
    ...["--baseline", "openai-compatible:bench-base", "--candidate", "openai-compatible:bench-cand"],
    ...["--concurrency", String(concurrency), "--no-cache", "--quiet", "--format", "json", "--out", out],
  ];
  let run: Awaited<ReturnType<typeof runNode>>;
  let stats: Awaited<ReturnType<typeof server.stop>>;
  try {
    run = await runNode(args, { cwd: scratch, env: { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "bench" }, scratch });
  } finally {
    stats = await server.stop();
  }
  // 0 safe, 1 not safe, 4 inconclusive: the run completed (the candidate is built to be a little worse).
  if (![0, 1, 4].includes(run.exitCode)) throw new Error(`modelgate exited ${run.exitCode} at N=${n}:\n${run.stderr.slice(-2000)}`);
  const { metrics } = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as {
    metrics: { baseline: Record<string, number | null>; candidate: Record<string, number | null> };
  };
  rmSync(out, { recursive: true, force: true });
  return {
    n,
    wallS: run.wallS,
    cpuMs: run.cpuMs,
    peakRssMb: run.peakRssMb,
    idealS: (2 * n * latencyMs) / 1000 / concurrency,
    exitCode: run.exitCode,
    requests: stats.requests,
    maxInFlight: stats.maxInFlight,
    passRate: { baseline: metrics.baseline.pass_rate ?? null, candidate: metrics.candidate.pass_rate ?? null },
  };
}

/** Median wall time of `node dist/bin.js --version` over 5 runs. */
async function versionWallMs(scratch: string): Promise<number> {
  const walls: number[] = [];
  for (let i = 0; i < 5; i++) {
    const run = await runNode([bin, "--version"], { cwd: scratch, env: process.env, scratch });
    if (run.exitCode !== 0) throw new Error(`modelgate --version exited ${run.exitCode}: ${run.stderr}`);
    walls.push(run.wallS * 1000);
  }
  return walls.sort((a, b) => a - b)[2] as number;
}

// ---------------------------------------------------------------- targets

interface Target {
  name: string;
  measured: number;
  /** the bound, and which side of it passes */
  limit: number;
  atLeast?: boolean;
  unit: string;
}

/** The targets (issue 17 item 7) each cell is held to. */
function targetsOf(cell: CellResult): Target[] {
  const label = `N=${cell.n.toLocaleString("en-US")}`;
  const targets: Target[] = [];
  if (cell.n <= 10_000) targets.push({ name: `${label} wall time`, measured: cell.wallS, limit: 1.3 * cell.idealS + 1, unit: "s" });
  if (cell.n === 1_000) {
    targets.push({ name: `${label} peak RSS`, measured: cell.peakRssMb, limit: 250, unit: "MB" });
    targets.push({ name: `${label} CPU per request (whole process)`, measured: cell.cpuMs / (2 * cell.n), limit: 1.5, unit: "ms" });
  }
  if (cell.n === 100_000) targets.push({ name: `${label} peak RSS`, measured: cell.peakRssMb, limit: 600, unit: "MB" });
  if (cell.promptfoo) {
    const p = cell.promptfoo;
    targets.push({ name: `${label} promptfoo ÷ modelgate wall time`, measured: p.wallS / cell.wallS, limit: 4, atLeast: true, unit: "×" });
    targets.push({ name: `${label} promptfoo ÷ modelgate peak RSS`, measured: p.peakRssMb / cell.peakRssMb, limit: 3, atLeast: true, unit: "×" });
  }
  return targets;
}

function passes(target: Target): boolean {
  return target.atLeast ? target.measured >= target.limit : target.measured <= target.limit;
}

/** The one table: each target, what was measured, the bound, PASS or FAIL. */
function printTargets(targets: Target[]): void {
  const digits = (value: number, unit: string) => (unit === "×" ? 1 : value < 10 ? 2 : unit === "s" ? 1 : 0);
  const figure = (value: number, unit: string) => `${value.toFixed(digits(value, unit))}${unit === "×" ? "×" : ` ${unit}`}`;
  const rows = targets.map((t) => [
    t.name,
    figure(t.measured, t.unit),
    `${t.atLeast ? "≥" : "≤"} ${figure(t.limit, t.unit)}`,
    passes(t) ? "PASS" : "FAIL",
  ]);
  const header = ["target", "measured", "limit", "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  for (const row of [header, ...rows])
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "));
}

// ---------------------------------------------------------------- main

function buildIfStale(): void {
  if (values["no-build"]) return;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  if (existsSync(bin) && statSync(bin).mtimeMs >= newest(join(root, "src"))) return;
  console.error("dist/ is older than src/: npm run build");
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
}

function percent(value: number | null): string {
  return value === null ? "-" : `${(value * 100).toFixed(1)}%`;
}

async function main(): Promise<void> {
  buildIfStale();
  // --promptfoo-node as given: a path is made absolute (promptfoo runs in the scratch folder), a bare name is looked up on PATH.
  const pfNode = values["promptfoo-node"];
  const promptfoo = values.promptfoo
    ? { main: promptfooMain(resolve(values.promptfoo)), node: pfNode ? (pfNode.includes("/") ? resolve(pfNode) : pfNode) : process.execPath }
    : undefined;
  console.log(
    `machine: ${cpus()[0]?.model ?? "?"} × ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; ` +
      `C=${concurrency}, L=${latencyMs} ms, 500-character replies`,
  );
  // Wall times on a small machine move with whatever else runs; the ratios to promptfoo less so.
  const [load] = loadavg();
  if ((load ?? 0) > 0.5) console.log(`warning: 1-minute load average ${load?.toFixed(2)} before the bench: wall times may be inflated`);

  const scratch = mkdtempSync(join(tmpdir(), "modelgate-bench-"));
  try {
    if (values["shadow-only"]) {
      const targets = await runShadowBench({ bin, quick: values.quick });
      console.log("");
      printTargets(targets);
      if (!targets.every(passes)) process.exitCode = 1;
      return;
    }
    const versionMs = await versionWallMs(scratch);
    console.log(`--version: ${versionMs.toFixed(0)} ms wall (median of 5)`);
    const rubric = writeRubric(scratch);
    const results: CellResult[] = [];
    for (const n of [1_000, ...(values.quick ? [] : [10_000]), ...(values.big ? [100_000] : [])]) {
      const dataset = writeDataset(scratch, n);
      const result = await runCell(n, { rubric, dataset }, scratch);
      if (result.requests < 2 * n) throw new Error(`N=${n}: the server answered ${result.requests} requests, expected ${2 * n}`);
      console.log(
        `N=${n} modelgate: ${result.wallS.toFixed(2)} s (ideal ${result.idealS.toFixed(2)}), CPU ${(result.cpuMs / (2 * n)).toFixed(2)} ms/req, ` +
          `peak RSS ${result.peakRssMb.toFixed(0)} MB, max in flight ${result.maxInFlight}, ` +
          `pass ${percent(result.passRate.baseline)} / ${percent(result.passRate.candidate)}, exit ${result.exitCode}`,
      );
      if (promptfoo) {
        const p = await runPromptfoo({ n, c: concurrency, latencyMs }, { dataset, schema: replySchema }, { ...promptfoo, scratch });
        result.promptfoo = p;
        console.log(
          `N=${n} promptfoo: ${p.wallS.toFixed(2)} s, CPU ${(p.cpuMs / (2 * n)).toFixed(2)} ms/req, peak RSS ${p.peakRssMb.toFixed(0)} MB, ` +
            `pass ${percent(p.passRate.baseline)} / ${percent(p.passRate.candidate)}, request errors ${p.errors}`,
        );
      }
      results.push(result);
      rmSync(dataset, { force: true });
    }
    const importLines = values.quick ? 100_000 : values.big ? 2_000_000 : 400_000;
    const imported: ImportBenchResult = await runImportBench(scratch, importLines);
    console.log(
      `import litellm, ${importLines.toLocaleString("en-US")} lines (${(imported.bytes / 2 ** 20).toFixed(0)} MB): ${imported.wallS.toFixed(2)} s, ` +
        `${Math.round(imported.linesPerS).toLocaleString("en-US")} lines/s, peak RSS ${imported.peakRssMb.toFixed(0)} MB, exit ${imported.exitCode}`,
    );
    const targets: Target[] = [
      { name: "--version wall time (median of 5)", measured: versionMs, limit: 250, unit: "ms" },
      ...results.flatMap(targetsOf),
      ...(values["no-shadow"] ? [] : await runShadowBench({ bin, quick: values.quick })),
      { name: "import litellm lines/s", measured: imported.linesPerS / 1000, limit: 20, atLeast: true, unit: "k/s" },
      { name: "import litellm peak RSS", measured: imported.peakRssMb, limit: 400, unit: "MB" },
    ];
    console.log("");
    printTargets(targets);
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ versionMs, results, imported, targets }, null, 2)}\n`);
    if (!targets.every(passes)) process.exitCode = 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
