import { metricNames, splitSegmentMetric } from "../aggregate/metric-names.js";
import { createSchemaCompiler } from "../checks/schema-compiler.js";
import { describeValue, suggest, throwIfIssues, UserError } from "../errors.js";
import { displayName } from "../paths.js";
import { priceOf } from "../pricing.js";
import { providerNames, requestOptionWarnings } from "../providers/index.js";
import type { EvalCase, Issue, JsonValue, Side, VariantSpec } from "../types.js";
import { placeholders } from "../vars.js";
import { type Config, findConfig, loadConfig } from "./config.js";
import { type DatasetSource, scanDataset } from "./dataset.js";
import { loadRubric, type Rubric } from "./rubric.js";
import { readStructuredFile } from "./structured-file.js";
import { scanTraffic } from "./traffic-file.js";
import { isFloatingAlias, parseInlineVariant, parseVariant } from "./variants.js";

export interface InputOptions {
  config?: string;
  rubric?: string;
  dataset?: string;
  /** a traffic file (SPEC §9) in place of the dataset; `recorded` may then name either variant */
  traffic?: string;
  baseline?: string;
  candidate?: string;
  judge?: string;
  /** where a default modelgate.config.yaml is looked for */
  cwd?: string;
}

export interface Inputs {
  config: Config;
  rubric: Rubric;
  dataset: DatasetSource;
  baseline?: VariantSpec;
  candidate?: VariantSpec;
  /** the default judge (--judge, the rubric's or the config's `judge:`) */
  judge?: VariantSpec;
  /** the sides named `recorded` (with --traffic): answered by the traffic's recorded arms, so no variant */
  recorded: Side[];
  /** judges named on individual checks (`judge:` on a check), by the name the check uses */
  checkJudges: Record<string, VariantSpec>;
  warnings: string[];
}

/** Loads config → rubric → dataset → variants, validating everything before any model is called. */
export async function loadInputs(options: InputOptions): Promise<Inputs> {
  const config = loadConfig(findConfig(options.config, options.cwd));
  const rubricPath = options.rubric ?? config.rubric;
  if (rubricPath === undefined) {
    throw new UserError("no rubric: pass --rubric FILE, or set `rubric:` in modelgate.config.yaml");
  }
  let configGate: { rules: JsonValue; report: (field: string, message: string) => void } | undefined;
  const configIssues: Issue[] = [];
  if (config.gate !== undefined && config.path !== undefined) {
    const configFile = readStructuredFile(config.path, displayName(config.path), "config");
    configGate = { rules: config.gate, report: configFile.reporter(configIssues) };
  }
  // One schema compiler per load: the rubric's and the dataset's schemas compile once, and a `watch`
  // re-run starts from nothing.
  const schemas = createSchemaCompiler();
  const rubric = loadRubric(rubricPath, configGate, schemas);
  throwIfIssues(configIssues, "config");
  for (const side of ["baseline", "candidate"] as const) {
    if (options[side] === recordedVariantName && options.traffic === undefined) {
      throw new UserError(`--${side} recorded: \`recorded\` means the traffic file's recorded ${side} arm; it needs --traffic FILE`);
    }
  }
  if (options.traffic !== undefined && options.dataset !== undefined)
    throw new UserError("--traffic and --dataset: give one (a traffic file is the dataset)");
  const datasetPath = options.traffic ?? options.dataset ?? rubric.dataset ?? config.dataset;
  if (datasetPath === undefined) {
    throw new UserError(`no dataset: pass --dataset FILE, or set \`dataset:\` in ${displayName(rubric.path)}`);
  }
  // Each case is checked against the rubric and the variants as the file is read: a dataset or traffic
  // file is scanned once before the run, which then reads it again case by case (never held whole). A bad
  // variant is reported after the dataset's own problems, which come first.
  let variants: Pick<Inputs, "baseline" | "candidate" | "recorded" | "judge" | "checkJudges"> | undefined;
  let variantError: unknown;
  try {
    variants = { ...resolveSides(options, config), ...loadJudges(rubric, config, options.judge) };
  } catch (error) {
    variantError = error;
  }
  const caseIssues: Issue[] = [];
  const checkCase = variants ? caseChecker(rubric, config, variants, displayName(datasetPath), caseIssues) : () => {};
  const dataset: DatasetSource =
    options.traffic !== undefined
      ? await scanTraffic(datasetPath, undefined, schemas, checkCase)
      : await scanDataset(datasetPath, undefined, schemas, checkCase);
  if (!variants) throw variantError;
  throwIfIssues(caseIssues, "dataset");
  const warnings = [...dataset.warnings];
  // SPEC §6: a rubric with no gate rules can never fail, so its "safe" means nothing (an error under --strict).
  if (rubric.gate.length === 0) {
    warnings.push(
      `${displayName(rubric.path)} has no gate rules: every run will pass, whatever the candidate does; add a gate: list (e.g. - { metric: pass_rate, max_drop: 0.02, mode: significant })`,
    );
  }
  const inputs: Inputs = { config, rubric, dataset, warnings, ...variants };
  validateRubricAgainstDataset(inputs);
  return inputs;
}

/** The variants --baseline and --candidate name, and the sides named `recorded`. */
function resolveSides(options: InputOptions, config: Config): Pick<Inputs, "baseline" | "candidate" | "recorded"> {
  const sides: Pick<Inputs, "baseline" | "candidate" | "recorded"> = { recorded: [] };
  for (const side of ["baseline", "candidate"] as const) {
    const reference = options[side];
    if (reference === undefined) continue;
    if (reference === recordedVariantName) sides.recorded.push(side);
    else sides[side] = resolveVariant(reference, config, `--${side}`);
  }
  return sides;
}

/** The name that stands for a side's recorded arm under `eval --traffic` (SPEC §9); it wins over a config variant of that name. */
export const recordedVariantName = "recorded";

/** A variant named on the command line: a config name, or inline `provider:model`. */
export function resolveVariant(reference: string, config: Config, flag: string): VariantSpec {
  const named = Object.hasOwn(config.variants, reference) ? config.variants[reference] : undefined;
  if (named) return named;
  const inline = parseInlineVariant(reference);
  if (inline) return inline;
  const names = Object.keys(config.variants);
  throw new UserError(
    `${flag} ${JSON.stringify(reference)}: not a variant in ${config.path ? displayName(config.path) : "the config (no modelgate.config.yaml found)"}` +
      ` and not an inline provider:model (${providerNames.map((name) => `${name}:<model>`).join(", ")})` +
      (names.length > 0 ? `${suggest(reference, names)}; known variants: ${names.join(", ")}` : ""),
  );
}

/** The rubric's judges: the default (--judge, the rubric's, else the config's) and the checks' own; a judging check without one is an input error. */
export function loadJudges(rubric: Rubric, config: Config, flag?: string): Pick<Inputs, "judge" | "checkJudges"> {
  const judge = resolveJudge(flag, rubric, config);
  const checkJudges: Record<string, VariantSpec> = {};
  for (const check of rubric.checks) {
    if (check.judgeVariant !== undefined) {
      checkJudges[check.judgeVariant] ??= resolveVariant(check.judgeVariant, config, `check ${check.id} judge:`);
    } else if (check.usesJudge && !judge) {
      throw new UserError(
        `${displayName(rubric.path)}: check ${check.id} needs an LLM judge, but none is configured: set \`judge: { provider, model }\` in the config or rubric, or pass --judge VARIANT`,
      );
    }
  }
  return { ...(judge ? { judge } : {}), checkJudges };
}

function resolveJudge(flag: string | undefined, rubric: Rubric, config: Config): VariantSpec | undefined {
  if (flag !== undefined) return resolveVariant(flag, config, "--judge");
  if (rubric.judge !== undefined) {
    if (typeof rubric.judge === "string") return resolveVariant(rubric.judge, config, "rubric judge:");
    const issues: Issue[] = [];
    const judge = parseVariant("judge", rubric.judge, "judge", rubric.path, (field, message) =>
      issues.push({ file: displayName(rubric.path), field, message }),
    );
    throwIfIssues(issues, "rubric");
    return judge;
  }
  return config.judge;
}

/** Per-case problems only visible with both the rubric and the dataset (checks' own needs, prompt vars), into `issues`. */
function caseChecker(
  rubric: Rubric,
  config: Config,
  sides: Pick<Inputs, "baseline" | "candidate" | "recorded">,
  file: string,
  issues: Issue[],
): (testCase: EvalCase) => void {
  // eval checks the two variants it runs (none when both sides are recorded); validate checks every variant the config defines.
  const running = sides.baseline || sides.candidate || sides.recorded.length > 0;
  const variants = running ? [sides.baseline, sides.candidate] : Object.values(config.variants);
  const prompted = variants.flatMap((variant) =>
    variant?.prompt ? [{ variantName: variant.name, path: variant.prompt.path, names: placeholders(variant.prompt.text) }] : [],
  );
  return (testCase) => {
    for (const check of rubric.checks) {
      if (!check.validateCase || !check.appliesTo(testCase)) continue;
      for (const message of check.validateCase(testCase)) issues.push({ file, line: testCase.line, field: `check ${check.id}`, message });
    }
    for (const { variantName, path, names } of prompted) {
      const missing = names.filter((name) => !Object.hasOwn(testCase.vars, name));
      if (missing.length > 0) {
        issues.push({
          file,
          line: testCase.line,
          field: "vars",
          message: `${variantName}'s prompt ${displayName(path)} uses ${missing.map((m) => `{{${m}}}`).join(", ")}, which this case does not set (vars: ${describeValue(testCase.vars)})`,
        });
      }
    }
  };
}

/**
 * Rubric problems only visible with the dataset (SPEC §6: knowable before the run → exit 2): a `when:`
 * tag, a `segments:` tag or a `segment.<tag>.` gate metric that no case carries would silently drop
 * its cases; a cost rule for a variant with no price could never be evaluated.
 */
function validateRubricAgainstDataset(inputs: Inputs): void {
  const { rubric, dataset } = inputs;
  const file = displayName(rubric.path);
  const { tags } = dataset;
  const issues: Issue[] = [];
  const unknownTag = (tag: string, field: string, what: string) => {
    if (tags.includes(tag)) return;
    issues.push({
      file,
      field,
      message: `${what} ${JSON.stringify(tag)} is on no case of ${displayName(dataset.path)}${suggest(tag, tags) || (tags.length > 0 ? ` (tags: ${tags.join(", ")})` : " (no case has tags)")}`,
    });
  };
  for (const check of rubric.checks) for (const tag of check.whenTags ?? []) unknownTag(tag, `check ${check.id}.when.tags`, "tag");
  for (const tag of rubric.segments ?? []) unknownTag(tag, "segments", "segment tag");
  const known = metricNames(rubric.checks);
  rubric.gate.forEach((rule, index) => {
    const segment = splitSegmentMetric(rule.metric, known);
    if (segment) unknownTag(segment.tag, `gate[${index}].metric`, "segment tag");
    const metric = segment?.metric ?? rule.metric;
    if (!metric.startsWith("cost.")) return;
    // eval checks the two variants it runs; validate every variant the config defines.
    const variants = inputs.baseline || inputs.candidate ? [inputs.baseline, inputs.candidate] : Object.values(inputs.config.variants);
    for (const variant of variants) {
      if (variant && priceOf(variant) === null) {
        issues.push({
          file,
          field: `gate[${index}].metric`,
          message: `${rule.metric} needs a price for ${variant.name} (model ${variant.model}), and modelgate knows none: add pricing: { input_per_mtok, output_per_mtok } to the variant`,
        });
      }
    }
  });
  throwIfIssues(issues, "rubric");
}

/** Warnings of SPEC §2 (errors under --strict): floating aliases, two variables changed, a judge grading its own model. */
export function variantWarnings(
  baseline: VariantSpec | undefined,
  candidate: VariantSpec | undefined,
  judges: Array<VariantSpec | undefined>,
): string[] {
  const warnings: string[] = [];
  const roles: Array<[string, VariantSpec | undefined]> = [
    ["baseline", baseline],
    ["candidate", candidate],
    ...judges.map((judge): [string, VariantSpec | undefined] => ["judge", judge]),
  ];
  for (const [role, variant] of roles) if (variant) warnings.push(...requestOptionWarnings(role, variant));
  for (const [role, variant] of roles) {
    if (variant && isFloatingAlias(variant)) {
      warnings.push(
        `${role} model "${variant.model}" is a floating alias: pin a dated version (e.g. gpt-4o-2024-08-06) so the result means something next week`,
      );
    }
  }
  // A recorded side's model and prompt are production's, per line: nothing to compare here.
  const modelChanged = baseline && candidate && (baseline.model !== candidate.model || baseline.provider !== candidate.provider);
  const promptChanged = baseline && candidate && (baseline.prompt?.sha256 ?? null) !== (candidate.prompt?.sha256 ?? null);
  if (modelChanged && promptChanged) {
    warnings.push("baseline and candidate differ in both model and prompt: change one variable at a time, or a regression cannot be attributed");
  }
  for (const judge of judges) {
    if (!judge) continue;
    for (const [role, variant] of [
      ["candidate", candidate],
      ["baseline", baseline],
    ] as const) {
      if (variant && judge.model === variant.model && judge.provider === variant.provider) {
        warnings.push(`the judge is the ${role}'s own model (${judge.model}): LLM judges favour their own outputs; pick another judge with --judge`);
      }
    }
  }
  return [...new Set(warnings)];
}
