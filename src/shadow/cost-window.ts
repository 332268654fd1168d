/**
 * The candidate's spend over the last hour, for `--max-cost-per-hour`: one bucket per minute (60 numbers
 * whatever the request rate), so the window slides a minute at a time.
 */
export class CostWindow {
  private readonly buckets = new Float64Array(60);
  private readonly minutes = new Float64Array(60).fill(-1);

  constructor(private readonly capUsd: number) {}

  /** Adds one copy's cost (USD) at `now`. */
  record(costUsd: number, now = Date.now()): void {
    const minute = Math.floor(now / 60_000);
    const slot = minute % 60;
    if (this.minutes[slot] !== minute) {
      this.minutes[slot] = minute;
      this.buckets[slot] = 0;
    }
    this.buckets[slot] = (this.buckets[slot] ?? 0) + costUsd;
  }

  /** USD spent in the 60 minutes up to `now`. */
  spent(now = Date.now()): number {
    const minute = Math.floor(now / 60_000);
    let total = 0;
    for (let slot = 0; slot < 60; slot++) {
      const at = this.minutes[slot] ?? -1;
      if (at > minute - 60 && at <= minute) total += this.buckets[slot] ?? 0;
    }
    return total;
  }

  /** Whether another copy may be sent: the last hour's spend is still under the cap. */
  allows(now = Date.now()): boolean {
    return this.spent(now) < this.capUsd;
  }
}
