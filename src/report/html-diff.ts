/**
 * The word diff of the HTML report runs in the browser, when a case is expanded: diffing two rephrased
 * 300-word outputs costs ~30 ms, so diffing 5,000 cases up front would take minutes. The page inlines
 * jsdiff's own browser build (the `diff` dependency) and the small function below that turns its change
 * objects into ops the client renders as `<del>`/`<ins>` text nodes.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let library: string | undefined;

/** jsdiff's minified UMD build, as installed (it defines `window.Diff`), with its licence notice. */
export function loadDiffLibrary(): string {
  if (library === undefined) {
    const root = dirname(createRequire(import.meta.url).resolve("diff/package.json"));
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    const source = readFileSync(join(root, "dist", "diff.min.js"), "utf8");
    // Inside <script>, these would end the element or change how the HTML parser reads it.
    if (/<\/script|<!--|<script/i.test(source)) throw new Error("diff/dist/diff.min.js cannot be inlined in a <script>");
    library = `/*! jsdiff ${version} | BSD-3-Clause | Copyright (c) 2009-2015, Kevin Decker */\n${source}`;
  }
  return library;
}

/**
 * Client source of `diffOps(Diff, baseline, candidate)`: flat `[op, length, …]` pairs (0 = common,
 * -1 = only in the baseline, 1 = only in the candidate; lengths in UTF-16 units), or null when an output
 * is too large or the diff gives up. `diffWords` ignores whitespace changes and reports the candidate's
 * whitespace in common parts, which would misquote the baseline, so then the whitespace-as-token variant
 * is used and both sides stay exact. A whitespace-only common run between two changes is folded into
 * them: one struck phrase reads better than word confetti.
 * (Plain ES2019, no backticks or `${` inside: it lives in a template literal.)
 */
export const DIFF_OPS_SOURCE = String.raw`
function diffOps(Diff, baseline, candidate) {
  if (baseline === candidate) return baseline === "" ? [] : [0, baseline.length];
  if (baseline.length + candidate.length > 60000) return null;
  var options = { maxEditLength: 5000, timeout: 500 };
  var changes = Diff.diffWords(baseline, candidate, options);
  if (!changes || !reproduces(changes, baseline, candidate)) changes = Diff.diffWordsWithSpace(baseline, candidate, options);
  if (!changes) return null;
  var ops = [];
  var removed = 0;
  var added = 0;
  function flush() {
    if (removed > 0) ops.push(-1, removed);
    if (added > 0) ops.push(1, added);
    removed = 0;
    added = 0;
  }
  function isChange(change) { return change !== undefined && (change.added || change.removed); }
  for (var i = 0; i < changes.length; i += 1) {
    var change = changes[i];
    var length = change.value.length;
    if (length === 0) continue;
    if (change.removed) removed += length;
    else if (change.added) added += length;
    else if (isChange(changes[i - 1]) && isChange(changes[i + 1]) && /^\s+$/.test(change.value)) {
      removed += length;
      added += length;
    } else {
      flush();
      var last = ops.length - 2;
      if (last >= 0 && ops[last] === 0) ops[last + 1] += length; else ops.push(0, length);
    }
  }
  flush();
  return ops;
}
function reproduces(changes, baseline, candidate) {
  var left = "";
  var right = "";
  for (var i = 0; i < changes.length; i += 1) {
    if (!changes[i].added) left += changes[i].value;
    if (!changes[i].removed) right += changes[i].value;
  }
  return left === baseline && right === candidate;
}
`;
