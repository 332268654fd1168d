import { dirname, resolve } from "node:path";
import { metricNames } from "../aggregate/metric-names.js";
import { buildChecks } from "../checks/index.js";
import { throwIfIssues } from "../errors.js";
import { parseGatePolicy, parseGateRules } from "../gate/rules.js";
import type { Check, GatePolicy, GateRule, Issue, JsonValue } from "../types.js";
import { displayName } from "./dataset.js";
import { checkKeys, optionalString, optionalStringArray, type Report } from "./fields.js";
import { readStructuredFile } from "./structured-file.js";
import { sha256 } from "./variants.js";

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
}

const rubricFields = ["name", "description", "dataset", "checks", "gate", "segments", "judge", "multiplicity", "on_inconclusive"];

/**
 * Loads a rubric (SPEC §4): builds every check once and parses the gate. `fallbackGate` is the config's
 * `gate:` used when the rubric has none.
 */
export function loadRubric(path: string, fallbackGate?: { rules: JsonValue; report: Report }): Rubric {
  const file = readStructuredFile(path, displayName(path), "rubric");
  const issues: Issue[] = [];
  const report = file.reporter(issues);
  const data = file.data as Record<string, JsonValue>;
  checkKeys(data, rubricFields, "", report);
  const name = optionalString(data, "name", "name", report) ?? displayName(path);
  const dataset = optionalString(data, "dataset", "dataset", report);
  const checks = buildChecks(data.checks, path, report);
  const known = metricNames(checks);
  const gate =
    data.gate === undefined && fallbackGate
      ? parseGateRules(fallbackGate.rules, known, fallbackGate.report)
      : parseGateRules(data.gate, known, report);
  const segments = optionalStringArray(data, "segments", "segments", report);
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
  };
}
