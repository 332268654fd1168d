import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { CliIO } from "./cli-io.js";
import { ExitCode, redactSecrets, UserError } from "./errors.js";
import { modelgateVersion } from "./version.js";

const formatNames = ["table", "json", "md", "html", "junit"];

function positiveInt(flag: string, min = 1) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`${flag} expects an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}

function positiveNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${flag} expects a non-negative number, got ${JSON.stringify(value)}`);
    return parsed;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseFormats(value: string): string[] {
  const formats = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = formats.filter((format) => !formatNames.includes(format));
  if (unknown.length > 0 || formats.length === 0) {
    throw new InvalidArgumentError(
      `unknown format ${unknown.map((f) => JSON.stringify(f)).join(", ") || "(empty)"}; expected any of ${formatNames.join(",")}`,
    );
  }
  return formats;
}

/**
 * The command line (SPEC §2). Thin: commander declares commands and options; each action lazily imports
 * its command module with one normalised options object. Errors are caught here, in one place: a
 * UserError prints its message and exits with its code; anything else is a bug (stack + "please report").
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command("modelgate")
    .description("Gate an LLM model or prompt upgrade: run baseline and candidate on a golden dataset, compare, exit 0 (safe) or 1 (not safe).")
    .version(modelgateVersion, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();

  program
    .command("eval")
    .description("run both variants on the dataset, score, compare, apply the gate")
    .requiredOption("--baseline <variant>", "config variant name or provider:model (e.g. openai:gpt-4o-2024-08-06)")
    .requiredOption("--candidate <variant>", "config variant name or provider:model")
    .option("--rubric <file>", "rubric (evals/*.yaml or .json); default from the config")
    .option("--dataset <file>", "golden dataset JSONL; overrides the rubric's dataset")
    .option("--config <file>", "config file (default modelgate.config.yaml/.json in the working directory)")
    .option("--concurrency <n>", "requests in flight at once, across both variants", positiveInt("--concurrency"))
    .option("--repeat <n>", "run every case N times per variant", positiveInt("--repeat"))
    .option("--timeout <ms>", "per-request timeout in ms", positiveInt("--timeout"))
    .option("--max-retries <n>", "retries on 429/5xx/timeouts/network errors", positiveInt("--max-retries", 0))
    .option("--filter <tag>", "only cases with this tag (repeatable)", collect, [])
    .option("--case <id>", "only this case (repeatable)", collect, [])
    .option("--limit <n>", "first N cases only", positiveInt("--limit"))
    .option("--out <dir>", "report folder (default reports/<run-id>/)")
    .addOption(new Option("--format <list>", "any of table,json,md,html,junit").argParser(parseFormats).default(["table", "json"], "table,json"))
    .option("--record <file>", "write every response to a cassette (JSONL)")
    .option("--replay <file>", "serve every response from a cassette: no network, no key")
    .option("--no-cache", "don't read or write the response cache")
    .option("--cache-dir <dir>", "where the response cache lives", ".modelgate/cache")
    .option("--cached-latency", "count cached responses in latency metrics")
    .option("--baseline-report <file>", "reuse the baseline side of an earlier report.json instead of calling the baseline")
    .option("--force", "use --baseline-report even when the dataset, rubric or baseline variant changed")
    .option("--max-cost <usd>", "refuse a run estimated above this cost, and stop one that crosses it (exit 3)", positiveNumber("--max-cost"))
    .option("--judge <variant>", "judge variant (config name or provider:model); overrides the config's judge")
    .option("--strict", "warnings (floating aliases, two variables changed) become errors")
    .option("--watch", "re-run when the dataset, rubric, config or a prompt changes (local iteration)")
    .option("--quiet", "no progress output")
    .option("--json", "print the machine-readable summary to stdout")
    .option("--no-color", "no colour")
    .action(async (raw: Record<string, unknown>) => {
      if (raw.record !== undefined && raw.replay !== undefined) throw new UserError("--record and --replay cannot be combined");
      const { runEval } = await import("./commands/eval.js");
      const { resolveRunDefaults } = await import("./commands/defaults.js");
      const options = resolveRunDefaults(raw, io);
      if (raw.watch === true) {
        const { runWatch } = await import("./commands/watch.js");
        exitCode = await runWatch(options, io);
      } else exitCode = (await runEval(options, io)).exitCode;
    });

  program
    .command("validate")
    .description("check the config, rubric and dataset; call nothing")
    .option("--rubric <file>", "rubric file; default from the config")
    .option("--dataset <file>", "dataset JSONL; overrides the rubric's dataset")
    .option("--config <file>", "config file")
    .action(async (raw: { rubric?: string; dataset?: string; config?: string }) => {
      const { runValidate } = await import("./commands/validate.js");
      exitCode = await runValidate(raw, io);
    });

  const cache = program.command("cache").description("inspect or clear the response cache");
  for (const action of ["stats", "clear"] as const) {
    cache
      .command(action)
      .description(action === "stats" ? "count cached responses and their size" : "delete every cached response")
      .option("--cache-dir <dir>", "where the response cache lives", ".modelgate/cache")
      .action(async (raw: { cacheDir: string }) => {
        const { runCache } = await import("./commands/cache.js");
        exitCode = runCache(action, raw.cacheDir, io);
      });
  }

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    return handleError(error, io);
  }
  return exitCode;
}

function handleError(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // --help and --version exit through here with code 0; usage errors were already printed.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof UserError) {
    io.stderr.write(`error: ${redactSecrets(error.message)}\n`);
    return error.exitCode;
  }
  if (io.signal.aborted) return ExitCode.interrupted;
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`modelgate crashed — this is a bug, please report it with the output below.\n${redactSecrets(stack)}\n`);
  return 70;
}
