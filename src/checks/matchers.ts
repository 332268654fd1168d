import { describeValue, suggest } from "../errors.js";
import type { JsonObject, JsonValue } from "../types.js";
import { compilePattern, type PatternCache } from "./pattern.js";
import type { SchemaCompiler } from "./schema-compiler.js";

/*
 * The argument matcher language of SPEC §3. An expected value is plain JSON (must be equal) or a
 * matcher: an object with at least one key whose keys all start with "$". Semantics fixed here:
 *  - `$regex` searches (use ^…$ to anchor) in RE2 syntax (pattern.ts: linear time, no backreferences or
 *    lookaround); only strings match.
 *  - `$approx` matches numbers within `$tol` inclusive; floating-point noise (1e-9 × max(1, |$approx|))
 *    is always forgiven, and is the whole tolerance when `$tol` is omitted.
 *  - `$absent` / `$optional` speak about an object property, so they appear only as a property's value.
 *    A property passed as `null` is present.
 *  - `$oneOf` alternatives are themselves expected values (plain or matchers).
 *  - `$schema` compiles in strict mode, like every schema in a dataset.
 */

/** Every matcher key. */
export const matcherKeys = ["$any", "$oneOf", "$regex", "$approx", "$tol", "$absent", "$schema", "$optional"] as const;
export type MatcherKey = (typeof matcherKeys)[number];

export type ExtraArguments = "allow" | "forbid";

export interface MatchOptions {
  /** Whether objects may carry keys the expectation does not name (top level and nested). */
  extraArguments: ExtraArguments;
  /** this run's compiled `$schema` operands */
  schemas: SchemaCompiler;
  /** this run's compiled `$regex` operands */
  patterns: PatternCache;
}

export interface MatchResult {
  ok: boolean;
  /** One line each: `arguments.order_id: expected "A-1234", got "A-1243"`. */
  mismatches: string[];
}

const knownKeys: readonly string[] = matcherKeys;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for an object with at least one key whose keys all start with "$". */
export function isMatcher(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith("$"));
}

/** `arguments.order_id`, `arguments.items[0]`, `arguments["content-type"]`. */
export function childPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Floating-point noise forgiven by every `$approx`, and its default `$tol`. */
export function floatNoise(approx: number): number {
  return 1e-9 * Math.max(1, Math.abs(approx));
}

// ---------------------------------------------------------------- validation

/** Where an expected value sits: only an object property's value may say `$absent` / `$optional`. */
type Position = "property" | "value";

/**
 * Every problem in an expected value (normally a call's `arguments` object), each as `path: message`,
 * recursing into objects, arrays and matcher operands.
 */
export function validateMatcher(value: unknown, path: string, schemas: SchemaCompiler): string[] {
  const problems: string[] = [];
  validateValue(value, path, "value", { schemas, problems });
  return problems;
}

interface Validation {
  schemas: SchemaCompiler;
  problems: string[];
}

function validateValue(value: unknown, path: string, position: Position, validation: Validation): void {
  const { problems } = validation;
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) problems.push(`${path}: not a JSON number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      validateValue(item, `${path}[${index}]`, "value", validation);
    });
    return;
  }
  if (!isPlainObject(value)) {
    problems.push(`${path}: not a JSON value`);
    return;
  }
  if (isMatcher(value)) {
    validateMatcherObject(value, path, position, validation);
    return;
  }
  const keys = Object.keys(value);
  const dollar = keys.filter((key) => key.startsWith("$"));
  if (dollar.length > 0) {
    const plain = keys.filter((key) => !key.startsWith("$"));
    problems.push(
      `${path}: mixes matcher keys (${dollar.join(", ")}) with plain keys (${plain.join(", ")}); ` +
        `an object whose keys all start with "$" is a matcher, so use one or the other`,
    );
  }
  for (const key of keys) {
    if (!key.startsWith("$")) validateValue(value[key], childPath(path, key), "property", validation);
  }
}

function validateMatcherObject(matcher: Record<string, unknown>, path: string, position: Position, validation: Validation): void {
  const { problems } = validation;
  const problem = (message: string): void => {
    problems.push(`${path}: ${message}`);
  };
  const keys = Object.keys(matcher);
  for (const key of keys) {
    if (!knownKeys.includes(key)) problem(`unknown matcher "${key}"${suggest(key, knownKeys) || ` (known: ${matcherKeys.join(", ")})`}`);
  }
  const primary = keys.filter((key) => knownKeys.includes(key) && key !== "$tol");
  if (primary.length > 1) problem(`combines ${primary.join(" and ")}; use one matcher per object (only $approx takes $tol)`);
  if ("$tol" in matcher && !("$approx" in matcher)) problem("$tol needs $approx");

  for (const key of keys) {
    const operand = matcher[key];
    switch (key as MatcherKey) {
      case "$any":
        if (operand !== true) problem(`$any must be true (to forbid an argument use {"$absent": true}), got ${describeValue(operand)}`);
        break;
      case "$absent":
        if (operand !== true) problem(`$absent must be true, got ${describeValue(operand)}`);
        if (position !== "property") problem("$absent applies only to an object property");
        break;
      case "$optional":
        if (position !== "property") problem("$optional applies only to an object property");
        if (isMatcher(operand) && ("$absent" in operand || "$optional" in operand)) {
          problem("$optional cannot wrap $absent or $optional");
        } else validateValue(operand, path, "value", validation);
        break;
      case "$oneOf":
        if (!Array.isArray(operand) || operand.length === 0) {
          problem(`$oneOf needs a non-empty array of allowed values, got ${describeValue(operand)}`);
        } else {
          operand.forEach((option, index) => {
            if (isMatcher(option) && ("$absent" in option || "$optional" in option)) {
              problems.push(`${path}.$oneOf[${index}]: use {"$optional": {"$oneOf": [...]}} for an argument that may be absent`);
            } else validateValue(option, `${path}.$oneOf[${index}]`, "value", validation);
          });
        }
        break;
      case "$regex":
        if (typeof operand !== "string") problem(`$regex needs a pattern string, got ${describeValue(operand)}`);
        else {
          const compiled = compilePattern(operand);
          if (!compiled.ok) problem(`$regex ${JSON.stringify(operand)}: ${compiled.error}`);
        }
        break;
      case "$approx":
        if (typeof operand !== "number" || !Number.isFinite(operand)) problem(`$approx needs a number, got ${describeValue(operand)}`);
        break;
      case "$tol":
        if (typeof operand !== "number" || !Number.isFinite(operand) || operand < 0) {
          problem(`$tol must be a non-negative number, got ${describeValue(operand)}`);
        }
        break;
      case "$schema":
        if (typeof operand !== "boolean" && !isPlainObject(operand)) problem(`$schema needs a JSON Schema object, got ${describeValue(operand)}`);
        else {
          const compiled = validation.schemas.compile(operand);
          if (!compiled.ok) problem(`$schema is not a valid JSON Schema: ${compiled.error}`);
        }
        break;
    }
  }
}

// ---------------------------------------------------------------- matching

/**
 * Matches a call's actual arguments against the expected ones (plain values and matchers). An omitted
 * expectation (`undefined`) accepts any arguments.
 */
export function matchArguments(expected: JsonObject | undefined, actual: JsonValue, options: MatchOptions): MatchResult {
  if (expected === undefined) return { ok: true, mismatches: [] };
  const mismatches: string[] = [];
  matchValue(expected, actual, "arguments", options, mismatches);
  return { ok: mismatches.length === 0, mismatches };
}

function matchValue(expected: unknown, actual: JsonValue, path: string, options: MatchOptions, out: string[]): void {
  if (isMatcher(expected)) {
    matchMatcher(expected, actual, path, options, out);
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) out.push(`${path}: expected an array, got ${describeValue(actual)}`);
    else if (actual.length !== expected.length) {
      out.push(`${path}: expected ${expected.length} ${plural(expected.length, "item")}, got ${actual.length}: ${describeValue(actual)}`);
    } else {
      expected.forEach((item, index) => {
        matchValue(item, actual[index] ?? null, `${path}[${index}]`, options, out);
      });
    }
  } else if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) out.push(`${path}: expected an object, got ${describeValue(actual)}`);
    else matchObject(expected, actual, path, options, out);
  } else if (expected !== actual) {
    out.push(`${path}: expected ${describeValue(expected)}, got ${describeValue(actual)}`);
  }
}

function matchObject(expected: Record<string, unknown>, actual: JsonObject, path: string, options: MatchOptions, out: string[]): void {
  for (const [key, want] of Object.entries(expected)) {
    const at = childPath(path, key);
    const present = Object.hasOwn(actual, key);
    const got = actual[key] ?? null;
    if (isMatcher(want) && "$absent" in want) {
      if (present) out.push(`${at}: must not be passed, got ${describeValue(got)}`);
    } else if (isMatcher(want) && "$optional" in want) {
      if (present) matchValue(want.$optional, got, at, options, out);
    } else if (!present) {
      out.push(`${at}: missing`);
    } else {
      matchValue(want, got, at, options, out);
    }
  }
  if (options.extraArguments === "forbid") {
    for (const key of Object.keys(actual)) {
      if (!Object.hasOwn(expected, key)) out.push(`${childPath(path, key)}: unexpected argument (extra_arguments: forbid)`);
    }
  }
}

function matchMatcher(matcher: Record<string, unknown>, actual: JsonValue, path: string, options: MatchOptions, out: string[]): void {
  const unknown = Object.keys(matcher).filter((key) => !knownKeys.includes(key));
  if (unknown.length > 0) {
    out.push(`${path}: unknown matcher ${unknown.map((key) => `"${key}"`).join(", ")}`);
    return;
  }
  if ("$absent" in matcher) {
    out.push(`${path}: $absent applies only to an object property`);
  } else if ("$optional" in matcher) {
    // Not a property (validation rejects this): the value is there, so it must match.
    matchValue(matcher.$optional, actual, path, options, out);
  } else if ("$oneOf" in matcher) {
    const alternatives = Array.isArray(matcher.$oneOf) ? (matcher.$oneOf as unknown[]) : [];
    const matches = alternatives.some((alternative) => {
      const sub: string[] = [];
      matchValue(alternative, actual, path, options, sub);
      return sub.length === 0;
    });
    if (!matches) out.push(`${path}: expected one of ${describeAlternatives(alternatives)}, got ${describeValue(actual)}`);
  } else if ("$regex" in matcher) {
    const pattern = String(matcher.$regex);
    const compiled = options.patterns(pattern);
    if (!compiled.ok) out.push(`${path}: $regex ${JSON.stringify(pattern)}: ${compiled.error}`);
    else if (typeof actual !== "string") out.push(`${path}: expected a string matching /${pattern}/, got ${describeValue(actual)}`);
    else if (!compiled.test(actual)) out.push(`${path}: expected a string matching /${pattern}/, got ${describeValue(actual)}`);
  } else if ("$approx" in matcher) {
    const target = Number(matcher.$approx);
    const tol = typeof matcher.$tol === "number" ? matcher.$tol : 0;
    const shown = tol > 0 ? `${target} ± ${tol}` : `${target}`;
    if (typeof actual !== "number") out.push(`${path}: expected a number ≈ ${shown}, got ${describeValue(actual)}`);
    else if (!(Math.abs(actual - target) <= tol + floatNoise(target))) out.push(`${path}: expected ${shown}, got ${actual}`);
  } else if ("$schema" in matcher) {
    const schema = matcher.$schema;
    const compiled = typeof schema === "boolean" || isPlainObject(schema) ? options.schemas.compile(schema) : undefined;
    if (compiled === undefined) out.push(`${path}: $schema needs a JSON Schema object`);
    else if (!compiled.ok) out.push(`${path}: $schema is not a valid JSON Schema: ${compiled.error}`);
    else {
      const verdict = compiled.validate(actual);
      if (verdict.status === "invalid") out.push(`${path}: does not match $schema: ${verdict.reason}`);
      else if (verdict.status === "error") out.push(`${path}: could not be checked against $schema: ${verdict.reason}`);
    }
  } else if ("$tol" in matcher) {
    out.push(`${path}: $tol needs $approx`);
  }
  // `$any`: present (the caller checked), any value.
}

function describeAlternatives(alternatives: unknown[]): string {
  const text = alternatives.map((alternative) => describeValue(alternative)).join(", ");
  return text.length > 80 ? `${alternatives.length} alternatives` : text;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
