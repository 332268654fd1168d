/**
 * The proxy's counters, served at `GET /metrics` in the Prometheus text exposition format (version
 * 0.0.4). Plain numbers updated in place: this runs for every request on the served path.
 */

/** Why a shadow copy was not made or did not complete (SPEC §10). */
export const dropReasons = ["sampled_out", "queue_full", "timeout", "error", "cost_cap"] as const;
export type DropReason = (typeof dropReasons)[number];

/** Upper bounds (seconds) of the added-latency histogram: the contract is 1 ms median, 3 ms p99. */
const latencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1];

/**
 * Counters both threads update: the served path (main thread) and the copy side (its worker thread,
 * src/shadow/copy-worker.ts). One SharedArrayBuffer, and every slot has one writer (the drops are
 * counted per thread and summed when read), so no locks: a reader sees each number whole.
 */
const slot = {
  served: 0,
  sent: 1,
  inFlight: 2,
  queued: 3,
  lines: 4,
  costCapped: 5,
  received: 6,
  /** drops counted by the main thread, then by the worker, in `dropReasons` order */
  mainDrops: 7,
  workerDrops: 7 + dropReasons.length,
} as const;
const slots = 7 + 2 * dropReasons.length;

/** Which thread's drop counters a `ShadowMetrics` writes. */
export type MetricsSide = "main" | "worker";

export class ShadowMetrics {
  /** the shared counters, for the other thread's `new ShadowMetrics(buffer, side)` */
  readonly buffer: SharedArrayBuffer;
  private readonly values: Float64Array;
  private readonly dropBase: number;
  private readonly bucketCounts = new Array<number>(latencyBuckets.length).fill(0);
  private addedCount = 0;
  private addedSum = 0;

  constructor(buffer = new SharedArrayBuffer(slots * 8), side: MetricsSide = "main") {
    this.buffer = buffer;
    this.values = new Float64Array(buffer);
    this.dropBase = side === "main" ? slot.mainDrops : slot.workerDrops;
  }

  /** Requests sent upstream, per arm (baseline: served; candidate: copies sent). */
  get requests(): { baseline: number; candidate: number } {
    return { baseline: this.read(slot.served), candidate: this.read(slot.sent) };
  }
  get drops(): Record<DropReason, number> {
    return Object.fromEntries(dropReasons.map((reason, i) => [reason, this.read(slot.mainDrops + i) + this.read(slot.workerDrops + i)])) as Record<
      DropReason,
      number
    >;
  }
  get copiesInFlight(): number {
    return this.read(slot.inFlight);
  }
  get copiesQueued(): number {
    return this.read(slot.queued);
  }
  get linesWritten(): number {
    return this.read(slot.lines);
  }
  /** Copies the worker has taken from the main thread (queued, sent or dropped). */
  get copiesReceived(): number {
    return this.read(slot.received);
  }
  /** The copy side's `--max-cost-per-hour` window is spent (the main thread skips capturing then). */
  get costCapped(): boolean {
    return this.read(slot.costCapped) === 1;
  }

  countServed(): void {
    this.values[slot.served] = this.read(slot.served) + 1;
  }
  countSent(): void {
    this.values[slot.sent] = this.read(slot.sent) + 1;
  }
  countReceived(): void {
    this.values[slot.received] = this.read(slot.received) + 1;
  }
  countLine(): void {
    this.values[slot.lines] = this.read(slot.lines) + 1;
  }
  addInFlight(delta: number): void {
    this.values[slot.inFlight] = this.read(slot.inFlight) + delta;
  }
  addQueued(delta: number): void {
    this.values[slot.queued] = this.read(slot.queued) + delta;
  }
  setCostCapped(capped: boolean): void {
    this.values[slot.costCapped] = capped ? 1 : 0;
  }

  private read(index: number): number {
    return this.values[index] ?? 0;
  }

  /** The time the proxy itself added to one served request, in milliseconds (main thread only). */
  observeAddedLatency(ms: number): void {
    const seconds = Math.max(0, ms) / 1000;
    this.addedCount++;
    this.addedSum += seconds;
    for (let i = 0; i < latencyBuckets.length; i++) {
      if (seconds <= (latencyBuckets[i] ?? 0)) {
        this.bucketCounts[i] = (this.bucketCounts[i] ?? 0) + 1;
        break;
      }
    }
  }

  drop(reason: DropReason): void {
    const index = this.dropBase + dropReasons.indexOf(reason);
    this.values[index] = this.read(index) + 1;
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const requests = this.requests;
    const drops = this.drops;
    const lines = [
      "# HELP modelgate_shadow_requests_total Requests sent upstream, per arm (baseline: served; candidate: shadow copies sent).",
      "# TYPE modelgate_shadow_requests_total counter",
      `modelgate_shadow_requests_total{arm="baseline"} ${requests.baseline}`,
      `modelgate_shadow_requests_total{arm="candidate"} ${requests.candidate}`,
      "# HELP modelgate_shadow_copies_dropped_total Shadow copies not made or not completed, by reason.",
      "# TYPE modelgate_shadow_copies_dropped_total counter",
      ...dropReasons.map((reason) => `modelgate_shadow_copies_dropped_total{reason="${reason}"} ${drops[reason]}`),
      "# HELP modelgate_shadow_copies_in_flight Shadow copies waiting for the candidate now.",
      "# TYPE modelgate_shadow_copies_in_flight gauge",
      `modelgate_shadow_copies_in_flight ${this.copiesInFlight}`,
      "# HELP modelgate_shadow_copies_queued Shadow copies waiting for a free slot now.",
      "# TYPE modelgate_shadow_copies_queued gauge",
      `modelgate_shadow_copies_queued ${this.copiesQueued}`,
      "# HELP modelgate_shadow_traffic_lines_total Traffic lines appended to the log.",
      "# TYPE modelgate_shadow_traffic_lines_total counter",
      `modelgate_shadow_traffic_lines_total ${this.linesWritten}`,
      "# HELP modelgate_shadow_added_latency_seconds Time the proxy added to a served request before its first byte.",
      "# TYPE modelgate_shadow_added_latency_seconds histogram",
    ];
    let cumulative = 0;
    latencyBuckets.forEach((bound, i) => {
      cumulative += this.bucketCounts[i] ?? 0;
      lines.push(`modelgate_shadow_added_latency_seconds_bucket{le="${bound}"} ${cumulative}`);
    });
    lines.push(
      `modelgate_shadow_added_latency_seconds_bucket{le="+Inf"} ${this.addedCount}`,
      `modelgate_shadow_added_latency_seconds_sum ${this.addedSum}`,
      `modelgate_shadow_added_latency_seconds_count ${this.addedCount}`,
    );
    return `${lines.join("\n")}\n`;
  }
}
