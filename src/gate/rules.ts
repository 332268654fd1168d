import { validateMetricName } from "../aggregate/metric-names.js";
import { describeValue, suggest } from "../errors.js";
import { checkKeys, expected, isObject, type Report } from "../fields.js";
import type { GateBound, GateMode, GatePolicy, GateRule, JsonValue } from "../types.js";
import { DEFAULT_POLICY } from "./evaluate.js";

const boundKeys = ["max", "min", "max_drop", "max_increase"] as const;
const modes: readonly GateMode[] = ["point", "significant", "non-inferior", "evidence"];

/** Parses the rubric's `gate:` list (SPEC §6), checking each metric name against what the rubric makes. */
export function parseGateRules(raw: JsonValue | undefined, knownMetrics: readonly string[], report: Report): GateRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    report("gate", expected("a list of rules { metric, max | min | max_drop | max_increase, mode }", raw));
    return [];
  }
  const rules: GateRule[] = [];
  raw.forEach((entry, index) => {
    const at = `gate[${index}]`;
    if (!isObject(entry)) return report(at, expected("an object { metric, max | min | max_drop | max_increase }", entry));
    checkKeys(entry, ["metric", ...boundKeys, "mode", "description"], at, report);
    const metric = entry.metric;
    if (typeof metric !== "string") return report(`${at}.metric`, expected("a metric name", metric));
    const problem = unknownCheckProblem(metric, knownMetrics) ?? validateMetricName(metric, knownMetrics);
    if (problem) report(`${at}.metric`, problem);
    const present = boundKeys.filter((key) => entry[key] !== undefined);
    if (present.length !== 1) {
      return report(
        at,
        present.length === 0
          ? `needs one bound: max, min, max_drop or max_increase (the rule on ${metric} has none)`
          : `give one bound per rule, got ${present.join(" and ")} (on ${metric})`,
      );
    }
    const key = present[0] as (typeof boundKeys)[number];
    const value = entry[key];
    const bound: GateBound = {};
    let boundText: string;
    if (typeof value === "number" && Number.isFinite(value)) {
      bound[key] = value;
      boundText = String(value);
    } else if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*%\s*$/.test(value) && (key === "max_drop" || key === "max_increase")) {
      bound[key] = Number.parseFloat(value) / 100;
      bound.relative = true;
      boundText = value.trim();
    } else {
      const what = key === "max_drop" || key === "max_increase" ? 'a number, or a percentage like "10%"' : "a number";
      return report(`${at}.${key}`, `expected ${what}, got ${describeValue(value)}`);
    }
    if ((key === "max_drop" || key === "max_increase") && (bound[key] ?? 0) < 0) report(`${at}.${key}`, "expected a non-negative bound");
    const mode = entry.mode ?? "point";
    if (typeof mode !== "string" || !(modes as readonly string[]).includes(mode)) {
      const hint = typeof mode === "string" ? suggest(mode, modes) : "";
      return report(`${at}.mode`, `expected one of ${modes.join(" | ")}, got ${describeValue(mode)}${hint}`);
    }
    if (!problem) rules.push({ metric, bound, bound_text: boundText, mode: mode as GateMode });
  });
  return rules;
}

/**
 * `check.<id>.<stat>` naming a check the rubric does not have: say so, rather than suggest the nearest
 * metric name (which would be some other check's).
 */
function unknownCheckProblem(metric: string, knownMetrics: readonly string[]): string | undefined {
  const match = /^(?:segment\..+\.)?check\.([^.]+)\.[^.]+$/.exec(metric);
  if (!match?.[1] || knownMetrics.includes(metric)) return undefined;
  const ids = [...new Set(knownMetrics.flatMap((name) => /^check\.([^.]+)\./.exec(name)?.[1] ?? []))];
  if (ids.includes(match[1])) return undefined;
  return `unknown metric "${metric}": no check with id "${match[1]}"${suggest(match[1], ids)} (checks: ${ids.join(", ") || "none"})`;
}

const multiplicities: readonly GatePolicy["multiplicity"][] = ["holm", "none"];
const onInconclusive: readonly GatePolicy["on_inconclusive"][] = ["hold", "fail", "pass"];

/**
 * The rubric's `multiplicity: holm | none` (default holm: the `significant` and `evidence` rules are one
 * family) and `on_inconclusive: hold | fail | pass` (default hold: exit 4) — SPEC §6.
 */
export function parseGatePolicy(data: { multiplicity?: JsonValue; on_inconclusive?: JsonValue }, report: Report): GatePolicy {
  const pick = <T extends string>(key: string, value: JsonValue | undefined, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    const hint = typeof value === "string" ? suggest(value, allowed) : "";
    report(key, `expected one of ${allowed.join(" | ")}, got ${describeValue(value)}${hint}`);
    return fallback;
  };
  return {
    multiplicity: pick("multiplicity", data.multiplicity, multiplicities, DEFAULT_POLICY.multiplicity),
    on_inconclusive: pick("on_inconclusive", data.on_inconclusive, onInconclusive, DEFAULT_POLICY.on_inconclusive),
  };
}
