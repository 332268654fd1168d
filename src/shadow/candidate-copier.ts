/**
 * Sends shadow copies to the candidate, never in the served path's way: its own undici pool (at most
 * `maxInFlight` connections), an adaptive in-flight limit (AIMD on 429, src/run/adaptive-limit.ts), a
 * per-copy timeout and a bounded queue. `offer` never waits: a copy the queue cannot take is dropped and
 * counted. The queue holds serialised bodies only, so a hanging candidate costs at most
 * `queue + maxInFlight` request bodies of memory.
 */
import { Pool } from "undici";
import { requestedRetryAfterMs } from "../providers/errors.js";
import { AdaptiveLimit, type Release } from "../run/adaptive-limit.js";
import type { TrafficArm } from "../traffic/types.js";
import type { CostWindow } from "./cost-window.js";
import type { DropReason, ShadowMetrics } from "./metrics.js";
import { failedAnswer, readCompletion } from "./read-completion.js";

export interface CandidateEndpoint {
  /** `http://host:port` */
  origin: string;
  /** `/v1/chat/completions` */
  path: string;
  /** the candidate's own key and variant headers; never the client's */
  headers: Record<string, string>;
  model: string;
}

export interface CopierOptions {
  endpoint: CandidateEndpoint;
  maxInFlight: number;
  queue: number;
  timeoutMs: number;
  maxResponseBytes: number;
  metrics: ShadowMetrics;
  /** `--max-cost-per-hour`, with the price that turns usage into USD */
  cost?: { window: CostWindow; costOf: (usage: TrafficArm["usage"]) => number | null };
}

/** A copy's end: the candidate's arm, or the reason it was never sent. */
export type CopyResult = { sent: true; arm: TrafficArm } | { sent: false; reason: DropReason };

interface CopyJob {
  body: string;
  done: (result: CopyResult) => void;
}

export class CandidateCopier {
  private readonly pool: Pool;
  private readonly limit: AdaptiveLimit;
  private readonly queue: CopyJob[] = [];
  private queueHead = 0;
  private waitingForSlot = false;
  private readonly inFlight = new Set<AbortController>();
  private idle: (() => void) | undefined;

  constructor(private readonly options: CopierOptions) {
    this.pool = new Pool(options.endpoint.origin, { connections: options.maxInFlight, keepAliveTimeout: 30_000 });
    this.limit = new AdaptiveLimit(options.maxInFlight);
  }

  /** Queues a copy; false (and `done` called with the reason) when it is dropped at once. Never waits. */
  /** Why a copy offered now would be dropped (counted), or undefined: asked before the copy's body is built, so a full queue costs nothing. */
  refusal(): DropReason | undefined {
    const { metrics, cost } = this.options;
    const reason: DropReason | undefined =
      cost && !cost.window.allows() ? "cost_cap" : this.queue.length - this.queueHead >= this.options.queue ? "queue_full" : undefined;
    if (reason) metrics.drop(reason);
    return reason;
  }

  offer(body: string, done: (result: CopyResult) => void): boolean {
    const reason = this.refusal();
    if (reason) {
      done({ sent: false, reason });
      return false;
    }
    this.queue.push({ body, done });
    this.options.metrics.copiesQueued++;
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
    this.options.metrics.copiesQueued--;
    return job;
  }

  private start(job: CopyJob, release: Release): void {
    const controller = new AbortController();
    this.inFlight.add(controller);
    this.options.metrics.copiesInFlight++;
    this.options.metrics.requests.candidate++;
    void this.send(job.body, controller).then((arm) => {
      this.inFlight.delete(controller);
      this.options.metrics.copiesInFlight--;
      release();
      job.done({ sent: true, arm });
      if (this.pending === 0) this.idle?.();
      this.pump();
    });
  }

  private async send(body: string, controller: AbortController): Promise<TrafficArm> {
    const { endpoint, metrics, timeoutMs, maxResponseBytes } = this.options;
    const sentAt = Date.now();
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const base = { model: endpoint.model, served: false };
    try {
      const response = await this.pool.request({
        path: endpoint.path,
        method: "POST",
        headers: { ...endpoint.headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
        body,
        signal: controller.signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let ttft: number | undefined;
      let truncated = false;
      for await (const chunk of response.body) {
        ttft ??= performance.now() - started;
        size += (chunk as Buffer).length;
        if (size > maxResponseBytes) {
          truncated = true;
          response.body.destroy();
          break;
        }
        chunks.push(chunk as Buffer);
      }
      const latency = Math.round(performance.now() - started);
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const answer = readCompletion({
        status: response.statusCode,
        contentType: header("content-type"),
        contentEncoding: header("content-encoding"),
        body: Buffer.concat(chunks),
        truncated,
      });
      if (response.statusCode === 429) this.limit.onRateLimited(requestedRetryAfterMs(response.headers), sentAt);
      else if (response.statusCode < 400) this.limit.onSuccess();
      if (answer.error) metrics.drop("error");
      const cost = this.options.cost;
      const spent = cost?.costOf(answer.usage ?? null);
      if (cost && spent) cost.window.record(spent);
      const streamed = header("content-type")?.includes("text/event-stream") === true;
      return {
        ...base,
        ...answer,
        latency_ms: latency,
        ...(streamed && ttft !== undefined && !answer.error ? { ttft_ms: Math.round(ttft) } : {}),
        status: response.statusCode,
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
    await this.pool.close().catch(() => undefined);
  }
}
