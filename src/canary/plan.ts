/**
 * The canary plan (SPEC §11): written before the canary starts, validated like a rubric (every problem at
 * once, file:line:field, exit 2) and hashed by its bytes into every report and action it leads to.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { type ActuatorKind, type ActuatorSpec, actuatorKinds, type HeaderValue, tenantTargetingKinds } from "../actuator-types.js";
import { metricNames } from "../aggregate/metric-names.js";
import { describeValue, throwIfIssues, UserError } from "../errors.js";
import { checkKeys, expected, isObject, optionalNumber, optionalString, optionalStringArray, type Report } from "../fields.js";
import { parseGateRules } from "../gate/rules.js";
import { sha256 } from "../hash.js";
import { loadRubric, type Rubric } from "../load/rubric.js";
import { readStructuredFile } from "../load/structured-file.js";
import { displayName } from "../paths.js";
import type { GateRule, Issue, JsonObject, JsonValue } from "../types.js";
import { formatDuration, parseDuration } from "./duration.js";

/** The log formats `modelgate import` reads (SPEC §9). */
export const importFormats = ["openai-batch", "otel", "litellm", "langfuse"] as const;
export type ImportFormat = (typeof importFormats)[number];

/** `traffic:` — traffic files by glob, or production logs imported on the fly (SPEC §9 `import`). */
export type TrafficSource =
  | { kind: "files"; globs: string[] }
  | {
      kind: "import";
      format: ImportFormat;
      /** absolute globs of the source log files */
      paths: string[];
      arm_by?: string;
      arms: { baseline?: string; candidate?: string };
      /** tag name → dotted field path of the source record (`tenant: metadata.tenant`) */
      tags: Record<string, string>;
    };

/** A stage: a tenant tier (fully on the candidate), or a percentage of all traffic. */
export type CanaryStage =
  | { kind: "tenants"; name: string; tenants: string[]; min_duration_ms: number }
  | { kind: "percent"; name: string; percent: number; min_duration_ms: number };

export interface CanaryPlan {
  /** absolute path of the plan file */
  path: string;
  displayPath: string;
  /** sha256 of the plan file's bytes */
  sha256: string;
  name: string;
  /** absolute path of the rubric */
  rubricPath: string;
  /** the loaded rubric, unless loading was skipped (`{ rubric: false }`) */
  rubric?: Rubric;
  /** config variant names (or inline `provider:model`) */
  baseline: string;
  candidate: string;
  /** absolute path of `config:`, when the plan names one */
  config?: string;
  traffic: TrafficSource;
  window_ms: number;
  window_lag_ms: number;
  min_requests: number;
  /** tag names (`tenant` matches the tags `tenant:<value>`) */
  compare_within: string[];
  stages: CanaryStage[];
  promote: { consecutive: number; rules: GateRule[] };
  rollback: { windows: number; rules: GateRule[] };
  max_duration_ms: number;
  /** epoch ms that windows align to and the canary starts at; absent: windows align to the epoch */
  start_ms?: number;
  actuator?: ActuatorSpec;
}

const planFields = [
  "name",
  "description",
  "rubric",
  "config",
  "baseline",
  "candidate",
  "traffic",
  "window",
  "window_lag",
  "min_requests",
  "compare_within",
  "stages",
  "promote",
  "rollback",
  "max_duration",
  "start",
  "actuator",
];

export const defaultWindowLagMs = 2 * 60_000;
export const defaultMaxDurationMs = 7 * 86_400_000;
export const defaultMinRequests = 100;

/** A folder name under .modelgate/canary/: no separators, no leading dot. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface LoadPlanOptions {
  /** load the rubric and check the rules' metric names against it (default true) */
  rubric?: boolean;
}

/** Reads and validates a canary plan (YAML or JSON); throws one UserError (exit 2) listing every problem. */
export function loadCanaryPlan(path: string, options: LoadPlanOptions = {}): CanaryPlan {
  const absolute = resolve(path);
  const file = readStructuredFile(absolute, displayName(absolute), "canary plan");
  const folder = dirname(absolute);
  const issues: Issue[] = [];
  const report = file.reporter(issues);
  const data = file.data as JsonObject;
  checkKeys(data, planFields, "", report);

  const name = requiredString(data, "name", report, "the canary's name (names its state folder)");
  if (name !== undefined && !namePattern.test(name)) {
    report("name", `expected letters, digits, ".", "_" or "-" (it names the folder .modelgate/canary/<name>/), got ${describeValue(name)}`);
  }
  const rubricField = requiredString(data, "rubric", report, "the rubric file that scores the traffic");
  const rubricPath = rubricField === undefined ? "" : resolve(folder, rubricField);
  const baseline = requiredString(data, "baseline", report, "the baseline variant");
  const candidate = requiredString(data, "candidate", report, "the candidate variant");
  const configField = optionalString(data, "config", "config", report);

  let rubric: Rubric | undefined;
  let known: string[] | undefined;
  if (rubricField !== undefined && options.rubric !== false) {
    try {
      rubric = loadRubric(rubricPath);
      known = metricNames(rubric.checks);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      report("rubric", `the rubric ${rubricField} does not load: ${error.message}`);
    }
  }

  const traffic = parseTraffic(data.traffic, folder, report);
  const window_ms = duration(data, "window", report, { required: true }) ?? 0;
  const window_lag_ms = duration(data, "window_lag", report, { zero: true }) ?? defaultWindowLagMs;
  const min_requests = optionalNumber(data, "min_requests", "min_requests", report, { min: 1, integer: true }) ?? defaultMinRequests;
  const compare_within = optionalStringArray(data, "compare_within", "compare_within", report) ?? [];
  compare_within.forEach((tag, index) => {
    if (tag.includes(":"))
      report(`compare_within[${index}]`, `expected a tag name such as "tenant" (lines carry tenant:<value>), got ${describeValue(tag)}`);
  });
  const max_duration_ms = duration(data, "max_duration", report) ?? defaultMaxDurationMs;
  if (window_ms > 0 && max_duration_ms < window_ms) {
    report("max_duration", `expected at least one window (${formatDuration(window_ms)}), got ${formatDuration(max_duration_ms)}`);
  }
  const start_ms = parseStart(data.start, report);
  const promote = parseRuleBlock(data.promote, "promote", "consecutive", known, report);
  const rollback = parseRuleBlock(data.rollback, "rollback", "windows", known, report);
  const actuator = data.actuator === undefined ? undefined : parseActuator(data.actuator, folder, report);
  const stages = parseStages(data.stages, actuator?.kind, report);

  throwIfIssues(issues, "canary plan");
  return {
    path: absolute,
    displayPath: file.displayPath,
    sha256: sha256(readFileSync(absolute)),
    name: name as string,
    rubricPath,
    ...(rubric ? { rubric } : {}),
    baseline: baseline as string,
    candidate: candidate as string,
    ...(configField !== undefined ? { config: resolve(folder, configField) } : {}),
    traffic: traffic as TrafficSource,
    window_ms,
    window_lag_ms,
    min_requests,
    compare_within,
    stages,
    promote: { consecutive: promote.count, rules: promote.rules },
    rollback: { windows: rollback.count, rules: rollback.rules },
    max_duration_ms,
    ...(start_ms !== undefined ? { start_ms } : {}),
    ...(actuator ? { actuator } : {}),
  };
}

function requiredString(data: JsonObject, key: string, report: Report, what: string): string | undefined {
  const value = data[key];
  if (typeof value === "string" && value.trim() !== "") return value;
  report(key, expected(`a string: ${what}`, value));
  return undefined;
}

function duration(
  object: JsonObject,
  key: string,
  report: Report,
  how: { required?: boolean; zero?: boolean; at?: string } = {},
): number | undefined {
  const field = how.at ?? key;
  const value = object[key];
  if (value === undefined) {
    if (how.required) report(field, expected('a duration such as "15m", "24h" or "7d"', value));
    return undefined;
  }
  if (how.zero && value === 0) return 0;
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms === undefined || (ms === 0 && !how.zero)) {
    report(field, `expected a duration such as "15m", "24h" or "7d" (units ms, s, m, h, d, w), got ${describeValue(value)}`);
    return undefined;
  }
  return ms;
}

function parseStart(value: JsonValue | undefined, report: Report): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    report("start", `expected an ISO 8601 time such as "2025-01-20T09:00:00Z", got ${describeValue(value)}`);
    return undefined;
  }
  return ms;
}

function parseTraffic(value: JsonValue | undefined, folder: string, report: Report): TrafficSource | undefined {
  const toAbsolute = (glob: string) => (isAbsolute(glob) ? glob : resolve(folder, glob));
  if (typeof value === "string") return { kind: "files", globs: [toAbsolute(value)] };
  if (Array.isArray(value)) {
    const globs = optionalStringArray({ traffic: value }, "traffic", "traffic", report) ?? [];
    if (globs.length === 0) report("traffic", "expected at least one traffic file or glob");
    return { kind: "files", globs: globs.map(toAbsolute) };
  }
  if (!isObject(value)) {
    report("traffic", expected("traffic files (a glob or a list of globs), or an import spec { format, path, arm_by, arms, tags }", value));
    return undefined;
  }
  checkKeys(value, ["format", "path", "arm_by", "arms", "tags"], "traffic", report);
  const format = value.format;
  if (typeof format !== "string" || !(importFormats as readonly string[]).includes(format)) {
    report("traffic.format", `expected one of ${importFormats.join(" | ")}, got ${describeValue(format)}`);
  }
  const rawPaths = typeof value.path === "string" ? [value.path] : value.path;
  const paths = optionalStringArray({ path: rawPaths ?? null }, "path", "traffic.path", report) ?? [];
  if (value.path === undefined) report("traffic.path", expected("the log file(s) to import (a path, glob or list)", undefined));
  const arm_by = optionalString(value, "arm_by", "traffic.arm_by", report);
  const arms: { baseline?: string; candidate?: string } = {};
  if (value.arms !== undefined) {
    if (!isObject(value.arms)) report("traffic.arms", expected("an object { baseline: VALUE, candidate: VALUE }", value.arms));
    else {
      checkKeys(value.arms, ["baseline", "candidate"], "traffic.arms", report);
      for (const arm of ["baseline", "candidate"] as const) {
        const armValue = optionalString(value.arms, arm, `traffic.arms.${arm}`, report);
        if (armValue !== undefined) arms[arm] = armValue;
      }
    }
  }
  const tags: Record<string, string> = {};
  if (value.tags !== undefined) {
    if (!isObject(value.tags)) report("traffic.tags", expected("an object { tag name: source field }", value.tags));
    else
      for (const [tag, field] of Object.entries(value.tags)) {
        if (typeof field === "string") tags[tag] = field;
        else report(`traffic.tags.${tag}`, expected("a dotted field path of the source record", field));
      }
  }
  return {
    kind: "import",
    format: format as ImportFormat,
    paths: paths.map(toAbsolute),
    ...(arm_by !== undefined ? { arm_by } : {}),
    arms,
    tags,
  };
}

function parseRuleBlock(
  value: JsonValue | undefined,
  key: "promote" | "rollback",
  countKey: "consecutive" | "windows",
  known: string[] | undefined,
  report: Report,
): { count: number; rules: GateRule[] } {
  if (!isObject(value)) {
    report(key, expected(`an object { ${countKey}, rules: [...] }`, value));
    return { count: 1, rules: [] };
  }
  checkKeys(value, [countKey, "rules"], key, report);
  const count = optionalNumber(value, countKey, `${key}.${countKey}`, report, { min: 1, integer: true }) ?? 1;
  // parseGateRules names its entries gate[i]; in a plan they are <key>.rules[i] (the line follows the field).
  const rulesReport: Report = (field, message) => {
    if (known === undefined && /^gate\[\d+\]\.metric$/.test(field) && message.startsWith("unknown metric")) return;
    report(field.replace(/^gate/, `${key}.rules`), message);
  };
  if (value.rules === undefined) report(`${key}.rules`, expected("a list of rules { metric, max | min | max_drop | max_increase, mode }", undefined));
  const rules = parseGateRules(value.rules, known ?? [], rulesReport);
  if (Array.isArray(value.rules) && value.rules.length === 0) report(`${key}.rules`, "expected at least one rule");
  return { count, rules };
}

function parseStages(value: JsonValue | undefined, actuatorKind: ActuatorKind | undefined, report: Report): CanaryStage[] {
  if (!Array.isArray(value) || value.length === 0) {
    report("stages", expected("a list of stages: { name?, tenants: [...] } or { percent, min_duration? }", value));
    return [];
  }
  const stages: CanaryStage[] = [];
  let lastPercent = 0;
  let names = new Set<string>();
  value.forEach((entry, index) => {
    const at = `stages[${index}]`;
    if (!isObject(entry)) return report(at, expected("an object { name?, tenants } or { percent, min_duration? }", entry));
    checkKeys(entry, ["name", "tenants", "percent", "min_duration"], at, report);
    const given = optionalString(entry, "name", `${at}.name`, report);
    const min_duration_ms = duration(entry, "min_duration", report, { at: `${at}.min_duration` }) ?? 0;
    if (entry.tenants !== undefined && entry.percent !== undefined) return report(at, "give either tenants or percent, not both");
    if (entry.tenants !== undefined) {
      const tenants = optionalStringArray(entry, "tenants", `${at}.tenants`, report) ?? [];
      if (Array.isArray(entry.tenants) && tenants.length === 0) report(`${at}.tenants`, "expected at least one tenant");
      if (lastPercent > 0) report(at, "tenant stages come before percentage stages (a percentage stage keeps the tenant tiers on)");
      if (actuatorKind !== undefined && !tenantTargetingKinds.includes(actuatorKind)) {
        report(
          `${at}.tenants`,
          `the actuator kind ${actuatorKind} cannot target tenants; use a percentage stage, or an actuator that can (${tenantTargetingKinds.join(", ")})`,
        );
      }
      stages.push({ kind: "tenants", name: given ?? tenants.join("+"), tenants, min_duration_ms });
    } else if (entry.percent !== undefined) {
      const percent = optionalNumber(entry, "percent", `${at}.percent`, report, { min: 1, max: 100, integer: true });
      if (percent === undefined) return;
      if (percent <= lastPercent) report(`${at}.percent`, `expected more than the previous stage's ${lastPercent}%, got ${percent}`);
      lastPercent = percent;
      stages.push({ kind: "percent", name: given ?? `${percent}%`, percent, min_duration_ms });
    } else {
      report(at, "needs tenants: [...] or percent: N");
    }
  });
  for (const [index, stage] of stages.entries()) {
    if (names.has(stage.name)) report(`stages[${index}].name`, `duplicate stage name ${describeValue(stage.name)}`);
    names = names.add(stage.name);
  }
  return stages;
}

const actuatorFields: Record<ActuatorKind, { required: string[]; optional?: string[] }> = {
  unleash: { required: ["url", "token_env", "project", "flag", "environment"] },
  flagd: { required: ["path", "flag"] },
  portkey: { required: ["path"] },
  litellm: { required: ["path", "model_name"] },
  launchdarkly: { required: ["url", "token_env", "project", "flag", "environment"] },
  webhook: { required: ["url"], optional: ["headers"] },
  command: { required: ["command"] },
};

/** `actuator:` → ActuatorSpec (SPEC §12); file-backed paths resolve against the plan's folder. */
function parseActuator(value: JsonValue, folder: string, report: Report): ActuatorSpec | undefined {
  if (!isObject(value)) {
    report("actuator", expected(`an object { kind: ${actuatorKinds.join(" | ")}, … }`, value));
    return undefined;
  }
  const kind = value.kind;
  if (typeof kind !== "string" || !(actuatorKinds as readonly string[]).includes(kind)) {
    report("actuator.kind", `expected one of ${actuatorKinds.join(" | ")}, got ${describeValue(kind)}`);
    return undefined;
  }
  const fields = actuatorFields[kind as ActuatorKind];
  checkKeys(value, ["kind", ...fields.required, ...(fields.optional ?? [])], "actuator", report);
  const spec: Record<string, unknown> = { kind };
  let ok = true;
  for (const field of fields.required) {
    const text = value[field];
    if (typeof text !== "string" || text.trim() === "") {
      report(`actuator.${field}`, expected(`a string (the ${kind} actuator needs ${fields.required.join(", ")})`, text));
      ok = false;
    } else spec[field] = field === "path" ? resolve(folder, text) : text;
  }
  if (typeof spec.token_env === "string" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.token_env)) {
    report("actuator.token_env", "expected the name of an environment variable (the token itself never goes in the plan)");
    ok = false;
  }
  if (typeof spec.url === "string" && !/^https?:\/\//.test(spec.url)) {
    report("actuator.url", `expected an http:// or https:// URL, got ${describeValue(spec.url)}`);
    ok = false;
  }
  if (kind === "webhook" && value.headers !== undefined) {
    const headers = parseHeaders(value.headers, report);
    if (headers) spec.headers = headers;
    else ok = false;
  }
  return ok ? (spec as ActuatorSpec) : undefined;
}

function parseHeaders(value: JsonValue, report: Report): Record<string, HeaderValue> | undefined {
  if (!isObject(value)) {
    report("actuator.headers", expected("an object { header: value | { env: NAME } }", value));
    return undefined;
  }
  const headers: Record<string, HeaderValue> = {};
  let ok = true;
  for (const [header, item] of Object.entries(value)) {
    if (typeof item === "string") headers[header] = item;
    else if (isObject(item) && typeof item.env === "string" && Object.keys(item).length === 1) headers[header] = { env: item.env };
    else {
      report(`actuator.headers.${header}`, expected("a string, or { env: NAME }", item));
      ok = false;
    }
  }
  return ok ? headers : undefined;
}
