import { dirname, resolve } from "node:path";
import { metricNames } from "../aggregate/metric-names.js";
import { buildChecks } from "../checks/index.js";
import { createSchemaCompiler, type SchemaCompiler } from "../checks/schema-compiler.js";
import { throwIfIssues } from "../errors.js";
import { checkKeys, expected, isObject, optionalString, optionalStringArray, type Report } from "../fields.js";
import { parseGatePolicy, parseGateRules } from "../gate/rules.js";
import { sha256 } from "../hash.js";
import { displayName } from "../paths.js";
import type { Check, GatePolicy, GateRule, Issue, JsonValue } from "../types.js";
import { readStructuredFile } from "./structured-file.js";

export interface Rubric {
  path: string;
  sha256: string;
  name: string;
  /** absolute path of the dataset the rubric names, if any */
  dataset?: string;
  checks: Check[];
  gate: GateRule[];
  /** `multiplicity:` and `on_inconclusive:` (SPEC §6) */
  policy: GatePolicy;
  /** tags to break metrics down by; default: every tag present */
  segments?: string[];
  /** raw `judge:` entry; resolved with the config's variants */
  judge?: JsonValue;
  /** SPEC §5/§6: past these shares of transient request failures or judge errors, the run could not complete */
  errorBudget: ErrorBudget;
}

export interface ErrorBudget {
  /** share of a side's requests that may fail transiently after retries (default 5%) */
  requests: number;
  /** share of judged draws whose judge failed (default 10%) */
  judge: number;
}

const defaultErrorBudget: ErrorBudget = { requests: 0.05, judge: 0.1 };

const rubricFields = ["name", "description", "dataset", "checks", "gate", "segments", "judge", "error_budget", "multiplicity", "on_inconclusive"];

/**
 * Loads a rubric (SPEC §4): builds every check once and parses the gate. `fallbackGate` is the config's
 * `gate:` used when the rubric has none; `schemas` the run's schema compiler (shared with the dataset).
 */
export function loadRubric(
  path: string,
  fallbackGate?: { rules: JsonValue; report: Report },
  schemas: SchemaCompiler = createSchemaCompiler(),
): Rubric {
  const file = readStructuredFile(path, displayName(path), "rubric");
  const issues: Issue[] = [];
  const report = file.reporter(issues);
  const data = file.data as Record<string, JsonValue>;
  checkKeys(data, rubricFields, "", report);
  const name = optionalString(data, "name", "name", report) ?? displayName(path);
  const dataset = optionalString(data, "dataset", "dataset", report);
  const checks = buildChecks(data.checks, path, report, schemas);
  const known = metricNames(checks);
  const gate =
    data.gate === undefined && fallbackGate
      ? parseGateRules(fallbackGate.rules, known, fallbackGate.report)
      : parseGateRules(data.gate, known, report);
  const segments = optionalStringArray(data, "segments", "segments", report);
  const errorBudget = parseErrorBudget(data.error_budget, report);
  const policy = parseGatePolicy(data, report);
  throwIfIssues(issues, "rubric");
  return {
    path,
    sha256: sha256(file.text),
    name,
    ...(dataset !== undefined ? { dataset: resolve(dirname(path), dataset) } : {}),
    checks,
    gate,
    policy,
    ...(segments !== undefined ? { segments } : {}),
    ...(data.judge !== undefined ? { judge: data.judge } : {}),
    errorBudget,
  };
}

/** `error_budget: { requests: 0.05, judge: "10%" }`: shares between 0 and 1, or percentages. */
function parseErrorBudget(raw: JsonValue | undefined, report: Report): ErrorBudget {
  const budget = { ...defaultErrorBudget };
  if (raw === undefined) return budget;
  if (!isObject(raw)) {
    report("error_budget", expected("an object { requests, judge }", raw));
    return budget;
  }
  checkKeys(raw, ["requests", "judge"], "error_budget", report);
  for (const key of ["requests", "judge"] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    const share = typeof value === "string" && /^\s*\d+(\.\d+)?\s*%\s*$/.test(value) ? Number.parseFloat(value) / 100 : value;
    if (typeof share !== "number" || !Number.isFinite(share) || share < 0 || share > 1) {
      report(`error_budget.${key}`, expected('a share between 0 and 1, or a percentage like "5%"', value));
    } else budget[key] = share;
  }
  return budget;
}
