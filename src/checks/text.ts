import { suggest } from "../errors.js";
import type { CheckBuildContext, CheckFactory, CheckSpec, EvalCase, JsonValue } from "../types.js";
import { applyVars, placeholders } from "../vars.js";
import { checkOptions, excerpt, noOutput, passFail } from "./common.js";
import { compilePattern, createPatternCache, flagsProblem } from "./pattern.js";

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

/**
 * SPEC §6: a `{{var}}` in a check's value that a case does not define is an input error, known before
 * the run (it would otherwise compare against the literal `{{var}}` text and fail the case).
 */
export function missingVars(template: JsonValue | undefined, testCase: EvalCase, field = "value"): string[] {
  if (template === undefined) return [];
  const texts = (Array.isArray(template) ? template : [template]).filter((item): item is string => typeof item === "string");
  const missing = [...new Set(texts.flatMap(placeholders))].filter((name) => !Object.hasOwn(testCase.vars, name));
  if (missing.length === 0) return [];
  const known = Object.keys(testCase.vars);
  return [
    `${field} uses ${missing.map((name) => `{{${name}}}`).join(", ")}, which this case does not define in vars${suggest(missing[0] ?? "", known) || (known.length > 0 ? ` (vars: ${known.join(", ")})` : " (the case has no vars)")}`,
  ];
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
    validateCase: (testCase) => missingVars(value, testCase),
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
    validateCase: (testCase) => missingVars(value, testCase),
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
    validateCase: (testCase) => missingVars(value, testCase),
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

/**
 * `regex`: the output matches `pattern` (or `value`), after `{{var}}` substitution; `flags` optional.
 * Patterns are RE2 (pattern.ts): linear time, checked at load time, for each case when they use `{{var}}`.
 */
export const regex: CheckFactory = (spec, context) => {
  const options = checkOptions(spec, context, { pattern: "string", value: "string", flags: "string", ignore_case: "boolean" });
  const field = options.pattern !== undefined ? "pattern" : "value";
  const pattern = (options.pattern ?? options.value) as string | undefined;
  if (pattern === undefined) context.issue("pattern", "required for a regex check: a regular expression");
  const given = (options.flags as string | undefined) ?? "";
  const flags = options.ignore_case === true && !given.includes("i") ? `${given}i` : given;
  const badFlags = flagsProblem(given);
  if (badFlags !== undefined) context.issue("flags", badFlags);
  const usesVars = pattern !== undefined && placeholders(pattern).length > 0;
  if (pattern !== undefined && badFlags === undefined && !usesVars) {
    const compiled = compilePattern(pattern, flags);
    if (!compiled.ok) context.issue(field, compiled.error);
  }
  const patterns = createPatternCache();
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => pattern !== undefined,
    // With {{vars}}, the pattern each case will use is known only with the case: check it at load time too.
    ...(usesVars && badFlags === undefined
      ? {
          validateCase: (testCase: EvalCase) => {
            const missing = missingVars(pattern, testCase, field);
            if (missing.length > 0) return missing;
            const source = applyVars(pattern ?? "", testCase.vars);
            const compiled = patterns(source, flags);
            return compiled.ok ? [] : [`${field} ${JSON.stringify(source)} (after {{var}} substitution): ${compiled.error}`];
          },
        }
      : {}),
    score: ({ output, case: testCase }) => {
      if (output === null) return noOutput;
      const source = applyVars(pattern ?? "", testCase.vars);
      const compiled = patterns(source, flags);
      if (!compiled.ok) return { status: "error", score: null, reason: `pattern ${JSON.stringify(source)}: ${compiled.error}` };
      const hit = compiled.test(output);
      return passFail(hit, hit ? `matches /${source}/` : `does not match /${source}/: ${excerpt(output)}`);
    },
  };
};
