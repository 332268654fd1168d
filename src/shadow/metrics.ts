/**
 * The proxy's counters, served at `GET /metrics` in the Prometheus text exposition format (version
 * 0.0.4). Plain numbers updated in place: this runs for every request on the served path.
 */

/** Why a shadow copy was not made or did not complete (SPEC §10). */
export const dropReasons = ["sampled_out", "queue_full", "timeout", "error", "cost_cap"] as const;
export type DropReason = (typeof dropReasons)[number];

/** Upper bounds (seconds) of the added-latency histogram: the contract is 1 ms median, 3 ms p99. */
const latencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1];

export class ShadowMetrics {
  readonly requests = { baseline: 0, candidate: 0 };
  readonly drops: Record<DropReason, number> = { sampled_out: 0, queue_full: 0, timeout: 0, error: 0, cost_cap: 0 };
  copiesInFlight = 0;
  copiesQueued = 0;
  linesWritten = 0;
  private readonly bucketCounts = new Array<number>(latencyBuckets.length).fill(0);
  private addedCount = 0;
  private addedSum = 0;

  /** The time the proxy itself added to one served request, in milliseconds. */
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
    this.drops[reason]++;
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines = [
      "# HELP modelgate_shadow_requests_total Requests sent upstream, per arm (baseline: served; candidate: shadow copies sent).",
      "# TYPE modelgate_shadow_requests_total counter",
      `modelgate_shadow_requests_total{arm="baseline"} ${this.requests.baseline}`,
      `modelgate_shadow_requests_total{arm="candidate"} ${this.requests.candidate}`,
      "# HELP modelgate_shadow_copies_dropped_total Shadow copies not made or not completed, by reason.",
      "# TYPE modelgate_shadow_copies_dropped_total counter",
      ...dropReasons.map((reason) => `modelgate_shadow_copies_dropped_total{reason="${reason}"} ${this.drops[reason]}`),
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
