import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** What `--sample-key` hashes: a request header (one user's conversation is shadowed consistently) or the request body. */
export type SampleKey = { kind: "header"; name: string } | { kind: "request" };

/** `header:x-user-id` | `request`; undefined when the text is neither. */
export function parseSampleKey(text: string): SampleKey | undefined {
  const trimmed = text.trim();
  if (trimmed === "request") return { kind: "request" };
  const match = /^header:([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(trimmed);
  return match?.[1] ? { kind: "header", name: match[1].toLowerCase() } : undefined;
}

/**
 * Whether a request is shadowed: the first 32 bits of SHA-256 of its key, as a fraction, below `rate`.
 * No salt and no state, so the same key gets the same answer in every process and after every restart.
 * A request without the header falls back to its body, so it is still sampled at the same rate.
 */
export function createSampler(rate: number, key: SampleKey): (headers: IncomingHttpHeaders, body: Buffer) => boolean {
  if (rate >= 1) return () => true;
  if (rate <= 0) return () => false;
  return (headers, body) => {
    const header = key.kind === "header" ? headers[key.name] : undefined;
    const value = Array.isArray(header) ? header.join(",") : header;
    return sampleFraction(value ?? body) < rate;
  };
}

/** The key's position in [0, 1). */
export function sampleFraction(value: string | Buffer): number {
  return createHash("sha256").update(value).digest().readUInt32BE(0) / 2 ** 32;
}
