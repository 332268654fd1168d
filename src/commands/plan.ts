import { resolve } from "node:path";
import { declarationOf } from "../aggregate/metric-registry.js";
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";
import { planFromRates, planGate, type RulePlan, type StatedRate } from "../gate/plan.js";
import { loadRubric } from "../load/rubric.js";
import { describeBound, formatValue } from "../report/format.js";
import type { FalseFailRate, GateRule } from "../types.js";
import { readReport } from "./report.js";

export interface PlanOptions {
  rubric: string;
  /** a pilot run's report.json */
  from?: string;
  /** `metric=rate` as typed (`pass_rate=0.92`, `error_rate=1%`), for planning without a pilot */
  rates?: string[];
  /** the n the stated rates' false-fail rate is given at, as typed */
  n?: string;
}

/**
 * `modelgate plan`: cases each rule needs for 80% power, and the gate's false-fail rate at the pilot's n
 * (`--from`) or at `--n` from rates stated with `--rate`. Calls no model.
 */
export function runPlan(options: PlanOptions, io: CliIO): number {
  const rubric = loadRubric(resolve(io.cwd, options.rubric));
  const stated = options.rates ?? [];
  if (options.from && (stated.length > 0 || options.n !== undefined)) {
    throw new UserError("modelgate plan: give either a pilot run (--from) or stated rates (--rate metric=value … --n N), not both");
  }
  if (options.from) {
    const pilot = readReport(resolve(io.cwd, options.from));
    const plan = planGate({ cases: pilot.cases, checks: pilot.checks, rules: rubric.gate, policy: rubric.policy });
    const lines = [`plan for ${rubric.name} from ${pilot.cases.length} pilot cases (80% power, one-sided 2.5% tests):`];
    lines.push(...plan.rules.map(describeRule), ...describeRate(plan.false_fail_rate, pilot.cases.length));
    io.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  }
  if (stated.length === 0) {
    throw new UserError(
      "modelgate plan needs a pilot run (--from <report.json>, a small eval run of the same rubric) or the rates you expect (--rate pass_rate=0.92 … --n 200)",
    );
  }
  const rates = stated.map((text) => parseRate(text, rubric.gate));
  const n = parseN(options.n);
  const plan = planFromRates({
    rates,
    n,
    rules: rubric.gate,
    policy: rubric.policy,
    isRate: (metric) => declarationOf(metric)?.kind === "proportion",
  });
  const lines = [
    `plan for ${rubric.name} from stated rates at n=${n}, both sides equal (80% power, one-sided 2.5% tests):`,
    "  (the sides' case outcomes taken as independent: real pairs agree more, so a pilot run (--from) usually needs fewer cases)",
  ];
  lines.push(...plan.rules.map(describeRule));
  for (const { rule, reason } of plan.unplanned)
    lines.push(`  ${rule.metric} ${describeBound(rule.bound, rule.bound_text)} (${rule.mode}): not planned, ${reason}`);
  lines.push(...describeRate(plan.false_fail_rate, n, plan.unplanned.length > 0 ? " (of the planned rules)" : ""));
  io.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

function describeRule(entry: RulePlan): string {
  const { rule } = entry;
  const needed = entry.cases_needed === null ? "cannot be estimated (no spread or on the bound)" : `~${entry.cases_needed} cases`;
  return `  ${rule.metric} ${describeBound(rule.bound, rule.bound_text)} (${rule.mode}): n=${entry.n}, tested value ${formatValue(rule.metric, entry.estimate)}, ${entry.verdict} now; needs ${needed}`;
}

function describeRate(rate: FalseFailRate | null, n: number, scope = ""): string[] {
  if (!rate) return [];
  const drivers = rate.driven_by.length > 0 ? `, driven by ${rate.driven_by.join(", ")}` : "";
  return [
    `  false-fail rate of this gate${scope} at n=${n}: ${(rate.rate * 100).toFixed(1)}% (${rate.replications} resamples under no difference)${drivers}`,
  ];
}

/** `pass_rate=0.92` or `pass_rate=92%`: a metric one of the gate's rules names, and a rate in [0, 1]. */
function parseRate(text: string, rules: GateRule[]): StatedRate {
  const at = text.lastIndexOf("=");
  const metric = at > 0 ? text.slice(0, at).trim() : "";
  const value = at > 0 ? text.slice(at + 1).trim() : "";
  const rate = value.endsWith("%") ? Number(value.slice(0, -1)) / 100 : Number(value);
  if (!metric || value === "" || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new UserError(`--rate ${text}: expected metric=rate with a rate from 0 to 1 or 0% to 100% (e.g. --rate pass_rate=0.92)`);
  }
  const named = [...new Set(rules.map((rule) => rule.metric))];
  if (!named.includes(metric)) {
    throw new UserError(`--rate ${text}: no gate rule of the rubric is on ${metric} (its rules are on: ${named.join(", ") || "nothing"})`);
  }
  return { metric, rate };
}

function parseN(text: string | undefined): number {
  if (text === undefined) throw new UserError("--rate needs --n N: the number of cases to plan the false-fail rate at");
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 2 || n > 1_000_000) throw new UserError(`--n ${text}: expected a whole number of cases from 2 to 1000000`);
  return n;
}
