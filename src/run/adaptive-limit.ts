/**
 * Adaptive concurrency for one endpoint (AIMD, as TCP does): start at the ceiling, halve the number of
 * requests allowed in flight when the endpoint answers 429, and grow back by about one per window of
 * successes. A Retry-After pauses new requests to that endpoint until it has passed. The global
 * `--concurrency` ceiling still applies on top.
 */
export class AdaptiveLimit {
  private allowed: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private pausedUntil = 0;
  private lastCut = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ceiling: number) {
    this.allowed = ceiling;
  }

  /** Requests this endpoint may have in flight now. */
  get current(): number {
    return Math.floor(this.allowed);
  }

  /** Waits for a slot; resolves with the function that gives it back. */
  async acquire(): Promise<() => void> {
    if (this.waiting.length === 0 && this.canStart()) this.active++;
    else {
      // The waker reserves the slot (active++) before resolving, so a woken task never re-queues.
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.wake();
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.wake();
    };
  }

  /** A success grows the window by 1/window (≈ +1 per window of successes). */
  onSuccess(): void {
    this.allowed = Math.min(this.ceiling, this.allowed + 1 / Math.max(1, this.allowed));
    this.wake();
  }

  /**
   * A 429 halves the window — once per burst: a 429 for a request sent before the last cut says nothing
   * new — and a Retry-After pauses new requests to this endpoint.
   */
  onRateLimited(retryAfterMs: number | undefined, sentAt: number, now = Date.now()): void {
    if (sentAt >= this.lastCut) {
      this.allowed = Math.max(1, Math.floor(this.allowed / 2));
      this.lastCut = now;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
  }

  private canStart(): boolean {
    return this.active < Math.floor(this.allowed) && Date.now() >= this.pausedUntil;
  }

  /** Hands free slots to waiters in arrival order, or schedules a wake-up for when a pause ends. */
  private wake(): void {
    while (this.waiting.length > 0 && this.canStart()) {
      this.active++;
      this.waiting.shift()?.();
    }
    if (this.waiting.length > 0) this.wakeAfterPause();
  }

  private wakeAfterPause(): void {
    const delay = this.pausedUntil - Date.now();
    if (delay <= 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, delay);
  }
}
