import { setMaxListeners } from "node:events";
import { ExitCode, UserError } from "../errors.js";
import { costOf } from "../pricing.js";
import { retryAfterCapMs } from "../providers/errors.js";
import type { Provider } from "../providers/types.js";
import type { ModelRequest, Pricing, RequestOutcome } from "../types.js";
import { AdaptiveLimit, type Release, Slots } from "./adaptive-limit.js";
import { backoffMs, sleep } from "./backoff.js";
import type { ResponseStore, StoredResponse } from "./response-store.js";

/** A request as the runner sees it: where to send it, its key, and a label for messages. */
export interface Call {
  /** resolves the variant's provider (created lazily, so replayed runs never build an SDK client) */
  provider: () => Promise<Provider>;
  /** the request's cache/cassette key (request-key.ts); asked for only when a store is in use */
  key: () => string;
  request: ModelRequest;
  endpoint: { provider: string; model: string };
  /** `case refund-001 (candidate)` */
  label: string;
  /** which progress bucket the request counts in */
  side: string;
  /** price of the endpoint's model, for the running cost (null: unknown) */
  price?: Pricing | null;
  /** the environment variable the endpoint's key comes from, for "set X" messages */
  keyVariable?: string;
}

export interface RunnerOptions {
  concurrency: number;
  timeoutMs: number;
  /**
   * Per-attempt timeout at an endpoint until it first answers (≤ timeoutMs): an endpoint that accepts
   * connections and never answers is found out in one wave of attempts rather than after every retry.
   */
  firstAnswerTimeoutMs?: number;
  maxRetries: number;
  /** aborted on Ctrl-C: no new attempts start, in-flight ones are cancelled */
  signal: AbortSignal;
  /** read then written, unless --no-cache */
  cache?: ResponseStore;
  /** --replay: the only source of responses; a miss is a usage error */
  replay?: ResponseStore;
  /** --record: every fresh response is appended */
  record?: ResponseStore;
  /** base of the exponential backoff (tests shorten it) */
  retryBaseMs?: number;
  /** --max-cost: the run stops (exit 3) when fresh responses have cost more than this, in USD */
  maxCostUsd?: number;
  onUpdate?: (event: RunnerEvent) => void;
}

export type RunnerEvent =
  | { type: "start"; side: string }
  | { type: "retry"; side: string; attempt: number; delayMs: number; kind: string }
  | { type: "done"; side: string; outcome: RequestOutcome };

/** Auth failures tolerated per endpoint before the run is declared unusable (exit 3). */
const authFailuresBeforeAbort = 3;
/** Attempts that failed to connect or timed out, at an endpoint that never answered, before the run stops. */
const unreachableFailuresBeforeAbort = 3;
/** How many recent requests are remembered for reuse by identical ones (a few MB of responses at most). */
const recentRequests = 4096;

function endpointKey(call: Pick<Call, "endpoint">): string {
  return `${call.endpoint.provider}:${call.endpoint.model}`;
}

/**
 * Sends requests with at most `concurrency` in flight (across every variant and the judge), a
 * per-attempt timeout, and retries with backoff that honours Retry-After. A request that still fails
 * becomes an error outcome; it never throws — except for conditions that make the whole run
 * meaningless (cassette miss, repeated auth failure), which abort the run.
 */
export class Runner {
  /** the --concurrency ceiling across every endpoint and the judge */
  private readonly slots: Slots;
  private readonly authFailures = new Map<string, number>();
  private readonly unreachableFailures = new Map<string, number>();
  /** when each endpoint was first sent a request */
  private readonly firstSentAt = new Map<string, number>();
  /** endpoints that have answered at least once */
  private readonly reachable = new Set<string>();
  private fatal: UserError | undefined;
  /** stores whose last write failed: not written again this run */
  private readonly failedStores = new Set<"cache" | "record">();
  private readonly fatalController = new AbortController();
  readonly signal: AbortSignal;
  inFlight = 0;
  maxInFlight = 0;
  requests = 0;
  reused = 0;
  /** cache entries of an earlier modelgate with no latency, requested again */
  cacheEntriesWithoutLatency = 0;
  /** USD spent on fresh responses (cache hits and replays cost nothing) */
  spentUsd = 0;
  private readonly costBySide = new Map<string, { usd: number; unpriced: number }>();
  private readonly endpointLimits = new Map<string, AdaptiveLimit>();
  /** recent requests' outcomes (in flight or finished) by request key, so identical ones share one call */
  private readonly recentByKey = new Map<string, Promise<RequestOutcome>>();

  /** the controllers of the attempts in flight, aborted together when the run stops */
  private readonly liveAttempts = new Set<AbortController>();

  constructor(private readonly options: RunnerOptions) {
    this.slots = new Slots(options.concurrency);
    this.signal = AbortSignal.any([options.signal, this.fatalController.signal]);
    // One listener for every attempt, rather than one added and removed per attempt: cheaper, and the
    // SDKs never see the long-lived run signal (they leave a listener on whatever signal they get).
    this.signal.addEventListener("abort", () => {
      for (const controller of this.liveAttempts) controller.abort(this.signal.reason);
      // Requests held back by an endpoint's Retry-After pause must not outlive the run.
      for (const limit of this.endpointLimits.values()) limit.openForShutdown();
    });
    // Backoff sleeps listen on the run signal too (up to `concurrency` at once): not a leak, so no warning.
    setMaxListeners(0, this.signal);
  }

  /** Counts a response taken from an earlier report (--baseline-report) as a reused request. */
  reuse(call: Pick<Call, "side" | "price">, outcome: RequestOutcome): RequestOutcome {
    this.requests++;
    this.reused++;
    return this.report(call, outcome);
  }

  /** Reports a traffic file's recorded answer (`eval --traffic … recorded`): data for the run, not a request it made. */
  recordedAnswer(call: Pick<Call, "side" | "price">, outcome: RequestOutcome): RequestOutcome {
    return this.report(call, outcome);
  }

  /**
   * The stored response for `key`: the cassette's under --replay, else the cache's. A cache entry written
   * before entries kept their latency is a miss (requested again), so every latency in the run is measured.
   */
  private lookUp(key: string): StoredResponse | undefined {
    if (this.options.replay) return this.options.replay.get(key);
    let stored: StoredResponse | undefined;
    try {
      stored = this.failedStores.has("cache") ? undefined : this.options.cache?.get(key);
    } catch (error) {
      this.failedStores.add("cache");
      this.stopRun(
        new UserError(
          `the response cache could not be read (${describeFsError(error)}): stopped before paying for requests it may hold — fix or clear the cache folder (or run with --no-cache)`,
          ExitCode.runFailed,
        ),
      );
      return undefined;
    }
    if (stored && !Number.isFinite(stored.latency_ms)) {
      this.cacheEntriesWithoutLatency++;
      return undefined;
    }
    return stored;
  }

  /**
   * Writes a fresh response to the cache and the cassette. A store that cannot be written (a full disk)
   * must not lose paid work: the run stops sending new requests, and what finished is reported (exit 3).
   */
  private store(entry: StoredResponse, stores: Array<"cache" | "record"> = ["cache", "record"]): void {
    for (const which of stores) {
      const target = this.options[which];
      if (!target || this.failedStores.has(which)) continue;
      try {
        target.put(entry);
      } catch (error) {
        this.failedStores.add(which);
        const what = which === "cache" ? "the response cache" : "the --record cassette";
        this.stopRun(
          new UserError(
            `${what} could not be written (${describeFsError(error)}): stopped sending new requests; the report has every case that finished — free space or fix the folder, then re-run`,
            ExitCode.runFailed,
          ),
        );
      }
    }
  }

  /** The error that stopped the run, if one did. */
  get fatalError(): UserError | undefined {
    return this.fatal;
  }

  /**
   * One request's outcome. Identical requests (same request key: byte-identical outputs sent to the
   * judge, duplicate cases) share one call, so a noisy endpoint cannot answer the same question two ways
   * within a run.
   */
  async send(call: Call): Promise<RequestOutcome> {
    this.requests++;
    const key = call.key();
    const earlier = this.recentByKey.get(key);
    if (earlier) {
      const outcome = await earlier;
      this.reused++;
      // Reused as a cache hit would be: the same response and latency, no attempt of its own.
      return this.report(call, outcome.status === "ok" ? { ...outcome, attempts: 0, cached: true } : outcome);
    }
    const sent = this.sendFirst(call, key);
    this.remember(key, sent);
    return sent;
  }

  /**
   * Keeps the last `recentRequests` requests' outcomes by key, in flight or finished: the baseline's and
   * the candidate's judge requests for byte-identical outputs arrive moments apart, not always together.
   * A failure is remembered too (it already had every retry), so the outcome never depends on timing.
   */
  private remember(key: string, sent: Promise<RequestOutcome>): void {
    this.recentByKey.set(key, sent);
    if (this.recentByKey.size > recentRequests) this.recentByKey.delete(this.recentByKey.keys().next().value as string);
  }

  private async sendFirst(call: Call, key: string): Promise<RequestOutcome> {
    const { cache, record } = this.options;
    const stored = this.lookUp(key);
    if (stored) {
      this.reused++;
      if (this.options.record) this.store(stored, ["record"]);
      // SPEC §5: a stored response counts with the latency measured when it first arrived, so an
      // identical re-run gives the same verdict; `cached` lets --no-cached-latency leave it out.
      return this.report(call, { status: "ok", response: stored.response, latency_ms: stored.latency_ms, attempts: 0, cached: true });
    }
    if (this.options.replay) {
      return this.abortRun(
        call,
        new UserError(
          `cassette miss: no recorded response for ${call.label}; the request differs from every recorded one (model, prompt, params, input or endpoint changed?): re-record with --record`,
        ),
        "cassette_miss",
      );
    }
    let attempts = 0;
    let lastDelay = 0;
    for (;;) {
      if (this.signal.aborted) return this.report(call, aborted(attempts, this.fatal ? "run stopped" : "interrupted"));
      attempts++;
      const endpointLimit = this.limitFor(call);
      // The endpoint's window first, then the run's ceiling (a request held back by a throttled endpoint
      // takes no slot from the others). Both are taken without awaiting when free.
      const endpointSlot = endpointLimit.acquire();
      const release = typeof endpointSlot === "function" ? endpointSlot : await endpointSlot;
      const sentAt = Date.now();
      let attempt: Awaited<ReturnType<Runner["attempt"]>>;
      let releaseSlot: Release | undefined;
      try {
        const slot = this.slots.acquire();
        releaseSlot = typeof slot === "function" ? slot : await slot;
        attempt = await this.attempt(call);
      } finally {
        releaseSlot?.();
        release();
      }
      if (attempt.status === "ok") {
        endpointLimit.onSuccess();
        this.reachable.add(endpointKey(call));
      } else if (attempt.error.kind === "rate_limit" || attempt.error.kind === "overloaded")
        endpointLimit.onRateLimited(attempt.error.retryAfterMs, sentAt);
      if (attempt.status === "ok") {
        if (cache || record) {
          const entry: StoredResponse = {
            v: 1,
            key,
            provider: call.endpoint.provider,
            model: call.endpoint.model,
            response: attempt.response,
            latency_ms: attempt.latency_ms,
            recorded_at: new Date().toISOString(),
          };
          this.store(entry);
        }
        this.spentUsd += costOf(attempt.response.usage, call.price ?? null) ?? 0;
        if (this.options.maxCostUsd !== undefined && this.spentUsd > this.options.maxCostUsd) {
          this.abortRun(
            call,
            new UserError(
              `cost guard: this run has spent $${this.spentUsd.toFixed(4)}, over --max-cost $${this.options.maxCostUsd}; stopped`,
              ExitCode.runFailed,
            ),
            "cost_guard",
          );
        }
        return this.report(call, { ...attempt, attempts });
      }
      const { error } = attempt;
      if (error.kind === "auth") {
        const endpoint = `${call.endpoint.provider}:${call.endpoint.model}`;
        const count = (this.authFailures.get(endpoint) ?? 0) + 1;
        this.authFailures.set(endpoint, count);
        if (count >= authFailuresBeforeAbort) {
          return this.abortRun(
            call,
            new UserError(
              `authentication failed for ${endpoint} (${error.message}): ${call.keyVariable ? `set ${call.keyVariable} to a valid key` : "check the endpoint's credentials"}`,
              ExitCode.runFailed,
            ),
            "auth",
          );
        }
      }
      if (error.retryAfterBeyondCap) {
        this.stopRun(
          new UserError(
            `${endpointKey(call)} asked to wait ${Math.round((error.retryAfterMs ?? 0) / 1000)} s before retrying (${error.message}), longer than modelgate waits (${retryAfterCapMs / 1000} s): stopped; re-run once its quota resets`,
            ExitCode.runFailed,
          ),
        );
      }
      if (error.kind === "timeout" && !this.signal.aborted) this.noteTimeout(call, error.message);
      if (!error.retryable || attempts > this.options.maxRetries || this.signal.aborted) {
        const { retryable: _retryable, retryAfterMs: _after, retryAfterBeyondCap: _beyond, ...plain } = error;
        const outcome = this.report(call, { status: "error", error: plain, latency_ms: attempt.latency_ms, attempts, cached: false });
        if (error.kind === "network" && !this.signal.aborted)
          this.noteUnreachable(call, `${this.unreachableCount(call) + 1} requests failed to connect after every retry`, error.message);
        return outcome;
      }
      lastDelay = backoffMs(attempts, error.retryAfterMs, this.options.retryBaseMs);
      this.options.onUpdate?.({ type: "retry", side: call.side, attempt: attempts, delayMs: lastDelay, kind: error.kind });
      await sleep(lastDelay, this.signal);
    }
  }

  /**
   * An endpoint that has never answered and whose requests keep failing to connect after every retry is
   * unreachable: stop the run (exit 3) rather than retry hundreds of requests into the void.
   */
  private noteUnreachable(call: Call, what: string, message: string): void {
    const key = endpointKey(call);
    if (this.reachable.has(key)) return;
    const count = this.unreachableCount(call) + 1;
    this.unreachableFailures.set(key, count);
    if (count >= unreachableFailuresBeforeAbort) {
      const slow =
        this.firstAnswerTimeoutMs < this.options.timeoutMs
          ? `, or set --timeout if the model is slow to answer (until an endpoint first answers, attempts wait at most ${this.firstAnswerTimeoutMs / 1000} s unless --timeout is given)`
          : "";
      this.stopRun(
        new UserError(
          `${key} is unreachable: it has not answered once, and ${what} (${message}); check base_url and the network${slow}`,
          ExitCode.runFailed,
        ),
      );
    }
  }

  private unreachableCount(call: Call): number {
    return this.unreachableFailures.get(endpointKey(call)) ?? 0;
  }

  /**
   * Attempts that time out at an endpoint that has never answered: once it has been silent for two
   * timeouts since its first request (so a slow first wave whose retries get through is not it), each
   * further timeout counts toward unreachable — a hanging endpoint ends the run in about two timeouts.
   */
  private noteTimeout(call: Call, message: string): void {
    const key = endpointKey(call);
    if (this.reachable.has(key)) return;
    const since = this.firstSentAt.get(key) ?? Date.now();
    if (Date.now() - since < 2 * this.firstAnswerTimeoutMs * 0.95) return;
    this.noteUnreachable(
      call,
      `${this.unreachableCount(call) + 1} attempts timed out after ${Math.round((Date.now() - since) / 1000)} s of silence`,
      message,
    );
  }

  private get firstAnswerTimeoutMs(): number {
    return Math.min(this.options.firstAnswerTimeoutMs ?? this.options.timeoutMs, this.options.timeoutMs);
  }

  /** The adaptive in-flight limit of the call's endpoint (provider + model). */
  private limitFor(call: Call): AdaptiveLimit {
    const key = `${call.endpoint.provider}:${call.endpoint.model}`;
    let limit = this.endpointLimits.get(key);
    if (!limit) {
      limit = new AdaptiveLimit(this.options.concurrency);
      this.endpointLimits.set(key, limit);
    }
    return limit;
  }

  private async attempt(call: Call) {
    if (this.signal.aborted)
      return { status: "error" as const, error: { kind: "aborted" as const, message: "interrupted", retryable: false }, latency_ms: 0 };
    const provider = await call.provider();
    // One controller per attempt, its timer cleared and the controller dropped when the attempt ends:
    // AbortSignal.timeout + AbortSignal.any kept every request's objects alive for the whole timeout
    // (577 → 498 MB at 10,000 cases).
    const controller = new AbortController();
    let timerFired = false;
    const endpoint = endpointKey(call);
    if (!this.firstSentAt.has(endpoint)) this.firstSentAt.set(endpoint, Date.now());
    const timeoutMs = this.reachable.has(endpoint) ? this.options.timeoutMs : this.firstAnswerTimeoutMs;
    const timer = setTimeout(() => {
      timerFired = true;
      controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    }, timeoutMs);
    // The run may have stopped while the provider was being created.
    if (this.signal.aborted) controller.abort(this.signal.reason);
    else this.liveAttempts.add(controller);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.options.onUpdate?.({ type: "start", side: call.side });
    const started = performance.now();
    try {
      const response = await provider.complete(call.request, controller.signal);
      return { status: "ok" as const, response, latency_ms: Math.round(performance.now() - started), cached: false };
    } catch (thrown) {
      const timedOut = timerFired && !this.signal.aborted;
      const error = provider.classify(thrown, timedOut);
      if (timedOut) Object.assign(error, { kind: "timeout", message: `no response within ${timeoutMs} ms`, retryable: true });
      return { status: "error" as const, error, latency_ms: Math.round(performance.now() - started) };
    } finally {
      clearTimeout(timer);
      this.liveAttempts.delete(controller);
      this.inFlight--;
    }
  }

  private report(call: Pick<Call, "side" | "price">, outcome: RequestOutcome): RequestOutcome {
    if (outcome.status === "ok") {
      const cost = costOf(outcome.response.usage, call.price ?? null);
      const tally = this.costBySide.get(call.side) ?? { usd: 0, unpriced: 0 };
      if (cost === null) tally.unpriced++;
      else tally.usd += cost;
      this.costBySide.set(call.side, tally);
    }
    this.options.onUpdate?.({ type: "done", side: call.side, outcome });
    return outcome;
  }

  /** What the responses used by this run cost, by side (null when a side had an unpriced response). */
  costs(): { baseline: number | null; candidate: number | null; judge: number | null; total: number | null } {
    const of = (side: string) => {
      const tally = this.costBySide.get(side);
      return tally === undefined ? 0 : tally.unpriced > 0 ? null : tally.usd;
    };
    const [baseline, candidate, judge] = [of("baseline"), of("candidate"), of("judge")];
    const total = baseline === null || candidate === null || judge === null ? null : baseline + candidate + judge;
    return { baseline, candidate, judge, total };
  }

  /** Stops the run: no new attempts; in-flight ones are cancelled; the first such error is the run's. */
  private stopRun(error: UserError): void {
    this.fatal ??= error;
    this.fatalController.abort(error);
  }

  private abortRun(call: Call, error: UserError, kind: "cassette_miss" | "auth" | "cost_guard"): RequestOutcome {
    this.stopRun(error);
    const code = kind === "cost_guard" ? "aborted" : kind;
    return this.report(call, { status: "error", error: { kind: code, message: error.message }, latency_ms: 0, attempts: 0, cached: false });
  }
}

function describeFsError(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

function aborted(attempts: number, message: string): RequestOutcome {
  return { status: "error", error: { kind: "aborted", message }, latency_ms: 0, attempts, cached: false };
}
