/**
 * Records of one request on two arms become one line (SPEC §9: a mirrored shadow call, both Batch runs of
 * a `custom_id`). Joining streams: a record waits in `pending` until its other arm arrives. The wait is
 * bounded — at most `maxPending` requests wait at once (100,000 requests × a few KB each stays well under
 * a GB); past it the oldest waiting request is written with the one arm it has. Mirrors are logged close
 * together in time, so in practice a partner arrives long before its record is pushed out.
 */
import type { TrafficArmName } from "../types.js";
import type { ImportRecord } from "./types.js";

export const maxPending = 100_000;

/** A request and the record of each arm it has so far. */
export interface JoinedRequest {
  joinKey: string;
  arms: Partial<Record<TrafficArmName, ImportRecord>>;
  tags: Set<string>;
}

export class Joiner {
  private readonly pending = new Map<string, JoinedRequest>();

  constructor(
    /** whether both arms are asked for: only then do records wait for a partner */
    private readonly pairing: boolean,
    private readonly emit: (request: JoinedRequest) => void,
    private readonly limit = maxPending,
  ) {}

  add(record: ImportRecord, arm: TrafficArmName, tags: string[]): void {
    if (!this.pairing) {
      this.emit({ joinKey: record.joinKey, arms: { [arm]: record }, tags: new Set(tags) });
      return;
    }
    let request = this.pending.get(record.joinKey);
    // The same arm twice (a retry, a fallback to the same model): the first is written as it is.
    if (request?.arms[arm]) {
      this.pending.delete(record.joinKey);
      this.emit(request);
      request = undefined;
    }
    if (!request) {
      request = { joinKey: record.joinKey, arms: {}, tags: new Set() };
      this.pending.set(record.joinKey, request);
      if (this.pending.size > this.limit) this.evictOldest();
    }
    request.arms[arm] = record;
    for (const tag of tags) request.tags.add(tag);
    if (request.arms.baseline && request.arms.candidate) {
      this.pending.delete(record.joinKey);
      this.emit(request);
    }
  }

  /** Writes every request still waiting (end of input). */
  flush(): void {
    for (const request of this.pending.values()) this.emit(request);
    this.pending.clear();
  }

  private evictOldest(): void {
    const first = this.pending.entries().next();
    if (first.done) return;
    this.pending.delete(first.value[0]);
    this.emit(first.value[1]);
  }
}
