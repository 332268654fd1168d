import { suggest } from "../errors.js";
import type { CheckBuildContext, CheckFactory, CheckResult, CheckSpec, ExpectedToolCall, ToolCall, ToolChoice, ToolDefinition } from "../types.js";
import { checkOptions, noOutput } from "./common.js";
import { type MatchOptions, matchArguments, validateMatcher } from "./matchers.js";
import { createPatternCache } from "./pattern.js";
import type { SchemaCompiler } from "./schema-compiler.js";

export type OrderMode = "any" | "strict";
export type ExtraCalls = "forbid" | "allow";

/** The check's modes, and the compilers its matchers and the tools' schemas use. */
export interface ToolCallsOptions extends MatchOptions {
  order: OrderMode;
  extraCalls: ExtraCalls;
}

/**
 * `tool-calls`: the model's calls match `expected.tool_calls` under `order` / `extra_calls` /
 * `extra_arguments` and the argument matchers; score = F1 of matched calls. `mode: validity` needs no
 * reference (traffic, SPEC §9): every call names an offered tool and satisfies its parameter schema.
 */
export const toolCalls: CheckFactory = (spec, context) => {
  const options: ToolCallsOptions = { ...readOptions(spec, context), schemas: context.schemas, patterns: createPatternCache() };
  if (readMode(spec, context) === "validity") {
    return {
      id: spec.id,
      type: spec.type,
      category: spec.category,
      appliesTo: (testCase) => (testCase.tools?.length ?? 0) > 0,
      score: ({ case: testCase, output, tool_calls }) => {
        if (output === null) return noOutput;
        return scoreToolCallValidity(tool_calls, testCase.tools ?? [], testCase.tool_choice, options.schemas);
      },
    };
  }
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: (testCase) => testCase.expected.tool_calls !== undefined,
    score: ({ case: testCase, output, tool_calls }) => {
      if (output === null) return noOutput;
      return scoreToolCalls(testCase.expected.tool_calls ?? [], tool_calls, testCase.tools, options);
    },
  };
};

function readMode(spec: CheckSpec, context: CheckBuildContext): "match" | "validity" {
  const mode = spec.mode;
  if (mode === undefined || mode === "match") return "match";
  if (mode === "validity") return "validity";
  context.issue(
    "mode",
    `expected "match" (against expected.tool_calls, the default) or "validity" (no reference needed), got ${JSON.stringify(mode)}`,
  );
  return "match";
}

function readOptions(spec: CheckSpec, context: CheckBuildContext): Pick<ToolCallsOptions, "order" | "extraCalls" | "extraArguments"> {
  const raw = checkOptions(spec, context, { mode: "any", order: "string", extra_calls: "string", extra_arguments: "string" });
  const pick = <T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if ((allowed as readonly unknown[]).includes(value)) return value as T;
    const hint = typeof value === "string" ? suggest(value, allowed) : "";
    context.issue(field, `expected ${allowed.map((a) => `"${a}"`).join(" or ")}, got ${JSON.stringify(value)}${hint}`);
    return fallback;
  };
  return {
    order: pick("order", raw.order, ["any", "strict"], "any"),
    extraCalls: pick("extra_calls", raw.extra_calls, ["forbid", "allow"], "forbid"),
    extraArguments: pick("extra_arguments", raw.extra_arguments, ["allow", "forbid"], "allow"),
  };
}

// ---------------------------------------------------------------- validation

/**
 * Load-time problems in a case's `expected.tool_calls`, each as `path: message`: matchers that are
 * malformed, tool names the case does not offer, arguments the tool does not declare.
 */
export function validateExpectedToolCalls(
  expected: readonly ExpectedToolCall[],
  tools: readonly ToolDefinition[] | undefined,
  path: string,
  schemas: SchemaCompiler,
): string[] {
  const problems: string[] = [];
  const byName = new Map((tools ?? []).map((tool) => [tool.name, tool]));
  expected.forEach((call, index) => {
    const at = `${path}[${index}]`;
    const tool = byName.get(call.name);
    if (tools !== undefined && tool === undefined) {
      const names = [...byName.keys()];
      problems.push(`${at}.name: "${call.name}" is not one of this case's tools${suggest(call.name, names) || ` (${names.join(", ") || "none"})`}`);
    }
    if (call.arguments === undefined) return;
    problems.push(...validateMatcher(call.arguments, `${at}.arguments`, schemas));
    if (tool !== undefined) problems.push(...undeclaredArguments(call.arguments, tool, `${at}.arguments`));
  });
  return problems;
}

/**
 * An expected argument the tool's schema does not declare can never be matched by a model that
 * follows the schema: almost always a typo ("order_idd").
 */
function undeclaredArguments(expected: Record<string, unknown>, tool: ToolDefinition, path: string): string[] {
  const { properties, additionalProperties, patternProperties } = tool.parameters;
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) return [];
  if (patternProperties !== undefined || (additionalProperties !== undefined && additionalProperties !== false)) return [];
  const keys = Object.keys(expected);
  // A matcher on the whole arguments object ({"$schema": ...}) names no parameters.
  if (keys.length > 0 && keys.every((key) => key.startsWith("$"))) return [];
  const declared = Object.keys(properties);
  const problems: string[] = [];
  for (const key of keys) {
    if (declared.includes(key)) continue;
    const value = expected[key];
    if (typeof value === "object" && value !== null && "$absent" in value) continue;
    problems.push(`${path}.${key}: not a parameter of ${tool.name}${suggest(key, declared) || ` (parameters: ${declared.join(", ") || "none"})`}`);
  }
  return problems;
}

// ---------------------------------------------------------------- scoring

interface Pair {
  expected: number;
  actual: number;
}

/** Scores one draw's calls against the expectation. Exported for tests and for reuse outside a rubric. */
export function scoreToolCalls(
  expected: readonly ExpectedToolCall[],
  actual: readonly ToolCall[],
  tools: readonly ToolDefinition[] | undefined,
  options: ToolCallsOptions,
): CheckResult {
  const problems = actual.map((call) => callProblem(call, tools, options.schemas));
  const verdicts = new Map<string, string | null>();
  /** null when expected[i] and actual[j] match, else why not. */
  const verdict = (i: number, j: number): string | null => {
    const key = `${i}:${j}`;
    let result = verdicts.get(key);
    if (result === undefined) {
      result = comparePair(expected[i], actual[j], problems[j], options);
      verdicts.set(key, result);
    }
    return result;
  };
  const compatible = (i: number, j: number): boolean => verdict(i, j) === null;

  const pairs =
    options.order === "strict"
      ? longestOrderedMatching(expected.length, actual.length, compatible)
      : maximumMatching(expected.length, actual.length, compatible);
  const matchedExpected = new Set(pairs.map((pair) => pair.expected));
  const matchedActual = new Set(pairs.map((pair) => pair.actual));
  const missing = expected.map((_, i) => i).filter((i) => !matchedExpected.has(i));
  const extra = actual.map((_, j) => j).filter((j) => !matchedActual.has(j));

  // `[]` means "call no tool", whatever extra_calls says; and `allow` never covers a call to a tool the
  // case did not offer (a model inventing tools is wrong under every mode).
  const extrasAllowed = options.extraCalls === "allow" && expected.length > 0;
  const unoffered = extra.filter((j) => !tools?.some((tool) => tool.name === actual[j]?.name));
  const pass = missing.length === 0 && (extrasAllowed ? unoffered.length === 0 : extra.length === 0);
  // Allowed extra calls are not errors, so they do not lower precision: a pass always scores 1.
  const counted = extrasAllowed ? pairs.length + unoffered.length : actual.length;
  const score = f1(pairs.length, expected.length, counted);

  const reason = pass
    ? passReason(
        expected.length,
        pairs.length,
        extra.map((j) => actual[j]?.name ?? "?"),
      )
    : failReason({ expected, actual, missing, extra, unoffered, pairs, extrasAllowed, verdict, compatible, options });
  return { status: pass ? "pass" : "fail", score, reason };
}

/** Why an actual call cannot match any expectation (unparseable or schema-breaking arguments), if so. */
/**
 * `mode: validity`: each call names a tool the request offered and its arguments satisfy that tool's
 * schema; a `tool_choice` that demands a call (required, or a named tool) is honoured. Score = the share
 * of valid calls (1 when no call was made and none was demanded).
 */
export function scoreToolCallValidity(
  actual: readonly ToolCall[],
  tools: readonly ToolDefinition[],
  toolChoice: ToolChoice | undefined,
  schemas: SchemaCompiler,
): CheckResult {
  const names = tools.map((tool) => tool.name);
  if (actual.length === 0) {
    if (toolChoice === "required") return { status: "fail", score: 0, reason: "no tool call, but tool_choice is required" };
    if (typeof toolChoice === "object") return { status: "fail", score: 0, reason: `no tool call, but tool_choice names ${toolChoice.name}` };
    return { status: "pass", score: 1, reason: "no tool call (none demanded)" };
  }
  const problems: string[] = [];
  for (const call of actual) {
    if (!names.includes(call.name))
      problems.push(`called ${call.name}, which the request did not offer${suggest(call.name, names) || ` (offered: ${names.join(", ")})`}`);
    else if (typeof toolChoice === "object" && call.name !== toolChoice.name)
      problems.push(`called ${call.name}, but tool_choice names ${toolChoice.name}`);
    else {
      const problem = callProblem(call, tools, schemas);
      if (problem !== undefined) problems.push(problem);
    }
  }
  if (toolChoice === "none") problems.unshift("called a tool, but tool_choice is none");
  const valid = Math.max(0, actual.length - problems.length);
  const score = valid / actual.length;
  if (problems.length === 0) return { status: "pass", score, reason: `${actual.length} valid call${actual.length === 1 ? "" : "s"}` };
  return { status: "fail", score, reason: problems.join("; ") };
}

function callProblem(call: ToolCall, tools: readonly ToolDefinition[] | undefined, schemas: SchemaCompiler): string | undefined {
  if (call.arguments_error !== undefined) return `${call.name}: arguments did not parse: ${call.arguments_error}`;
  const tool = tools?.find((candidate) => candidate.name === call.name);
  if (tool === undefined) return undefined;
  // Same strictness as the dataset loader, so the schema compiles once; a schema that does not compile
  // was reported at load time, and the call is then judged by its matchers alone.
  const compiled = schemas.compile(tool.parameters);
  if (!compiled.ok) return undefined;
  const verdict = compiled.validate(call.arguments);
  if (verdict.status === "invalid") return `arguments break ${call.name}'s schema: ${verdict.reason}`;
  if (verdict.status === "error") return `${call.name}: arguments could not be checked against its schema: ${verdict.reason}`;
  return undefined;
}

function comparePair(
  expected: ExpectedToolCall | undefined,
  actual: ToolCall | undefined,
  problem: string | undefined,
  options: MatchOptions,
): string | null {
  if (expected === undefined || actual === undefined) return "no such call";
  if (expected.name !== actual.name) return `called ${actual.name}, expected ${expected.name}`;
  if (problem !== undefined) return problem;
  const { mismatches } = matchArguments(expected.arguments, actual.arguments, options);
  const [first] = mismatches;
  if (first === undefined) return null;
  const more = mismatches.length - 1;
  return `${actual.name}: ${first}${more > 0 ? ` (+${more} more)` : ""}`;
}

/**
 * Maximum bipartite matching by augmenting paths (Kuhn), so an early expectation cannot take a call a
 * later one needs. n and m are a handful of calls; O(n·m²) is nothing.
 */
export function maximumMatching(n: number, m: number, compatible: (i: number, j: number) => boolean): Pair[] {
  const owner = new Array<number>(m).fill(-1);
  const augment = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < m; j++) {
      if (seen[j] || !compatible(i, j)) continue;
      seen[j] = true;
      const current = owner[j] ?? -1;
      if (current === -1 || augment(current, seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < n; i++) augment(i, new Array<boolean>(m).fill(false));
  const pairs: Pair[] = [];
  owner.forEach((i, j) => {
    if (i !== -1) pairs.push({ expected: i, actual: j });
  });
  return pairs.sort((a, b) => a.expected - b.expected);
}

/**
 * The largest order-preserving matching (a longest common subsequence over `compatible`). Under
 * `order: strict` a pass needs every expectation in it (and, with extra_calls forbid, every call),
 * which is exactly "expected[i] matches the i-th call"; the size gives partial credit.
 */
export function longestOrderedMatching(n: number, m: number, compatible: (i: number, j: number) => boolean): Pair[] {
  const width = m + 1;
  const table = new Array<number>((n + 1) * width).fill(0);
  const at = (i: number, j: number): number => table[i * width + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const take = compatible(i, j) ? at(i + 1, j + 1) + 1 : 0;
      table[i * width + j] = Math.max(take, at(i + 1, j), at(i, j + 1));
    }
  }
  const pairs: Pair[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (compatible(i, j) && at(i, j) === at(i + 1, j + 1) + 1) {
      pairs.push({ expected: i, actual: j });
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return pairs;
}

/** F1 of matched calls; both sides empty is a perfect 1. */
export function f1(matched: number, expected: number, actual: number): number {
  if (expected === 0 && actual === 0) return 1;
  if (matched === 0) return 0;
  const precision = matched / actual;
  const recall = matched / expected;
  return (2 * precision * recall) / (precision + recall);
}

function passReason(expected: number, matched: number, extraNames: string[]): string {
  if (expected === 0) return "no tool call made, as expected";
  const base = `${matched}/${expected} ${expected === 1 ? "call" : "calls"} matched`;
  return extraNames.length > 0 ? `${base} (+${extraNames.length} extra allowed: ${listNames(extraNames)})` : base;
}

interface FailContext {
  expected: readonly ExpectedToolCall[];
  actual: readonly ToolCall[];
  missing: number[];
  extra: number[];
  /** extra calls to tools the case does not offer */
  unoffered: number[];
  pairs: Pair[];
  extrasAllowed: boolean;
  verdict: (i: number, j: number) => string | null;
  compatible: (i: number, j: number) => boolean;
  options: ToolCallsOptions;
}

/** One line a person can act on: the first thing that is wrong, with a count when there is more. */
function failReason(context: FailContext): string {
  const { expected, actual, missing, extra, unoffered, pairs } = context;
  const expectedNames = expected.map((call) => call.name);
  const actualNames = actual.map((call) => call.name);
  if (expected.length === 0) return `expected no tool call, got ${listNames(actualNames)}`;
  if (actual.length === 0) return `no tool call made, expected ${listNames(expectedNames)}`;
  const [first] = missing;
  if (first === undefined && context.extrasAllowed) {
    const names = unoffered.map((j) => actualNames[j] ?? "?");
    return `called ${listNames(names)}, which this case does not offer (extra_calls: allow covers only offered tools)`;
  }
  if (first === undefined) {
    const names = extra.map((j) => actualNames[j] ?? "?");
    return `unexpected extra ${names.length === 1 ? "call" : "calls"}: ${listNames(names)} (extra_calls: forbid)`;
  }
  const summary = expected.length > 1 ? ` (${pairs.length}/${expected.length} calls matched)` : "";
  return `${explainMissing(first, context)}${summary}`;
}

function explainMissing(i: number, context: FailContext): string {
  const { expected, actual, extra, pairs, verdict, compatible, options } = context;
  const name = expected[i]?.name ?? "?";
  const sameName = extra.filter((j) => actual[j]?.name === name);
  if (options.order === "strict" && sameName.some((j) => compatible(i, j))) {
    return `calls out of order (order: strict): expected ${listNames(expected.map((c) => c.name))}; ` + `got ${listNames(actual.map((c) => c.name))}`;
  }
  const [candidate] = sameName;
  if (candidate !== undefined) return verdict(i, candidate) ?? `${name}: does not match`;
  const wanted = expected.filter((call) => call.name === name).length;
  const made = pairs.filter((pair) => actual[pair.actual]?.name === name).length;
  if (made > 0) return `expected ${wanted} calls to ${name}, got ${made}`;
  const others = extra.map((j) => actual[j]?.name ?? "?");
  if (others.length > 0) return `called ${listNames(others)}, expected ${name}`;
  return `missing call: ${name}`;
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(", ");
  return names.length > 5 ? `${shown}, … (${names.length} in all)` : shown;
}
