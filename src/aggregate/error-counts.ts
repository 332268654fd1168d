import type { CaseRecord, ErrorCounts, ErrorKind, Side } from "../types.js";

/** Every request error kind, in report order. */
export const errorKinds: readonly ErrorKind[] = [
  "rate_limit",
  "server",
  "overloaded",
  "timeout",
  "network",
  "malformed",
  "auth",
  "bad_request",
  "not_found",
  "cassette_miss",
  "not_recorded",
  "aborted",
  "unknown",
];

/** The error taxonomy of one side: draws whose request failed after retries, by kind (every kind listed). */
export function errorCounts(cases: CaseRecord[], side: Side): ErrorCounts {
  const counts = Object.fromEntries(errorKinds.map((kind) => [kind, 0])) as ErrorCounts;
  for (const run of cases.flatMap((testCase) => testCase[side])) {
    // A reused baseline report is read from disk: a kind we do not know counts as unknown.
    if (run.error) counts[Object.hasOwn(counts, run.error.kind) ? run.error.kind : "unknown"]++;
  }
  return counts;
}
