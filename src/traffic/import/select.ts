/**
 * `--dedupe` and `--sample N --seed S` need every line before choosing (the earliest of identical
 * requests; a stratified sample needs each stratum's size). Lines go to a scratch file as they are made,
 * and only a small index entry per line stays in memory (≈ 100 bytes: offsets, ts, stratum, request
 * hash); the chosen lines are then copied to the output in their original order.
 */
import { createHash } from "node:crypto";

export interface IndexedLine {
  ts: number;
  /** the line's tags joined: sampling is stratified by them */
  stratum: string;
  /** sha256 of the request (messages, tools, tool_choice, params), for --dedupe */
  requestHash: string;
  /** sort key of the seeded sample: a hash of seed and line id, so the sample does not depend on file order */
  sampleKey: string;
}

export function requestHash(request: unknown): string {
  return createHash("sha256").update(JSON.stringify(request)).digest("hex");
}

export function sampleKey(seed: number, id: string): string {
  return createHash("sha256").update(`${seed}\u0000${id}`).digest("hex").slice(0, 16);
}

export interface Selection {
  /** indexes of the lines to keep */
  keep: Set<number>;
  duplicates: number;
  sampledOut: number;
}

/** Chooses lines: identical requests once (the earliest; the first on a tie), then a stratified seeded sample of `sample`. */
export function selectLines(lines: IndexedLine[], options: { dedupe: boolean; sample?: number }): Selection {
  let candidates = lines.map((_, index) => index);
  let duplicates = 0;
  if (options.dedupe) {
    const earliest = new Map<string, number>();
    for (const index of candidates) {
      const line = lines[index] as IndexedLine;
      const seen = earliest.get(line.requestHash);
      if (seen === undefined || line.ts < (lines[seen] as IndexedLine).ts) earliest.set(line.requestHash, index);
    }
    const kept = new Set(earliest.values());
    duplicates = candidates.length - kept.size;
    candidates = candidates.filter((index) => kept.has(index));
  }
  let sampledOut = 0;
  if (options.sample !== undefined && options.sample < candidates.length) {
    const chosen = stratifiedSample(candidates, lines, options.sample);
    sampledOut = candidates.length - chosen.length;
    candidates = chosen;
  }
  return { keep: new Set(candidates), duplicates, sampledOut };
}

/**
 * N lines in proportion to each stratum's size (largest remainder, so the counts add up to N exactly),
 * each stratum's share taken in seeded-hash order.
 */
function stratifiedSample(candidates: number[], lines: IndexedLine[], n: number): number[] {
  const strata = new Map<string, number[]>();
  for (const index of candidates) {
    const key = (lines[index] as IndexedLine).stratum;
    const members = strata.get(key);
    if (members) members.push(index);
    else strata.set(key, [index]);
  }
  const total = candidates.length;
  const shares = [...strata.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, members]) => {
      const exact = (members.length * n) / total;
      return { key, members, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
    });
  let left = n - shares.reduce((sum, share) => sum + share.count, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder || b.members.length - a.members.length)) {
    if (left <= 0) break;
    if (share.count < share.members.length) {
      share.count++;
      left--;
    }
  }
  const chosen: number[] = [];
  for (const share of shares) {
    const ordered = [...share.members].sort((a, b) => {
      const ka = (lines[a] as IndexedLine).sampleKey;
      const kb = (lines[b] as IndexedLine).sampleKey;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    chosen.push(...ordered.slice(0, share.count));
  }
  return chosen.sort((a, b) => a - b);
}
