import { applyVars } from "../load/vars.js";
import type { CheckBuildContext, CheckFactory, CheckSpec, EvalCase, JsonValue } from "../types.js";
import { checkOptions, excerpt, noOutput, passFail } from "./common.js";

const textOptions = { value: "any", ignore_case: "boolean", trim: "boolean" } as const;

/**
 * The values a text check compares against for one case: its `value` (a string or a list of strings,
 * after `{{var}}` substitution), else the case's `expected.output`. `undefined` → the check does not apply.
 */
function valuesFor(value: JsonValue | undefined, testCase: EvalCase): string[] | undefined {
  if (value === undefined) return testCase.expected.output === undefined ? undefined : [applyVars(testCase.expected.output, testCase.vars)];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => applyVars(typeof item === "string" ? item : JSON.stringify(item), testCase.vars));
}

/** Whether `valuesFor` has values for the case, without substituting them. */
function hasValuesFor(value: JsonValue | undefined, testCase: EvalCase): boolean {
  return value !== undefined || testCase.expected.output !== undefined;
}

function readTextOptions(spec: CheckSpec, context: CheckBuildContext) {
  const options = checkOptions(spec, context, textOptions);
  const value = options.value;
  if (
    value !== undefined &&
    !(typeof value === "string" || (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")))
  ) {
    context.issue("value", "expected a string or a non-empty list of strings");
  }
  const ignoreCase = options.ignore_case === true;
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  return { value, fold, trim: options.trim !== false };
}

/** `equals`: the output equals the value (or `expected.output`), whitespace-trimmed unless `trim: false`. */
export const equals: CheckFactory = (spec, context) => {
  const { value, fold, trim } = readTextOptions(spec, context);
  const norm = (text: string) => fold(trim ? text.trim() : text);
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: (testCase) => hasValuesFor(value, testCase),
    score: ({ output, case: testCase }) => {
      if (output === null) return noOutput;
      const wanted = valuesFor(value, testCase) ?? [];
      const hit = wanted.some((item) => norm(item) === norm(output));
      return passFail(hit, hit ? "output equals the expected text" : `expected ${excerpt(wanted[0] ?? "")}, got ${excerpt(output)}`);
    },
  };
};

/** `contains`: the output contains every value (or `expected.output`). */
export const contains: CheckFactory = (spec, context) => {
  const { value, fold } = readTextOptions(spec, context);
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: (testCase) => hasValuesFor(value, testCase),
    score: ({ output, case: testCase }) => {
      if (output === null) return noOutput;
      const wanted = valuesFor(value, testCase) ?? [];
      const missing = wanted.filter((item) => !fold(output).includes(fold(item)));
      const found = wanted.length - missing.length;
      return {
        status: missing.length === 0 ? "pass" : "fail",
        score: wanted.length === 0 ? 1 : found / wanted.length,
        reason:
          missing.length === 0
            ? `contains ${wanted.map((w) => excerpt(w, 30)).join(", ")}`
            : `missing ${missing.map((m) => excerpt(m, 30)).join(", ")}`,
      };
    },
  };
};

/** `not-contains`: the output contains none of the values. */
export const notContains: CheckFactory = (spec, context) => {
  const { value, fold } = readTextOptions(spec, context);
  if (value === undefined) context.issue("value", "required for a not-contains check: the text (or list of texts) that must not appear");
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => value !== undefined,
    score: ({ output, case: testCase }) => {
      if (output === null) return noOutput;
      const banned = valuesFor(value, testCase) ?? [];
      const present = banned.filter((item) => fold(output).includes(fold(item)));
      return passFail(
        present.length === 0,
        present.length === 0 ? "contains none of the forbidden texts" : `contains forbidden ${present.map((p) => excerpt(p, 30)).join(", ")}`,
      );
    },
  };
};

/** `regex`: the output matches `pattern` (or `value`), after `{{var}}` substitution; `flags` optional. */
export const regex: CheckFactory = (spec, context) => {
  const options = checkOptions(spec, context, { pattern: "string", value: "string", flags: "string", ignore_case: "boolean" });
  const pattern = (options.pattern ?? options.value) as string | undefined;
  if (pattern === undefined) context.issue("pattern", "required for a regex check: a regular expression");
  const flags = `${(options.flags as string | undefined) ?? ""}${options.ignore_case === true && !String(options.flags ?? "").includes("i") ? "i" : ""}`;
  let badFlags = false;
  try {
    new RegExp("", flags);
  } catch {
    badFlags = true;
    context.issue("flags", `expected regular expression flags from "dgimsuy", each at most once, got ${JSON.stringify(options.flags)}`);
  }
  if (pattern !== undefined && !badFlags) {
    try {
      new RegExp(pattern.replace(/\{\{[^}]*\}\}/g, "x"), flags);
    } catch (error) {
      context.issue(options.pattern !== undefined ? "pattern" : "value", `not a valid regular expression: ${(error as Error).message}`);
    }
  }
  const compiled = new Map<string, RegExp | string>();
  const compile = (source: string): RegExp | string => {
    let hit = compiled.get(source);
    if (hit === undefined) {
      try {
        hit = new RegExp(source, flags);
      } catch (error) {
        hit = `pattern ${JSON.stringify(source)} is not a valid regular expression after substitution: ${(error as Error).message}`;
      }
      compiled.set(source, hit);
    }
    return hit;
  };
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => pattern !== undefined,
    score: ({ output, case: testCase }) => {
      if (output === null) return noOutput;
      const source = applyVars(pattern ?? "", testCase.vars);
      const re = compile(source);
      if (typeof re === "string") return { status: "error", score: null, reason: re };
      return passFail(re.test(output), re.test(output) ? `matches /${source}/` : `does not match /${source}/: ${excerpt(output)}`);
    },
  };
};
