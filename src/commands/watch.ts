import { existsSync, type FSWatcher, watch } from "node:fs";
import { resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { ExitCode, UserError } from "../errors.js";
import { formatDelta, formatValue } from "../report/format.js";
import type { RunSummary } from "../types.js";
import { type EvalOptions, runEval } from "./eval.js";

const debounceMs = 250;

/**
 * `eval --watch`: runs, then re-runs whenever an input file changes (dataset, rubric, config, prompts,
 * schemas). The cache makes a re-run request only what changed. After each run it prints what moved
 * since the previous one. Input errors are printed and the watch goes on; Ctrl-C ends it (130).
 */
export async function runWatch(options: EvalOptions, io: CliIO): Promise<number> {
  if (options.replay || options.record) throw new UserError("--watch cannot be combined with --record or --replay");
  let previous: RunSummary | undefined;
  let watched: string[] = [];
  while (!io.signal.aborted) {
    try {
      const result = await runEval(options, io);
      if (result.report && previous) io.stdout.write(describeMoves(previous, result.report));
      if (result.report) previous = result.report;
      watched = result.inputs;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      io.stderr.write(`error: ${error.message}\n`);
      // Inputs that failed to load: keep watching what we know, plus what the options name.
      const named = [options.rubric, options.dataset, options.traffic, options.config ?? "modelgate.config.yaml"].filter(
        (f): f is string => f !== undefined,
      );
      watched = [...new Set([...watched, ...named.map((file) => resolve(io.cwd, file)).filter((file) => existsSync(file))])];
    }
    if (io.signal.aborted) break;
    io.stderr.write(`watching ${watched.length} input files for changes (Ctrl-C to stop)\n`);
    const changed = await nextChange(watched, io.signal);
    if (changed) io.stderr.write(`\n${changed} changed: re-running\n`);
  }
  return ExitCode.interrupted;
}

/** Resolves with the first file that changes (debounced), or undefined when the signal aborts. */
function nextChange(files: string[], signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (file: string | undefined) => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      signal.removeEventListener("abort", onAbort);
      resolve(file);
    };
    const onAbort = () => finish(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    for (const file of files) {
      try {
        watchers.push(
          watch(file, () => {
            clearTimeout(timer);
            timer = setTimeout(() => finish(file), debounceMs);
          }),
        );
      } catch {
        // a file that vanished between runs: the next run reports it
      }
    }
  });
}

/** One line per gate rule whose value or verdict moved since the previous run. */
export function describeMoves(before: RunSummary, after: RunSummary): string {
  const lines: string[] = [];
  after.gate.rules.forEach((rule, index) => {
    const old = before.gate.rules[index];
    if (!old || old.metric !== rule.metric) return;
    const moved = old.candidate !== rule.candidate || old.verdict !== rule.verdict;
    if (!moved) return;
    const change = old.candidate !== null && rule.candidate !== null ? ` (${formatDelta(rule.metric, rule.candidate - old.candidate)})` : "";
    const verdict = old.verdict !== rule.verdict ? `, ${old.verdict} → ${rule.verdict}` : "";
    lines.push(`  ${rule.metric}: ${formatValue(rule.metric, old.candidate)} → ${formatValue(rule.metric, rule.candidate)}${change}${verdict}`);
  });
  const fixed = before.regressions.filter((id) => !after.regressions.includes(id));
  const broke = after.regressions.filter((id) => !before.regressions.includes(id));
  if (fixed.length > 0) lines.push(`  no longer regressing: ${fixed.join(", ")}`);
  if (broke.length > 0) lines.push(`  newly regressing: ${broke.join(", ")}`);
  return lines.length === 0 ? "since the last run: nothing moved\n" : `since the last run:\n${lines.join("\n")}\n`;
}
