/**
 * What changed between a baseline and a candidate answer, by what the answer is: tool calls structurally
 * (each call's name, then each argument by path: `amount: 20 → 25`; call ids are random per response and
 * ignored), JSON outputs as parsed values key by key (so compact vs pretty-printed JSON is no change),
 * anything else by words. Every renderer (HTML, Markdown, terminal) shows these same facts.
 */
import { diffArrays } from "diff";
import type { JsonValue, ToolCall } from "../types.js";

/** One value that differs at a path inside two JSON values. */
export interface ValueChange {
  /** `amount`, `items[0].sku`, `["odd key"]`; "" for the whole value */
  path: string;
  kind: "changed" | "added" | "removed";
  before?: JsonValue;
  after?: JsonValue;
}

/** One tool call of the baseline paired with one of the candidate (or unpaired). */
export interface CallDiff {
  kind: "same" | "changed" | "added" | "removed";
  /** the candidate's call name (the baseline's for a removed call) */
  name: string;
  /** the baseline's name when a call at this place was renamed */
  before_name?: string;
  /** argument changes of a paired call */
  arguments: ValueChange[];
}

/** A word-level change: a run of words only in the baseline and the run that replaced it. */
export interface TextHunk {
  removed: string;
  added: string;
}

/** The diff of one pair of draws (same repeat). */
export interface DrawDiff {
  /** present when either side called a tool */
  tool_calls?: CallDiff[];
  /** present when both outputs parse as JSON: [] means the same value however it is formatted */
  json?: ValueChange[];
  /** present for text outputs that differ (not JSON) */
  text?: TextHunk[];
}

/** Cap on changes kept per value, so one huge rewritten array cannot flood a report. */
const MAX_CHANGES = 50;

/** Pairs calls by name in order (a reordered call is no change), then the rest by position. */
export function diffToolCalls(before: ToolCall[], after: ToolCall[]): CallDiff[] {
  const used = new Set<number>();
  const pairs: Array<{ b?: ToolCall; a?: ToolCall }> = [];
  const unpaired: ToolCall[] = [];
  for (const call of after) {
    const index = before.findIndex((candidate, i) => !used.has(i) && candidate.name === call.name);
    if (index >= 0) {
      used.add(index);
      pairs.push({ b: before[index] as ToolCall, a: call });
    } else unpaired.push(call);
  }
  const leftovers = before.filter((_, i) => !used.has(i));
  for (const call of unpaired) {
    const b = leftovers.shift();
    pairs.push(b === undefined ? { a: call } : { b, a: call });
  }
  for (const b of leftovers) pairs.push({ b });
  return pairs.map(({ b, a }) => {
    if (a === undefined) return { kind: "removed", name: (b as ToolCall).name, arguments: [] };
    if (b === undefined) return { kind: "added", name: a.name, arguments: [] };
    const args = diffJson(argumentsOf(b), argumentsOf(a));
    const renamed = b.name !== a.name;
    return {
      kind: renamed || args.length > 0 ? "changed" : "same",
      name: a.name,
      ...(renamed ? { before_name: b.name } : {}),
      arguments: args,
    };
  });
}

/** Arguments that did not parse are compared as their raw text. */
function argumentsOf(call: ToolCall): JsonValue {
  return call.arguments === null && call.raw_arguments !== undefined ? call.raw_arguments : call.arguments;
}

/** Every path where two JSON values differ (at most MAX_CHANGES), objects key by key, arrays by index. */
export function diffJson(before: JsonValue, after: JsonValue, path = "", out: ValueChange[] = []): ValueChange[] {
  if (out.length >= MAX_CHANGES) return out;
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      const next = joinKey(path, key);
      if (!Object.hasOwn(after, key)) out.push({ path: next, kind: "removed", before: before[key] as JsonValue });
      else diffJson(before[key] as JsonValue, after[key] as JsonValue, next, out);
    }
    for (const key of Object.keys(after)) {
      if (!Object.hasOwn(before, key)) out.push({ path: joinKey(path, key), kind: "added", after: after[key] as JsonValue });
    }
  } else if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      const next = `${path}[${i}]`;
      if (i >= after.length) out.push({ path: next, kind: "removed", before: before[i] as JsonValue });
      else if (i >= before.length) out.push({ path: next, kind: "added", after: after[i] as JsonValue });
      else diffJson(before[i] as JsonValue, after[i] as JsonValue, next, out);
    }
  } else if (!sameJson(before, after)) {
    out.push({ path, kind: "changed", before, after });
  }
  return out.slice(0, MAX_CHANGES);
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  return a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));
}

function joinKey(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * An output as JSON, when it is an object or array (a single ```json fence accepted, as json-schema
 * does); undefined otherwise. Bare scalars stay text: `42` vs `42.0` reads better as words.
 */
export function parseJsonOutput(text: string | null | undefined): JsonValue | undefined {
  if (typeof text !== "string") return undefined;
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  const body = fenced?.[1] ?? trimmed;
  if (!body.startsWith("{") && !body.startsWith("[")) return undefined;
  try {
    return JSON.parse(body) as JsonValue;
  } catch {
    return undefined;
  }
}

/**
 * The changed word runs of two texts, at most `max` hunks. Words are whitespace-separated tokens, so
 * a hunk never starts inside a word ("I've" stays whole) and whitespace changes are no change.
 */
export function diffText(before: string, after: string, max = 20): TextHunk[] {
  if (before === after) return [];
  if (before.length + after.length > 60_000) return [{ removed: before, added: after }];
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== "");
  const hunks: TextHunk[] = [];
  let current: { removed: string[]; added: string[] } | undefined;
  for (const change of diffArrays(words(before), words(after))) {
    if (change.added || change.removed) {
      current ??= { removed: [], added: [] };
      (change.added ? current.added : current.removed).push(...change.value);
    } else if (current) {
      hunks.push({ removed: current.removed.join(" "), added: current.added.join(" ") });
      current = undefined;
    }
  }
  if (current) hunks.push({ removed: current.removed.join(" "), added: current.added.join(" ") });
  return hunks.slice(0, max);
}

/**
 * The diff of a baseline draw and a candidate draw. `text: false` skips the word diff (the HTML report
 * word-diffs in the browser, when a case opens: ~30 ms per rephrased answer adds up over every case).
 */
export function diffDraws(
  baseline: { output: string | null; tool_calls: ToolCall[] } | undefined,
  candidate: { output: string | null; tool_calls: ToolCall[] } | undefined,
  options: { text?: boolean } = {},
): DrawDiff {
  if (baseline === undefined || candidate === undefined) return {};
  const diff: DrawDiff = {};
  if (baseline.tool_calls.length > 0 || candidate.tool_calls.length > 0) diff.tool_calls = diffToolCalls(baseline.tool_calls, candidate.tool_calls);
  const before = parseJsonOutput(baseline.output);
  const after = parseJsonOutput(candidate.output);
  if (before !== undefined && after !== undefined) diff.json = diffJson(before, after);
  else if (
    options.text !== false &&
    typeof baseline.output === "string" &&
    typeof candidate.output === "string" &&
    baseline.output !== candidate.output
  ) {
    diff.text = diffText(baseline.output, candidate.output);
  }
  return diff;
}

/** Whether a draw diff shows any change. */
export function hasChanges(diff: DrawDiff): boolean {
  return (diff.tool_calls?.some((call) => call.kind !== "same") ?? false) || (diff.json?.length ?? 0) > 0 || (diff.text?.length ?? 0) > 0;
}

/** A JSON value on one line, cut to `max` characters. */
export function shortValue(value: JsonValue | undefined, max = 60): string {
  const text = value === undefined ? "∅" : JSON.stringify(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The changes as short plain lines (Markdown and terminal): `issue_refund: amount: 20 → 25`,
 * `+ call track_order`, `priority: "urgent" → "high"`, `text: "ships" → "shipped"`.
 */
export function describeChanges(diff: DrawDiff, max = 6): string[] {
  const lines: string[] = [];
  for (const call of diff.tool_calls ?? []) {
    if (call.kind === "added") lines.push(`+ call ${call.name}`);
    else if (call.kind === "removed") lines.push(`− call ${call.name}`);
    else if (call.kind === "changed") {
      if (call.before_name !== undefined) lines.push(`call ${call.before_name} → ${call.name}`);
      for (const change of call.arguments) lines.push(`${call.name}: ${describeValueChange(change)}`);
    }
  }
  for (const change of diff.json ?? []) lines.push(describeValueChange(change));
  for (const hunk of diff.text ?? []) lines.push(`text: ${JSON.stringify(cut(hunk.removed))} → ${JSON.stringify(cut(hunk.added))}`);
  return lines.length > max ? [...lines.slice(0, max), `… ${lines.length - max} more`] : lines;
}

function cut(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `amount: 20 → 25`, `+ note: "x"`, `− reason: "damaged"` */
export function describeValueChange(change: ValueChange): string {
  const path = change.path === "" ? "(value)" : change.path;
  if (change.kind === "added") return `+ ${path}: ${shortValue(change.after)}`;
  if (change.kind === "removed") return `− ${path}: ${shortValue(change.before)}`;
  return `${path}: ${shortValue(change.before)} → ${shortValue(change.after)}`;
}
