import { createHash, randomBytes } from "node:crypto";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { errorCounts } from "../aggregate/error-counts.js";
import { checkInfo } from "../aggregate/metrics.js";
import { analyse } from "../analyse.js";
import { type CliIO, outputWidth } from "../cli-io.js";
import { ExitCode, UserError } from "../errors.js";
import { everyRuleSkipped, gateExitCode } from "../gate/evaluate.js";
import type { DatasetSource } from "../load/dataset.js";
import { type Inputs, loadInputs, variantWarnings } from "../load/inputs.js";
import { displayName } from "../paths.js";
import { emitOptions, emitReport } from "../report/emit.js";
import { plainText } from "../report/plain-text.js";
import { makeFolders } from "../report/writer.js";
import { defaultRetryBaseMs } from "../run/backoff.js";
import { loadBaselineReport } from "../run/baseline-report.js";
import { CaseLog } from "../run/case-log.js";
import { enforceCostLimit, estimateMethod, estimateRunCost } from "../run/cost-estimate.js";
import { type EvaluationPlan, evaluateCases, type LiveVariant, type SideVariant } from "../run/evaluate-cases.js";
import { judgeCaller, liveVariant, runFetch } from "../run/live-variants.js";
import { Progress } from "../run/progress.js";
import { CacheStore, CassetteStore, type ResponseStore } from "../run/response-store.js";
import { whyRunBroke } from "../run/run-health.js";
import { Runner } from "../run/runner.js";
import { servedModelWarnings } from "../run/served-model.js";
import { countRecordedModels, recordedInfoFrom, recordedModels, variantInfo } from "../run/variant-info.js";
import { runDefaults } from "../settings.js";
import type { CaseRecord, EvalCase, RunSummary, VariantInfo, VariantSpec } from "../types.js";
import { modelgateVersion } from "../version.js";

/** `modelgate eval` options, normalised by the CLI layer. */
export interface EvalOptions {
  baseline: string;
  candidate: string;
  config?: string;
  rubric?: string;
  dataset?: string;
  /** --traffic: a traffic file (SPEC §9) as the dataset */
  traffic?: string;
  /** unset: the config's value, else SPEC §2's default */
  concurrency?: number;
  repeat?: number;
  timeout?: number;
  maxRetries?: number;
  filter: string[];
  caseIds: string[];
  limit?: number;
  out?: string;
  formats: string[];
  record?: string;
  replay?: string;
  cache: boolean;
  cacheDir: string;
  cachedLatency: boolean;
  /** --judge: a config variant or provider:model overriding the configured judge */
  judge?: string;
  /** --baseline-report: reuse the baseline side of an earlier report.json */
  baselineReport?: string;
  /** --force: use a --baseline-report even when its inputs differ */
  force: boolean;
  /** --max-cost: refuse a run estimated above this many USD, and stop one that crosses it */
  maxCost?: number;
  /** --shard i/n: run only the i-th of n deterministic slices of the cases (1-based) */
  shard?: { index: number; count: number };
  strict: boolean;
  quiet: boolean;
  json: boolean;
  color?: boolean;
}

export interface EvalResult {
  exitCode: number;
  /** the report's cases are records (what the summaries read); the full cases are in report.json */
  report?: RunSummary;
  /** every input file the run read (dataset, rubric, config, prompts, schemas), for --watch */
  inputs: string[];
}

/** load → expand → run → score → aggregate → compare → gate → report; returns the exit code. */
export async function runEval(given: EvalOptions, io: CliIO): Promise<EvalResult> {
  const startedAt = new Date();
  const inputs = await loadInputs(loadOptions(given, io));
  const defaults = inputs.config.defaults;
  const options = {
    ...given,
    concurrency: given.concurrency ?? defaults.concurrency ?? runDefaults.concurrency,
    repeat: given.repeat ?? defaults.repeat ?? runDefaults.repeat,
    timeout: given.timeout ?? defaults.timeout ?? runDefaults.timeout,
    maxRetries: given.maxRetries ?? defaults.max_retries ?? runDefaults.maxRetries,
    timeoutGiven: given.timeout !== undefined || defaults.timeout !== undefined,
  };
  const files = inputFiles(inputs);
  const result = await runLoaded(inputs, options, io, startedAt);
  return { ...result, inputs: files };
}

function inputFiles(inputs: Inputs): string[] {
  const files = [inputs.dataset.path, inputs.rubric.path];
  if (inputs.config.path) files.push(inputs.config.path);
  for (const variant of [inputs.baseline, inputs.candidate, inputs.judge]) {
    if (variant?.prompt && variant.prompt.path !== "(inline)") files.push(variant.prompt.path);
  }
  files.push(...inputs.dataset.schemaPaths);
  return [...new Set(files)];
}

type ResolvedOptions = EvalOptions & Required<Pick<EvalOptions, "concurrency" | "repeat" | "timeout" | "maxRetries">> & { timeoutGiven: boolean };

/** Per-attempt timeout until an endpoint first answers, when no --timeout was given (see Runner). */
const defaultFirstAnswerTimeoutMs = 15_000;

function loadOptions(options: EvalOptions, io: CliIO) {
  return {
    ...(options.config !== undefined ? { config: resolve(io.cwd, options.config) } : {}),
    ...(options.rubric !== undefined ? { rubric: resolve(io.cwd, options.rubric) } : {}),
    ...(options.dataset !== undefined ? { dataset: resolve(io.cwd, options.dataset) } : {}),
    ...(options.traffic !== undefined ? { traffic: resolve(io.cwd, options.traffic) } : {}),
    baseline: options.baseline,
    candidate: options.candidate,
    ...(options.judge !== undefined ? { judge: options.judge } : {}),
    cwd: io.cwd,
  };
}

async function runLoaded(inputs: Inputs, options: ResolvedOptions, io: CliIO, startedAt: Date): Promise<{ exitCode: number; report: RunSummary }> {
  // Undefined on a side named `recorded` (--traffic): the traffic's recorded arm answers for it.
  const baselineSpec = inputs.baseline;
  const candidateSpec = inputs.candidate;
  checkRecordedSides(inputs, options);
  const warnings = [
    ...inputs.warnings,
    ...variantWarnings(
      baselineSpec,
      candidateSpec,
      inputs.rubric.checks.some((check) => check.usesJudge) ? [inputs.judge, ...Object.values(inputs.checkJudges)] : [],
    ),
  ];
  if (options.strict && warnings.length > 0) {
    throw new UserError(
      `--strict: ${warnings.length === 1 ? "a warning is an error" : "warnings are errors"}:\n${warnings.map((w) => `  ${w}`).join("\n")}`,
    );
  }
  // SPEC §2: --quiet silences the progress display only; warnings always go to stderr.
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  // The run reads its cases from the dataset (or traffic file) as it goes, never the whole file at once.
  const cases = await selectCases(inputs.dataset, options);
  // A recorded side is described by the models its lines recorded (one more pass over the traffic).
  const models = recordedModels();
  if (!baselineSpec || !candidateSpec) for await (const testCase of cases.read()) countRecordedModels(testCase, models);
  const variants = {
    baseline: baselineSpec ? variantInfo(baselineSpec, io.env) : recordedInfoFrom(models.baseline),
    candidate: candidateSpec ? variantInfo(candidateSpec, io.env) : recordedInfoFrom(models.candidate),
  };

  if (options.maxCost !== undefined) {
    const estimate = await estimateRunCost({
      cases: cases.read(),
      baseline: baselineSpec,
      candidate: candidateSpec,
      checks: inputs.rubric.checks,
      repeat: options.repeat,
      ...(inputs.judge ? { judge: inputs.judge } : {}),
    });
    enforceCostLimit(estimate, options.maxCost);
    if (!options.json) {
      const judgeShare = estimate.judgeUsd > 0 ? `, judge $${estimate.judgeUsd.toFixed(4)} of it` : "";
      io.stderr.write(
        `estimated cost: $${estimate.usd.toFixed(4)}${judgeShare} (--max-cost $${options.maxCost}); estimated from ${estimateMethod}\n`,
      );
    }
  }
  const reusedBaseline = options.baselineReport
    ? loadBaselineReport(
        resolve(io.cwd, options.baselineReport),
        {
          datasetSha256: inputs.dataset.sha256,
          baseline: variants.baseline,
          repeat: options.repeat,
        },
        options.force,
      )
    : undefined;
  // Everything that could make writing fail is checked now, before a single paid request.
  const id = runId(startedAt);
  const outDir = resolve(io.cwd, options.out ?? `reports/${id}`);
  prepareFolder(outDir, "--out");
  if (options.cache && !options.replay) prepareFolder(resolve(io.cwd, options.cacheDir), "--cache-dir");
  const replay = options.replay ? new CassetteStore(resolve(io.cwd, options.replay), "replay") : undefined;
  const fetchFor = runFetch(io, options.concurrency);
  const live = (spec: VariantSpec, role: string): LiveVariant => liveVariant(spec, role, io, options.timeout, replay !== undefined, fetchFor);
  const baseline: SideVariant = baselineSpec ? live(baselineSpec, "baseline") : { recorded: true };
  const candidate: SideVariant = candidateSpec ? live(candidateSpec, "candidate") : { recorded: true };
  const cache = options.cache && !replay ? new CacheStore(resolve(io.cwd, options.cacheDir)) : undefined;
  const runner = new Runner({
    concurrency: options.concurrency,
    timeoutMs: options.timeout,
    // Unless a timeout was asked for, an endpoint that never answers is given up on in ~30 s, not 60 s × every retry.
    ...(options.timeoutGiven ? {} : { firstAnswerTimeoutMs: defaultFirstAnswerTimeoutMs }),
    maxRetries: options.maxRetries,
    signal: io.signal,
    ...(replay ? { replay } : {}),
    ...(cache ? { cache } : {}),
    ...(options.record ? { record: new CassetteStore(resolve(io.cwd, options.record), "record") as ResponseStore } : {}),
    retryBaseMs: Number(io.env.MODELGATE_RETRY_BASE_MS) || defaultRetryBaseMs,
    ...(options.maxCost !== undefined ? { maxCostUsd: options.maxCost } : {}),
    ...(!options.quiet && !options.json && (io.stderr.isTTY || io.env.CI) ? { onUpdate: (event) => progress.onEvent(event) } : {}),
  });
  const progress = new Progress(
    io.stderr,
    io.stderr.isTTY === true && !options.quiet && !options.json,
    {
      baseline: cases.count * options.repeat,
      candidate: cases.count * options.repeat,
    },
    runner,
    outputWidth(io, "stderr"),
  );

  const judge = judgeCaller(inputs, runner, live);
  // Finished cases wait on disk, not in memory, until the report is written (src/run/case-log.ts).
  const caseLog = new CaseLog(outDir);
  try {
    const plan: EvaluationPlan = {
      cases: cases.read(),
      checks: inputs.rubric.checks,
      baseline,
      candidate,
      repeat: options.repeat,
      runner,
      window: options.concurrency * 4,
      ...(judge ? { judge } : {}),
      ...(reusedBaseline ? { reusedBaseline: reusedBaseline.runs } : {}),
      keep: (report) => {
        progress.onCase(report.outcome);
        return caseLog.append(report);
      },
    };
    const caseRecords = await evaluateCases(plan);
    progress.finish();
    // A usage error (cassette miss) means nothing meaningful was scored; a run failure (auth, cost guard)
    // still writes what finished before it exits 3.
    const fatal = runner.fatalError;
    if (fatal && fatal.exitCode !== ExitCode.runFailed) throw fatal;
    const broken =
      fatal?.message ?? (io.signal.aborted ? undefined : whyRunBroke(caseRecords, inputs.rubric.checks, inputs.rubric.errorBudget, inputs.recorded));
    // Who actually answered is known only now (issue #24): these warnings go to stderr and the report.
    const served = servedModelWarnings(
      caseRecords,
      { baseline: baselineSpec, candidate: candidateSpec },
      reusedBaseline && baselineSpec ? { path: displayName(reusedBaseline.path), baseline: baselineSpec, served: reusedBaseline.served } : undefined,
    );
    for (const warning of served) io.stderr.write(`warning: ${warning}\n`);
    warnings.push(...served);

    const report = buildReport({ runId: id, inputs, options, startedAt, caseRecords, runner, warnings, variants, io, broken });
    // eval's --quiet silences only the progress display (SPEC §2): the summary table still prints.
    emitReport(report, emitOptions(outDir, { ...options, quiet: false }), io, caseLog);
    for (const note of runNotes(report, runner)) io.stderr.write(`${note}\n`);

    if (broken !== undefined) {
      io.stderr.write(`error: the run could not complete, so there is no verdict on the candidate: ${plainText(broken, true)}\n`);
      return { exitCode: ExitCode.runFailed, report };
    }
    if (report.run.interrupted) return { exitCode: ExitCode.interrupted, report };
    if (everyRuleSkipped(report.gate)) {
      io.stderr.write("error: no gate rule could be evaluated on the selected cases (every rule was skipped; see report.json)\n");
      return { exitCode: ExitCode.usage, report };
    }
    return { exitCode: gateExitCode(report.gate), report };
  } finally {
    caseLog.dispose();
    closeQuietly(cache, io);
  }
}

/** The cases a run takes: how many, and the dataset read again with the same selection. */
interface Selection {
  count: number;
  read(): AsyncIterable<EvalCase>;
}

/**
 * --case, then --filter, then the first --limit of those, then --shard. Without any of them the run
 * takes every case; with one, a first pass counts the selection (and finds --case ids no case has)
 * before a single request is made.
 */
async function selectCases(dataset: DatasetSource, options: ResolvedOptions): Promise<Selection> {
  const selecting = options.caseIds.length > 0 || options.filter.length > 0 || options.limit !== undefined || options.shard !== undefined;
  if (!selecting) return { count: dataset.count, read: () => dataset.read() };
  const wanted = new Set(options.caseIds);
  const found = new Set<string>();
  const take = caseSelector(options);
  let count = 0;
  for await (const testCase of dataset.read()) {
    if (wanted.has(testCase.id)) found.add(testCase.id);
    if (take(testCase)) count++;
  }
  const unknown = options.caseIds.filter((id) => !found.has(id));
  if (unknown.length > 0) throw new UserError(`--case: no case with id ${unknown.map((id) => JSON.stringify(id)).join(", ")} in the dataset`);
  if (count === 0) throw new UserError("no cases selected: --filter / --case / --limit left nothing to run");
  return { count, read: () => selected(dataset.read(), caseSelector(options)) };
}

/** Whether the run takes a case, called once per case in file order (it counts toward --limit). */
function caseSelector(options: ResolvedOptions): (testCase: EvalCase) => boolean {
  const ids = new Set(options.caseIds);
  let taken = 0;
  return (testCase) => {
    if (ids.size > 0 && !ids.has(testCase.id)) return false;
    if (options.filter.length > 0 && !testCase.tags.some((tag) => options.filter.includes(tag))) return false;
    if (options.limit !== undefined && taken >= options.limit) return false;
    taken++;
    return options.shard === undefined || inShard(testCase.id, options.shard);
  };
}

async function* selected(cases: AsyncIterable<EvalCase>, take: (testCase: EvalCase) => boolean): AsyncGenerator<EvalCase> {
  for await (const testCase of cases) if (take(testCase)) yield testCase;
}

/**
 * Whether a case is in shard i of n: by a hash of the case id, so a case lands in the same shard
 * whatever the machine or the order of the file, and both variants of a case are always run together.
 */
function inShard(id: string, shard: { index: number; count: number }): boolean {
  return createHash("sha256").update(id).digest().readUInt32BE(0) % shard.count === shard.index - 1;
}

/**
 * What `recorded` (SPEC §9) cannot be combined with: a recorded arm is one answer per line, so no
 * --repeat; and the baseline is either recorded or reused from a report, not both.
 */
function checkRecordedSides(inputs: Inputs, options: ResolvedOptions): void {
  if (inputs.recorded.length === 0) return;
  if (options.repeat > 1) {
    throw new UserError(`--repeat ${options.repeat}: a recorded arm is one answer per traffic line; use --repeat 1 with \`recorded\``);
  }
  if (inputs.recorded.includes("baseline") && options.baselineReport !== undefined) {
    throw new UserError(
      "--baseline recorded and --baseline-report: the baseline is either the traffic's recorded arm or an earlier report's; choose one",
    );
  }
}

interface ReportParts {
  runId: string;
  inputs: Inputs;
  options: ResolvedOptions;
  startedAt: Date;
  caseRecords: CaseRecord[];
  runner: Runner;
  warnings: string[];
  variants: { baseline: VariantInfo; candidate: VariantInfo };
  io: CliIO;
  /** why the run could not complete (its verdict is then `error`) */
  broken: string | undefined;
}

function buildReport(parts: ReportParts): RunSummary {
  const { inputs, options, caseRecords, runner } = parts;
  const checks = inputs.rubric.checks;
  const { metrics, comparison, gate } = analyse({
    cases: caseRecords,
    checks: checks.map(checkInfo),
    gate: inputs.rubric.gate,
    ...(inputs.rubric.segments ? { segments: inputs.rubric.segments } : {}),
    cachedLatency: options.cachedLatency,
    policy: inputs.rubric.policy,
  });
  const interrupted = parts.io.signal.aborted || runner.fatalError !== undefined;
  const finishedAt = new Date();
  return {
    schema_version: 1,
    run: {
      id: parts.runId,
      started_at: parts.startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      modelgate_version: modelgateVersion,
      dataset: { path: displayName(inputs.dataset.path), sha256: inputs.dataset.sha256 },
      rubric: { path: displayName(inputs.rubric.path), sha256: inputs.rubric.sha256 },
      repeat: options.repeat,
      interrupted,
      ...(options.shard ? { shard: options.shard } : {}),
      ...(inputs.rubric.segments ? { segments: inputs.rubric.segments } : {}),
      cached_latency: options.cachedLatency,
      cached_latencies: options.cachedLatency ? countCachedLatencies(caseRecords) : 0,
      warnings: parts.warnings,
      requests: { total: runner.requests, reused: runner.reused },
      errors: { baseline: errorCounts(caseRecords, "baseline"), candidate: errorCounts(caseRecords, "candidate") },
      cost_usd: runner.costs(),
    },
    variants: {
      baseline: parts.variants.baseline,
      candidate: parts.variants.candidate,
      ...(inputs.judge && checks.some((check) => check.usesJudge)
        ? {
            judge: {
              ...variantInfo(inputs.judge, parts.io.env),
              prompt_templates: Object.assign({}, ...checks.map((check) => check.judgeTemplates ?? {})),
            },
          }
        : {}),
    },
    checks: checks.map(checkInfo),
    // Dataset order, so runs diff cleanly; renderers sort for reading (regressions first).
    cases: caseRecords,
    metrics,
    comparison,
    // A run that broke or was interrupted has no verdict on the candidate (SPEC §6: `error`, never "not safe").
    gate:
      parts.broken !== undefined || interrupted
        ? { ...gate, verdict: "error", reason: parts.broken ?? "interrupted before every case finished" }
        : gate,
    regressions: caseRecords.filter((c) => c.outcome === "regression").map((c) => c.id),
    improvements: caseRecords.filter((c) => c.outcome === "improvement").map((c) => c.id),
  };
}

/** What the user should know about where the run's numbers came from (printed after the reports). */
function runNotes(report: RunSummary, runner: Runner): string[] {
  const notes: string[] = [];
  if (runner.cacheEntriesWithoutLatency > 0) {
    notes.push(
      `warning: ${runner.cacheEntriesWithoutLatency} cache entries from an earlier modelgate were without a recorded latency; they were requested again`,
    );
  }
  const cached = report.run.cached_latencies ?? 0;
  if (cached > 0) notes.push(`note: ${cached} latencies from the cache (measured when first received); --no-cached-latency leaves them out`);
  return notes;
}

/** Successful draws whose latency was measured by an earlier run (cache or cassette). */
function countCachedLatencies(cases: CaseRecord[]): number {
  let count = 0;
  for (const testCase of cases) for (const run of [...testCase.baseline, ...testCase.candidate]) if (run.cached && !run.error) count++;
  return count;
}

/** Makes sure `path` is (or can become) a folder; a usage error otherwise. */
/**
 * Creates a folder the run writes to and proves it is writable, before any paid request: a read-only
 * `--out` found only when the report is written would lose the run (exit 2 now instead).
 */
function prepareFolder(path: string, flag: string): void {
  const shown = displayName(path);
  if (existsSync(path) && !statSync(path).isDirectory()) throw new UserError(`${flag} ${shown}: exists and is not a folder`);
  try {
    makeFolders(path);
  } catch (error) {
    throw new UserError(`${flag} ${shown}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // A real write, not access(2): root passes every permission check, a read-only mount does not.
  const probe = join(path, `.modelgate-write-check-${randomBytes(4).toString("hex")}`);
  try {
    writeFileSync(probe, "");
  } catch (error) {
    throw new UserError(
      `${flag} ${shown}: the folder is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a folder you can write to`,
    );
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * Closes the cache at the end of a run. A final write that fails there has already cost nothing but the
 * entries of the last moment: the report is written, so say so rather than turn the run into a crash.
 */
function closeQuietly(cache: CacheStore | undefined, io: CliIO): void {
  try {
    cache?.close();
  } catch (error) {
    io.stderr.write(
      `warning: the response cache could not be written at the end of the run (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the next run will request those responses again\n`,
    );
  }
}

function runId(startedAt: Date): string {
  return `${startedAt.toISOString().replace(/[:.]/g, "-").slice(0, 19)}-${randomBytes(2).toString("hex")}`;
}
