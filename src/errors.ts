import { redactSecrets } from "./redact.js";
import type { Issue } from "./types.js";

/** Exit codes of SPEC §7. */
export const ExitCode = {
  ok: 0,
  gateFailed: 1,
  usage: 2,
  runFailed: 3,
  interrupted: 130,
} as const;

/**
 * An error the user can fix: printed without a stack, with the exit code it carries.
 * Anything else that reaches the CLI is a bug.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** `datasets/qa.jsonl:14: expected.schema: unknown keyword "tpye"` */
export function formatIssue(issue: Issue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

// A key pasted into the wrong field must not be printed back into a terminal or CI log: see redact.ts.
export { redactSecrets };

/** Throws one UserError listing every issue (all problems at once, not the first). */
export function throwIfIssues(issues: Issue[], what = "input"): void {
  if (issues.length === 0) return;
  const shown = byLocation(issues)
    .slice(0, 200)
    .map((issue) => redactSecrets(formatIssue(issue)));
  if (issues.length > shown.length) shown.push(`… and ${issues.length - shown.length} more`);
  const noun = issues.length === 1 ? "problem" : "problems";
  throw new UserError(`invalid ${what}: ${issues.length} ${noun}\n${shown.map((l) => `  ${l}`).join("\n")}`);
}

/** Issues in reading order: files as first met, then by line (file-level issues first); stable otherwise. */
function byLocation(issues: Issue[]): Issue[] {
  const fileOrder = new Map<string, number>();
  for (const issue of issues) if (!fileOrder.has(issue.file)) fileOrder.set(issue.file, fileOrder.size);
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        (fileOrder.get(a.issue.file) ?? 0) - (fileOrder.get(b.issue.file) ?? 0) || (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.index - b.index,
    )
    .map(({ issue }) => issue);
}

/** Short JSON rendering of a bad value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** ` — did you mean "x"?` or "" */
export function suggest(word: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? ` — did you mean "${best}"?` : "";
}
