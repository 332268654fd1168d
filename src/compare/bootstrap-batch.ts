/**
 * The comparison stage's bootstraps, queued and then run together. A request equal to an earlier one
 * (same statistic, same numbers case by case on both sides — `format.score` and `check.format.score`
 * when the category has one check) gets a copy of that one's result; the rest share each resample's
 * draws per case count (`runPairedBootstraps`). A request is packed into typed arrays and its
 * statistics built when it is queued, so the caller's clusters need not live until the batch runs.
 */
import { createHash } from "node:crypto";
import {
  type BootstrapOptions,
  type BootstrapResult,
  type PreparedBootstrap,
  preparePairedBootstrap,
  runPairedBootstraps,
  type StatisticFactory,
} from "../stats/index.js";

/** Per-case clusters of one side, `[i]` being the same case on both sides. */
export type Clusters = readonly (readonly number[])[];

/** One paired bootstrap to run. */
export interface BootstrapRequest {
  /** names the statistic: requests with equal keys and equal clusters have equal results */
  key: string;
  statistic: StatisticFactory<readonly number[]>;
  baseline: Clusters;
  candidate: Clusters;
}

/** Bootstraps queued with `add` and run once with `run`. */
export interface BootstrapBatch {
  /** Queues a request; returns its ticket, the index of its result in `run()`. */
  add(request: BootstrapRequest): number;
  /** Runs every queued bootstrap; results by ticket. */
  run(): BootstrapResult[];
}

/** A batch whose bootstraps all use `options` (resamples, seed, confidence). */
export function createBootstrapBatch(options: BootstrapOptions): BootstrapBatch {
  const prepared: PreparedBootstrap[] = [];
  const packedOf: Array<{ baseline: Packed; candidate: Packed }> = [];
  const uniqueOf: number[] = [];
  const buckets = new Map<string, number[]>();
  return {
    add(request) {
      const packed = { baseline: pack(request.baseline), candidate: pack(request.candidate) };
      const bucketKey = `${request.key}\0${request.baseline.length}\0${fingerprint(packed.baseline, packed.candidate)}`;
      const bucket = buckets.get(bucketKey);
      let unique = bucket?.find((u) => {
        const earlier = packedOf[u];
        return earlier !== undefined && samePacked(earlier.baseline, packed.baseline) && samePacked(earlier.candidate, packed.candidate);
      });
      if (unique === undefined) {
        unique = prepared.length;
        prepared.push(preparePairedBootstrap({ baseline: request.baseline, candidate: request.candidate }, request.statistic));
        packedOf.push(packed);
        if (bucket) bucket.push(unique);
        else buckets.set(bucketKey, [unique]);
      }
      uniqueOf.push(unique);
      return uniqueOf.length - 1;
    },
    run() {
      const results = runPairedBootstraps(prepared, options);
      // Each ticket gets its own interval array, so comparisons never share a mutable tuple.
      return uniqueOf.map((unique) => {
        const result = results[unique] as BootstrapResult;
        return { ...result, ci: result.ci && [result.ci[0], result.ci[1]] };
      });
    },
  };
}

/** Clusters as typed arrays: each case's value count, then all values case after case. */
interface Packed {
  lengths: Uint32Array;
  values: Float64Array;
}

function pack(clusters: Clusters): Packed {
  const lengths = Uint32Array.from(clusters, (cluster) => cluster.length);
  const values = new Float64Array(lengths.reduce((total, m) => total + m, 0));
  let k = 0;
  for (let i = 0; i < clusters.length; i++) {
    const cluster = clusters[i] as readonly number[];
    for (let j = 0; j < cluster.length; j++) values[k++] = cluster[j] as number;
  }
  return { lengths, values };
}

/** Bit-for-bit equality (so 0 and −0 differ, as they may in a quantile), not numeric equality; compared natively. */
function samePacked(a: Packed, b: Packed): boolean {
  return bytesOf(a.lengths).equals(bytesOf(b.lengths)) && bytesOf(a.values).equals(bytesOf(b.values));
}

/** The array's bytes as a Buffer view (no copy). */
function bytesOf(array: Uint32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * A digest of both sides' packed clusters: only sorts requests into buckets, equality is then checked
 * byte by byte. Hashed natively: a JavaScript loop over every word was compiled by the JIT for each
 * run, which cost more than the hashing.
 */
function fingerprint(baseline: Packed, candidate: Packed): string {
  const hash = createHash("sha1");
  for (const packed of [baseline, candidate]) hash.update(bytesOf(packed.lengths)).update(bytesOf(packed.values));
  return hash.digest("base64");
}
