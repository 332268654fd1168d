import { relative } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { CliIO } from "./cli-io.js";
import { ExitCode, UserError } from "./errors.js";
import { redactingStream, redactSecrets, rememberSecrets } from "./redact.js";
import { plainText } from "./report/plain-text.js";
import { runLimits } from "./settings.js";
import { modelgateVersion } from "./version.js";

const formatNames = ["table", "json", "md", "html", "junit"];

function positiveInt(flag: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${flag} expects an integer ${range}, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}

/** A flag bounded by `runLimits` (commands/defaults.ts), the same range the config file is held to. */
function limitedInt(flag: string, limit: { min: number; max: number }) {
  return positiveInt(flag, limit.min, limit.max);
}

function positiveNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${flag} expects a non-negative number, got ${JSON.stringify(value)}`);
    return parsed;
  };
}

function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new InvalidArgumentError(`--shard expects i/n with 1 <= i <= n (e.g. 2/4), got ${JSON.stringify(value)}`);
  return { index, count };
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
export async function runCli(argv: string[], given: CliIO): Promise<number> {
  // Every later redaction (reports, cassettes, cache, stderr) masks the key values this environment holds.
  rememberSecrets(given.env);
  // No secret reaches stdout or stderr, whichever module writes there (SECURITY.md).
  const io: CliIO = { ...given, stdout: redactingStream(given.stdout, given.env), stderr: redactingStream(given.stderr, given.env) };
  let exitCode: number = ExitCode.ok;
  const program = new Command("modelgate")
    .description("Gate an LLM model or prompt upgrade: run baseline and candidate on a golden dataset, compare, exit 0 (safe) or 1 (not safe).")
    .version(modelgateVersion, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(redactSecrets(text, io.env)) })
    .exitOverride();

  program
    .command("eval")
    .description("run both variants on the dataset, score, compare, apply the gate")
    .requiredOption("--baseline <variant>", "config variant name or provider:model (e.g. openai:gpt-4o-2024-08-06)")
    .requiredOption("--candidate <variant>", "config variant name or provider:model")
    .option("--rubric <file>", "rubric (evals/*.yaml or .json); default from the config")
    .option("--dataset <file>", "golden dataset JSONL; overrides the rubric's dataset")
    .option("--traffic <file>", "a traffic file (captured production requests) as the dataset; `recorded` may then name either variant")
    .option("--config <file>", "config file (default modelgate.config.yaml/.json in the working directory)")
    .option("--concurrency <n>", "requests in flight at once, across both variants", limitedInt("--concurrency", runLimits.concurrency))
    .option("--repeat <n>", "run every case N times per variant", limitedInt("--repeat", runLimits.repeat))
    .option("--timeout <ms>", "per-request timeout in ms", limitedInt("--timeout", runLimits.timeout))
    .option("--max-retries <n>", "retries on 429/5xx/timeouts/network errors", limitedInt("--max-retries", runLimits.maxRetries))
    .option("--filter <tag>", "only cases with this tag (repeatable)", collect, [])
    .option("--case <id>", "only this case (repeatable)", collect, [])
    .option("--limit <n>", "first N cases only", positiveInt("--limit"))
    .option("--shard <i/n>", "run the i-th of n deterministic slices of the cases (merge the reports with `modelgate merge`)", parseShard)
    .option("--out <dir>", "report folder (default reports/<run-id>/)")
    .addOption(new Option("--format <list>", "any of table,json,md,html,junit").argParser(parseFormats).default(["table", "json"], "table,json"))
    .option("--record <file>", "write every response to a cassette (JSONL)")
    .option("--replay <file>", "serve every response from a cassette: no network, no key")
    .option("--no-cache", "don't read or write the response cache")
    .option("--cache-dir <dir>", "where the response cache lives", ".modelgate/cache")
    .option("--no-cached-latency", "leave responses served from the cache or a cassette out of latency metrics")
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

  program
    .command("merge")
    .description("combine shard reports (eval --shard i/n) into one report, gate recomputed over all cases")
    .argument("<reports...>", "report.json of each shard")
    .option("--out <dir>", "where the merged report goes (default: reports/merged next to the first shard's folder)")
    .addOption(new Option("--format <list>", "any of table,json,md,html,junit").argParser(parseFormats).default(["table", "json"], "table,json"))
    .option("--quiet", "no output but errors")
    .option("--json", "print the machine-readable summary to stdout")
    .option("--no-color", "no colour")
    .action(async (paths: string[], raw: { out?: string; format: string[]; quiet?: boolean; json?: boolean; color?: boolean }) => {
      const { runMerge } = await import("./commands/merge.js");
      exitCode = runMerge(
        paths,
        {
          ...(raw.out !== undefined ? { out: raw.out } : {}),
          formats: raw.format,
          quiet: raw.quiet === true,
          json: raw.json === true,
          ...(raw.color === false ? { color: false } : {}),
        },
        io,
      );
    });

  program
    .command("report")
    .description("re-render a saved report.json, calling no model; exits 0/1 by its saved gate verdict")
    .argument("<run.json>", "a report.json written by modelgate eval")
    .addOption(
      new Option("--format <list>", "any of table,json,md,html,junit (the table prints unless --quiet)")
        .argParser(parseFormats)
        .default(["table", "md", "html"], "table,md,html"),
    )
    .option("--out <dir>", "where the files go (default: the folder of run.json)")
    .option("--quiet", "don't print the terminal table")
    .option("--no-color", "no colour")
    .action(async (file: string, raw: { format: string[]; out?: string; quiet?: boolean; color?: boolean }) => {
      const { runReport } = await import("./commands/report.js");
      exitCode = runReport(
        {
          file,
          formats: raw.format,
          ...(raw.out !== undefined ? { out: raw.out } : {}),
          quiet: raw.quiet === true,
          ...(raw.color === false ? { color: false } : {}),
        },
        io,
      );
    });

  program
    .command("plan")
    .description("cases each gate rule needs for 80% power, and the gate's false-fail rate, from a pilot run; calls no model")
    .requiredOption("--rubric <file>", "the rubric whose gate to plan")
    .option("--from <run.json>", "a pilot run's report.json")
    .option("--rate <metric=rate>", "without a pilot: the rate you expect on a rule's metric, both sides (repeatable)", collect, [])
    .option("--n <cases>", "with --rate: the number of cases to give the gate's false-fail rate at")
    .action(async (raw: { rubric: string; from?: string; rate: string[]; n?: string }) => {
      const { runPlan } = await import("./commands/plan.js");
      const { rubric, from, rate, n } = raw;
      exitCode = runPlan({ rubric, rates: rate, ...(from !== undefined ? { from } : {}), ...(n !== undefined ? { n } : {}) }, io);
    });

  const canary = program.command("canary").description("judge a canary window by window and decide promote / hold / rollback (SPEC §11)");
  const listOption = (value: string, previous: string[]) => [...previous, ...value.split(",").filter(Boolean)];
  canary
    .command("analyze")
    .description(
      "judge every closed window not analysed yet, write its report and the state, print the decision (exit 0 promote/complete, 1 rollback, 4 hold)",
    )
    .requiredOption("--plan <file>", "the canary plan")
    .option("--now <time>", "ISO 8601 time taken as now (default: the latest ts in the traffic)")
    .option("--out <dir>", "where window reports go (default reports/canary/<name>/)")
    .option("--format <list>", "window report formats besides report.json: md, html, junit (repeatable, comma-separated)", listOption, [])
    .option("--json", "print the decision and the new windows as JSON")
    .option("--hold-exit-code <n>", "exit code for hold (default 4; 0 for runners that fail on any non-zero exit)")
    .option("--state-dir <dir>", "where canary state lives", ".modelgate/canary")
    .action(async (raw: { plan: string; now?: string; out?: string; format: string[]; json?: boolean; holdExitCode?: string; stateDir: string }) => {
      const { runCanaryAnalyze } = await import("./commands/canary.js");
      exitCode = await runCanaryAnalyze(
        {
          plan: raw.plan,
          formats: raw.format,
          json: raw.json === true,
          stateDir: raw.stateDir,
          ...(raw.now !== undefined ? { now: raw.now } : {}),
          ...(raw.out !== undefined ? { out: raw.out } : {}),
          ...(raw.holdExitCode !== undefined ? { holdExitCode: raw.holdExitCode } : {}),
        },
        io,
      );
    });
  canary
    .command("simulate")
    .description("replay traffic window by window from a fresh state (never written) and print the timeline; tune a plan on last week's traffic")
    .requiredOption("--plan <file>", "the canary plan")
    .option("--traffic <file...>", "traffic files in place of the plan's traffic:")
    .option("--out <dir>", "write each window's report and timeline.json here")
    .option("--format <list>", "window report formats: md, html (also the HTML timeline), junit (repeatable, comma-separated)", listOption, [])
    .option("--json", "print the timeline as JSON")
    .action(async (raw: { plan: string; traffic?: string[]; out?: string; format: string[]; json?: boolean }) => {
      const { runCanarySimulate } = await import("./commands/canary.js");
      exitCode = await runCanarySimulate(
        {
          plan: raw.plan,
          traffic: raw.traffic ?? [],
          formats: raw.format,
          json: raw.json === true,
          ...(raw.out !== undefined ? { out: raw.out } : {}),
        },
        io,
      );
    });
  canary
    .command("run")
    .description("at each window's close: analyse, then promote or roll back through the plan's actuator, audited (SPEC §11-12)")
    .requiredOption("--plan <file>", "the canary plan (its actuator: says where the split lives)")
    .option("--once", "one step: analyse the closed windows, act, exit (0 promote/complete, 1 rollback, 4 hold)")
    .option("--dry-run", "judge without writing state or reports and print the exact calls; change nothing")
    .option("--poll <duration>", "how often to look for new traffic (default a tenth of the window, 1s-60s)")
    .option("--out <dir>", "where window reports go (default reports/canary/<name>/)")
    .option("--hold-exit-code <n>", "exit code for hold (default 4)")
    .option("--state-dir <dir>", "where canary state lives", ".modelgate/canary")
    .action(async (raw: { plan: string; once?: boolean; dryRun?: boolean; poll?: string; out?: string; holdExitCode?: string; stateDir: string }) => {
      const { runCanaryRun } = await import("./commands/canary-run.js");
      exitCode = await runCanaryRun(
        {
          plan: raw.plan,
          once: raw.once === true,
          dryRun: raw.dryRun === true,
          stateDir: raw.stateDir,
          ...(raw.poll !== undefined ? { poll: raw.poll } : {}),
          ...(raw.out !== undefined ? { out: raw.out } : {}),
          ...(raw.holdExitCode !== undefined ? { holdExitCode: raw.holdExitCode } : {}),
        },
        io,
      );
    });
  canary
    .command("serve")
    .description("answer Argo Rollouts' web provider, Flagger's webhooks and /metrics from the canary's state")
    .requiredOption("--plan <file>", "the canary plan")
    .requiredOption("--listen <addr>", "HOST:PORT to listen on, e.g. 127.0.0.1:8377")
    .option("--state-dir <dir>", "where canary state lives", ".modelgate/canary")
    .action(async (raw: { plan: string; listen: string; stateDir: string }) => {
      const { runCanaryServe } = await import("./commands/canary.js");
      exitCode = await runCanaryServe(raw, io);
    });

  const rollout = program.command("rollout").description("read or change the traffic split on the plan's actuator (SPEC §12)");
  for (const action of ["status", "set", "rollback"] as const) {
    const command = rollout
      .command(action)
      .description(
        {
          status: "print the live split and whether it is what modelgate last wrote",
          set: "move the split",
          rollback: "all traffic back to the baseline",
        }[action],
      )
      .requiredOption("--plan <file>", "the canary plan (its actuator: says where the split lives)")
      .option("--state-dir <dir>", "where canary state lives", ".modelgate/canary")
      .option("--json", "print JSON");
    if (action === "set")
      command
        .option("--percent <n>", "share of all traffic on the candidate, an integer 0-100")
        .option("--tenants <list>", "tenant tiers to switch fully on (comma-separated)");
    if (action !== "status")
      command
        .option("--dry-run", "print the exact calls or file diff; change nothing")
        .option("--force", "act even when the live state is not what modelgate last wrote (recorded)");
    command.action(
      async (raw: { plan: string; stateDir: string; json?: boolean; percent?: string; tenants?: string; dryRun?: boolean; force?: boolean }) => {
        const { runRollout } = await import("./commands/rollout.js");
        exitCode = await runRollout(
          {
            action,
            plan: raw.plan,
            stateDir: raw.stateDir,
            dryRun: raw.dryRun === true,
            force: raw.force === true,
            json: raw.json === true,
            ...(raw.percent !== undefined ? { percent: raw.percent } : {}),
            ...(raw.tenants !== undefined ? { tenants: raw.tenants } : {}),
          },
          io,
        );
      },
    );
  }

  program
    .command("init")
    .description("scaffold modelgate.config.yaml, datasets/, evals/, prompts/ and a cassette for a first offline run")
    .argument("[dir]", "folder to create the files in", ".")
    .action(async (dir: string) => {
      const { runInit } = await import("./commands/init.js");
      exitCode = await runInit({ dir }, io);
    });

  program
    .command("import")
    .description("turn production logs (openai-batch, otel, litellm, langfuse) into a traffic file (SPEC §9)")
    .argument("<format>", "openai-batch | otel | litellm | langfuse")
    .argument("<files...>", "the log files (JSON lines)")
    .option("--out <file>", "the traffic file to write (*.traffic.jsonl)")
    .option("--arm-by <field>", "what picks a record's arm: model (default) or a dotted path into the record")
    .option("--arm <arm=value>", "baseline=VALUE or candidate=VALUE (repeatable); without it every record is a baseline", collect, [])
    .option("--tag <name=field>", "add the tag name:<value of field> to each line (repeatable)", collect, [])
    .option("--since <time>", "only requests at or after this time (ISO 8601 or epoch seconds)")
    .option("--until <time>", "only requests at or before this time")
    .option("--sample <n>", "a seeded random sample of N lines, stratified by tags", positiveInt("--sample"))
    .option("--seed <s>", "the sample's seed (default 1)", positiveInt("--seed", 0))
    .option("--dedupe", "identical requests once (the earliest)")
    .option("--redact", "mask e-mail addresses, phone numbers and card numbers (secrets are always masked)")
    .option("--strict", "a dropped record is an error (exit 2)")
    .action(async (format: string, files: string[], raw: import("./commands/import.js").RawImportOptions) => {
      const { runImportCommand } = await import("./commands/import.js");
      exitCode = await runImportCommand(format, files, raw, io);
    });

  program
    .command("shadow")
    .description("an OpenAI-compatible proxy: serve the baseline unchanged, copy a sample to the candidate, log both as traffic (SPEC §10)")
    .requiredOption("--listen <addr>", "host:port to listen on (e.g. 127.0.0.1:8787)")
    .requiredOption("--baseline <variant>", "the served variant (config name or provider:model)")
    .requiredOption("--candidate <variant>", "the shadowed variant (config name or provider:model)")
    .requiredOption("--log <dir>", "folder for the traffic log (shadow-*.traffic.jsonl)")
    .option("--config <file>", "config file (default modelgate.config.yaml/.json in the working directory)")
    .option("--sample <fraction>", "share of requests copied to the candidate, 0 to 1", "1")
    .option("--sample-key <key>", "what the sample hashes: header:<name> or request", "request")
    .option("--max-in-flight <n>", "candidate copies in flight at once (halved on 429)", "16")
    .option("--queue <n>", "candidate copies waiting at most; more are dropped", "1000")
    .option("--candidate-timeout <ms>", "how long a candidate copy may take", "60000")
    .option("--grace <ms>", "on SIGTERM, how long shadow copies still in flight may take", "10000")
    .option("--log-max-bytes <n>", "start a new log file before one passes this size", String(100 * 1024 * 1024))
    .option("--redact", "also mask e-mail addresses, phone and card numbers in the log (secrets are always masked)")
    .option("--max-cost-per-hour <usd>", "stop copying while the candidate's spend over the last hour is above this")
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      const { runShadow, normaliseShadowOptions } = await import("./commands/shadow.js");
      exitCode = await runShadow(normaliseShadowOptions(raw), io);
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
    io.stderr.write(`error: ${plainText(redactSecrets(error.message, io.env), true)}\n`);
    return error.exitCode;
  }
  if (io.signal.aborted) return ExitCode.interrupted;
  const system = systemFailure(error, io.cwd);
  if (system) {
    io.stderr.write(`error: ${plainText(redactSecrets(system, io.env), true)}\n`);
    return ExitCode.runFailed;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`modelgate crashed — this is a bug, please report it with the output below.\n${redactSecrets(stack, io.env)}\n`);
  return 70;
}

/** Failures of the machine rather than of modelgate or its input: a full disk, a read-only folder. */
const environmentCodes = new Set(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EIO", "EISDIR", "ENOTDIR", "ENOTEMPTY", "EMFILE", "ENFILE"]);

/** A one-line message for an operating-system failure (exit 3: the run could not complete), else undefined. */
function systemFailure(error: unknown, cwd: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!(error instanceof Error) || typeof code !== "string" || !environmentCodes.has(code)) return undefined;
  const { syscall, path, dest } = error as NodeJS.ErrnoException & { dest?: string };
  // A rename names its temp file as `path`; the file the user asked for is `dest`.
  const target = dest ?? path;
  const where = target ? ` ${relative(cwd, target) || "."}` : "";
  return `the run could not complete: ${syscall ?? "a file operation"}${where} failed (${code}): ${error.message}`;
}
