/**
 * Requests allowed in flight before the endpoint has answered anything (TCP's initial window): a
 * rate-limited endpoint first sees a burst of this many, not of the whole `--concurrency`.
 */
const initialWindow = 8;

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

function releaseOnce(giveBack: () => void): Release {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    giveBack();
  };
}

/**
 * At most `size` holders at once, the rest served in arrival order: the run's `--concurrency` ceiling
 * across every endpoint. Like AdaptiveLimit, a free slot is taken without a promise.
 */
export class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  acquire(): Release | Promise<Release> {
    if (this.waiting.length === 0 && this.active < this.size) {
      this.active++;
      return releaseOnce(() => this.giveBack());
    }
    return new Promise<Release>((resolve) => this.waiting.push(() => resolve(releaseOnce(() => this.giveBack()))));
  }

  /** The slot passes straight to the next in line (active stays the same), else becomes free. */
  private giveBack(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * Adaptive concurrency for one endpoint, as TCP does it: slow start (from a small window, one more
 * request allowed per success, so the window doubles each round trip up to the ceiling), then on a 429
 * halve the number of requests allowed in flight and grow back by about one per window of successes
 * (AIMD). A Retry-After pauses new requests to that endpoint until it has passed. The global
 * `--concurrency` ceiling still applies on top.
 */
export class AdaptiveLimit {
  private allowed: number;
  /** until the first 429 */
  private slowStart = true;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private pausedUntil = 0;
  private lastCut = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ceiling: number) {
    this.allowed = Math.min(ceiling, initialWindow);
  }

  /** Requests this endpoint may have in flight now. */
  get current(): number {
    return Math.floor(this.allowed);
  }

  /**
   * A slot: the function that gives it back, at once when one is free (no promise, no await: this runs
   * for every request), else a promise of it, served in arrival order.
   */
  acquire(): Release | Promise<Release> {
    if (this.waiting.length === 0 && this.canStart()) {
      this.active++;
      return releaseOnce(() => this.giveBack());
    }
    // The waker reserves the slot (active++) before resolving, so a woken task never re-queues.
    return new Promise<Release>((resolve) => {
      this.waiting.push(() => resolve(releaseOnce(() => this.giveBack())));
      this.wake();
    });
  }

  private giveBack(): void {
    this.active--;
    this.wake();
  }

  /** A success grows the window by 1 in slow start, else by 1/window (≈ +1 per window of successes). */
  onSuccess(): void {
    const step = this.slowStart ? 1 : 1 / Math.max(1, this.allowed);
    this.allowed = Math.min(this.ceiling, this.allowed + step);
    this.wake();
  }

  /**
   * A 429 halves the window — once per burst: a 429 for a request sent before the last cut says nothing
   * new — and a Retry-After pauses new requests to this endpoint.
   */
  onRateLimited(retryAfterMs: number | undefined, sentAt: number, now = Date.now()): void {
    this.slowStart = false;
    if (sentAt >= this.lastCut) {
      this.allowed = Math.max(1, Math.floor(this.allowed / 2));
      this.lastCut = now;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
  }

  /** The run is stopping: lift any pause and let every waiter through (each then sees the run is over). */
  openForShutdown(): void {
    this.pausedUntil = 0;
    this.allowed = Number.POSITIVE_INFINITY;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
  }

  private canStart(): boolean {
    // The clock is read only while a Retry-After pause is set (this runs several times per request).
    return this.active < Math.floor(this.allowed) && (this.pausedUntil === 0 || Date.now() >= this.pausedUntil);
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
    if (this.pausedUntil === 0) return;
    const delay = this.pausedUntil - Date.now();
    if (delay <= 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, delay);
  }
}
