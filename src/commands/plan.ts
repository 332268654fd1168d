import { resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";
import { planGate } from "../gate/plan.js";
import { loadRubric } from "../load/rubric.js";
import { describeBound, formatValue } from "../report/format.js";
import { readReport } from "./report.js";

export interface PlanOptions {
  rubric: string;
  /** a pilot run's report.json */
  from?: string;
}

/** `modelgate plan`: cases each rule needs for 80% power, and the gate's false-fail rate at the pilot's n. Calls no model. */
export function runPlan(options: PlanOptions, io: CliIO): number {
  const rubric = loadRubric(resolve(io.cwd, options.rubric));
  if (!options.from) {
    throw new UserError("modelgate plan needs a pilot run: --from <report.json> (a small eval run of the same rubric)");
  }
  const pilot = readReport(resolve(io.cwd, options.from));
  const plan = planGate({ cases: pilot.cases, checks: pilot.checks, rules: rubric.gate, policy: rubric.policy });
  const lines = [`plan for ${rubric.name} from ${pilot.cases.length} pilot cases (80% power, one-sided 2.5% tests):`];
  for (const entry of plan.rules) {
    const { rule } = entry;
    const needed = entry.cases_needed === null ? "cannot be estimated (no spread or on the bound)" : `~${entry.cases_needed} cases`;
    lines.push(
      `  ${rule.metric} ${describeBound(rule.bound, rule.bound_text)} (${rule.mode}): n=${entry.n}, tested value ${formatValue(rule.metric, entry.estimate)}, ${entry.verdict} now; needs ${needed}`,
    );
  }
  const rate = plan.false_fail_rate;
  if (rate) {
    lines.push(
      `  false-fail rate of this gate at n=${pilot.cases.length}: ${(rate.rate * 100).toFixed(1)}% (${rate.replications} resamples under no difference)${rate.driven_by.length > 0 ? `, driven by ${rate.driven_by.join(", ")}` : ""}`,
    );
  }
  io.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
