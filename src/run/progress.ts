import { formatDuration, formatUsd } from "../report/format.js";
import type { RunnerEvent } from "./runner.js";

interface SideCounts {
  done: number;
  total: number;
}

/**
 * Progress on stderr. On a terminal: one live line redrawn at most 10×/s (done/total per side, judge
 * calls once judging runs, regressions so far, in flight, errors, retries, spend, elapsed, ETA), cut to
 * the terminal's width. Elsewhere (CI, pipes): a plain line per 10% at most.
 */
export class Progress {
  private readonly sides = new Map<string, SideCounts>();
  private errors = 0;
  private retries = 0;
  private judge = { started: 0, done: 0 };
  private cases = { done: 0, regressions: 0 };
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly stream: { write(text: string): unknown },
    private readonly live: boolean,
    totals: Record<string, number>,
    /** the runner's live figures: requests in flight and USD spent so far */
    private readonly runner: { inFlight: number; spentUsd: number },
    /** the terminal's width; the live line is cut to it */
    private readonly width = 80,
  ) {
    for (const [side, total] of Object.entries(totals)) this.sides.set(side, { done: 0, total });
  }

  readonly onEvent = (event: RunnerEvent): void => {
    if (event.type === "retry") this.retries++;
    else if (event.type === "start" && event.side === "judge") this.judge.started++;
    else if (event.type === "done") {
      if (event.outcome.status === "error") this.errors++;
      if (event.side === "judge") this.judge.done++;
      const side = this.sides.get(event.side);
      if (side) side.done++;
    }
    this.maybeDraw();
  };

  /** A case finished scoring: counts it, and its regression, for the line. */
  readonly onCase = (outcome: string): void => {
    this.cases.done++;
    if (outcome === "regression") this.cases.regressions++;
    this.maybeDraw();
  };

  private maybeDraw(): void {
    const now = performance.now();
    const { done, total } = this.totals();
    if (this.live) {
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      const line = this.line(done, total);
      // A line longer than the terminal wraps, and `\r` then redraws only its last row.
      this.stream.write(`\r\u001b[2K${line.length > this.width - 1 ? `${line.slice(0, this.width - 2)}…` : line}`);
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
    const cost = this.runner.spentUsd > 0 ? `  ${formatUsd(this.runner.spentUsd)} spent` : "";
    const judging = this.judge.started > 0 ? `  judging ${this.judge.done}/${this.judge.started}` : "";
    const regressions = this.cases.done > 0 ? `  ${this.cases.regressions} regressed of ${this.cases.done} cases` : "";
    return `${sides}${judging}${regressions}  in flight ${this.runner.inFlight}  errors ${this.errors}  retries ${this.retries}${cost}  ${formatDuration(elapsed)}${eta}`;
  }

  /** Clears the live line so the report starts on a clean terminal. */
  finish(): void {
    if (this.live && this.drawn) this.stream.write("\r\u001b[2K");
  }
}
