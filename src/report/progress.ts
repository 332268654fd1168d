import type { RunnerEvent } from "../run/runner.js";
import { formatDuration } from "./format.js";

interface SideCounts {
  done: number;
  total: number;
}

/**
 * Progress on stderr. On a terminal: one live line redrawn at most 10×/s (done/total per side, in
 * flight, errors, retries, elapsed, ETA). Elsewhere (CI, pipes): a plain line per 10% at most.
 */
export class Progress {
  private readonly sides = new Map<string, SideCounts>();
  private inFlight = 0;
  private errors = 0;
  private retries = 0;
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly stream: { write(text: string): unknown },
    private readonly live: boolean,
    totals: Record<string, number>,
  ) {
    for (const [side, total] of Object.entries(totals)) this.sides.set(side, { done: 0, total });
  }

  readonly onEvent = (event: RunnerEvent): void => {
    if (event.type === "start") this.inFlight++;
    else if (event.type === "retry") this.retries++;
    else {
      if (event.outcome.attempts > 0 && event.outcome.status === "ok") this.inFlight = Math.max(0, this.inFlight - 1);
      else if (event.outcome.attempts > 0) this.inFlight = Math.max(0, this.inFlight - 1);
      if (event.outcome.status === "error") this.errors++;
      const side = this.sides.get(event.side);
      if (side) side.done++;
    }
    this.maybeDraw();
  };

  private maybeDraw(): void {
    const now = performance.now();
    const { done, total } = this.totals();
    if (this.live) {
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      this.stream.write(`\r\u001b[2K${this.line(done, total)}`);
      this.drawn = true;
      return;
    }
    const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (decile > this.lastDecile && decile > 0) {
      this.lastDecile = decile;
      this.stream.write(`${this.line(done, total)}\n`);
    }
  }

  private totals(): SideCounts {
    let done = 0;
    let total = 0;
    for (const side of this.sides.values()) {
      done += side.done;
      total += side.total;
    }
    return { done, total };
  }

  private line(done: number, total: number): string {
    const elapsed = performance.now() - this.started;
    const sides = [...this.sides].map(([name, counts]) => `${name} ${counts.done}/${counts.total}`).join("  ");
    const eta = done > 0 && done < total ? `, ETA ${formatDuration((elapsed / done) * (total - done))}` : "";
    return `${sides}  in flight ${this.inFlight}  errors ${this.errors}  retries ${this.retries}  ${formatDuration(elapsed)}${eta}`;
  }

  /** Clears the live line so the report starts on a clean terminal. */
  finish(): void {
    if (this.live && this.drawn) this.stream.write("\r\u001b[2K");
  }
}
