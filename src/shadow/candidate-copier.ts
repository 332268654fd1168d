/**
 * Sends shadow copies to the candidate, never in the served path's way (it runs in the copy side's
 * worker thread): the candidate client's own connection pool, an adaptive in-flight limit (AIMD on 429,
 * src/run/adaptive-limit.ts), a per-copy timeout and a bounded queue. `offer` never waits: a copy the
 * queue cannot take is dropped and counted. The queue holds the client's parsed requests only, so a
 * hanging candidate costs at most `queue + maxInFlight` requests of memory.
 */
import { AdaptiveLimit, type Release } from "../run/adaptive-limit.js";
import type { TrafficArm } from "../traffic/types.js";
import type { JsonObject, Usage } from "../types.js";
import type { CostWindow } from "./cost-window.js";
import type { DropReason, ShadowMetrics } from "./metrics.js";
import { type ArmAnswer, failedAnswer } from "./read-completion.js";

/** What the candidate answered one copy (an HTTP error is an answer with an error; a broken connection throws). */
export interface CandidateReply {
  answer: ArmAnswer;
  status?: number;
  /** first body byte of a streamed answer, ms after sending */
  ttftMs?: number;
  /** a 429's Retry-After, for the adaptive limit */
  retryAfterMs?: number;
}

/** The candidate's wire: OpenAI Chat Completions (src/shadow/openai-wire-client.ts) or Anthropic Messages (anthropic-client.ts). */
export interface CandidateClient {
  model: string;
  /** Sends the copy of one client request (its Chat Completions body, parsed); rejects when the connection breaks or `signal` aborts. */
  call(request: JsonObject, signal: AbortSignal): Promise<CandidateReply>;
  close(): Promise<void>;
}

export interface CopierOptions {
  client: CandidateClient;
  maxInFlight: number;
  queue: number;
  timeoutMs: number;
  metrics: ShadowMetrics;
  /** `--max-cost-per-hour`, with the price that turns usage into USD */
  cost?: { window: CostWindow; costOf: (usage: Usage | null) => number | null };
}

/** A copy's end: the candidate's arm, or the reason it was never sent. */
export type CopyResult = { sent: true; arm: TrafficArm } | { sent: false; reason: DropReason };

interface CopyJob {
  request: JsonObject;
  done: (result: CopyResult) => void;
}

export class CandidateCopier {
  private readonly limit: AdaptiveLimit;
  private readonly queue: CopyJob[] = [];
  private queueHead = 0;
  private waitingForSlot = false;
  private readonly inFlight = new Set<AbortController>();
  private idle: (() => void) | undefined;

  constructor(private readonly options: CopierOptions) {
    this.limit = new AdaptiveLimit(options.maxInFlight);
  }

  /** Why a copy offered now would be dropped (counted), or undefined. */
  refusal(): DropReason | undefined {
    const { metrics, cost } = this.options;
    const capped = cost !== undefined && !cost.window.allows();
    metrics.setCostCapped(capped);
    const reason: DropReason | undefined = capped ? "cost_cap" : this.queue.length - this.queueHead >= this.options.queue ? "queue_full" : undefined;
    if (reason) metrics.drop(reason);
    return reason;
  }

  /** Queues a copy; false (and `done` called with the reason) when it is dropped at once. Never waits. */
  offer(request: JsonObject, done: (result: CopyResult) => void): boolean {
    const reason = this.refusal();
    if (reason) {
      done({ sent: false, reason });
      return false;
    }
    this.queue.push({ request, done });
    this.options.metrics.addQueued(1);
    this.pump();
    return true;
  }

  /** Copies queued or in flight. */
  get pending(): number {
    return this.queue.length - this.queueHead + this.inFlight.size;
  }

  /** Starts queued copies while the limit allows; one waits for a slot at a time, the rest stay in our queue. */
  private pump(): void {
    while (!this.waitingForSlot && this.queueHead < this.queue.length) {
      const slot = this.limit.acquire();
      if (typeof slot === "function") {
        this.start(this.next(), slot);
        continue;
      }
      this.waitingForSlot = true;
      void slot.then((release) => {
        this.waitingForSlot = false;
        const job = this.queueHead < this.queue.length ? this.next() : undefined;
        if (job) this.start(job, release);
        else release();
        this.pump();
      });
    }
  }

  private next(): CopyJob {
    const job = this.queue[this.queueHead] as CopyJob;
    this.queue[this.queueHead] = undefined as unknown as CopyJob;
    this.queueHead++;
    // Compact now and then, so the array does not grow with every copy ever made.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    this.options.metrics.addQueued(-1);
    return job;
  }

  private start(job: CopyJob, release: Release): void {
    const controller = new AbortController();
    this.inFlight.add(controller);
    this.options.metrics.addInFlight(1);
    this.options.metrics.countSent();
    void this.send(job.request, controller).then((arm) => {
      this.inFlight.delete(controller);
      this.options.metrics.addInFlight(-1);
      release();
      job.done({ sent: true, arm });
      if (this.pending === 0) this.idle?.();
      this.pump();
    });
  }

  private async send(request: JsonObject, controller: AbortController): Promise<TrafficArm> {
    const { client, metrics, timeoutMs } = this.options;
    const sentAt = Date.now();
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const base = { model: client.model, served: false };
    try {
      const reply = await client.call(request, controller.signal);
      const latency = Math.round(performance.now() - started);
      if (reply.status === 429 || reply.answer.error?.kind === "rate_limit") this.limit.onRateLimited(reply.retryAfterMs, sentAt);
      else if (!reply.answer.error) this.limit.onSuccess();
      if (reply.answer.error) metrics.drop("error");
      const cost = this.options.cost;
      const spent = cost?.costOf(reply.answer.usage ?? null);
      if (cost && spent) {
        cost.window.record(spent);
        // Tell the main thread now, so it stops capturing before it offers the next copy.
        metrics.setCostCapped(!cost.window.allows());
      }
      return {
        ...base,
        ...reply.answer,
        latency_ms: latency,
        ...(reply.ttftMs !== undefined && !reply.answer.error ? { ttft_ms: Math.round(reply.ttftMs) } : {}),
        ...(reply.status !== undefined ? { status: reply.status } : {}),
      };
    } catch (error) {
      const latency = Math.round(performance.now() - started);
      if (timedOut || controller.signal.aborted) {
        metrics.drop("timeout");
        const message = timedOut ? `the candidate did not answer within ${timeoutMs} ms` : "the proxy shut down before the candidate answered";
        return { ...base, ...failedAnswer({ kind: "timeout", message }), latency_ms: latency };
      }
      metrics.drop("error");
      return { ...base, ...failedAnswer({ kind: "network", message: (error as Error).message }), latency_ms: latency };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Shutdown: waits up to `graceMs` for queued and in-flight copies, then aborts the rest (in flight:
   * a timeout on the arm; still queued: dropped as `timeout`) and closes the pool.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.pending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    while (this.queueHead < this.queue.length) {
      const job = this.next();
      this.options.metrics.drop("timeout");
      job.done({ sent: false, reason: "timeout" });
    }
    for (const controller of this.inFlight) controller.abort();
    // The aborted copies settle on the next turns; wait for them so their lines are written.
    while (this.inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.options.client.close().catch(() => undefined);
  }
}
