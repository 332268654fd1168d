/**
 * The runner's per-attempt signal: its timeout is `timeout`, the run's abort (Ctrl-C) is `aborted`, and
 * nothing of an attempt (timer, listener on the run's signal) outlives it: the run's signal keeps only
 * the runner's own listener, which aborts whatever attempts are in flight. An in-process provider
 * stands in for the SDK, so only the runner is under test.
 */
import { getEventListeners } from "node:events";
import * as openaiSdk from "openai";
import { APIUserAbortError } from "openai";
import { afterEach, describe, expect, test, vi } from "vitest";
import { sdkErrorClassifier } from "../../src/providers/errors.js";
import type { Provider } from "../../src/providers/types.js";
import { type Call, Runner } from "../../src/run/runner.js";
import type { ModelResponse } from "../../src/types.js";

const reply: ModelResponse = { text: "ok", tool_calls: [], usage: null };

/** A provider whose `complete` waits `delayMs` or for its signal, then rejects as the SDKs do. */
function provider(delayMs = Number.POSITIVE_INFINITY, seen: AbortSignal[] = []): Provider {
  return {
    complete: (_request, signal) =>
      new Promise((resolve, reject) => {
        seen.push(signal);
        if (signal.aborted) return reject(new APIUserAbortError());
        const timer = Number.isFinite(delayMs) ? setTimeout(() => resolve(reply), delayMs) : undefined;
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new APIUserAbortError());
        });
      }),
    classify: sdkErrorClassifier(openaiSdk),
  };
}

function call(p: Provider | (() => Promise<Provider>), key = "k"): Call {
  return {
    provider: typeof p === "function" ? p : async () => p,
    key: () => key,
    request: { messages: [{ role: "user", content: "hi" }], params: {}, draw: 0 },
    endpoint: { provider: "openai", model: "m" },
    label: `case ${key}`,
    side: "baseline",
  };
}

function runner(signal: AbortSignal, timeoutMs = 60_000, concurrency = 4): Runner {
  return new Runner({ concurrency, timeoutMs, maxRetries: 0, signal, retryBaseMs: 1 });
}

/** The runner's own listener on its signal, there from the start. */
const runnerListeners = getEventListeners(runner(new AbortController().signal).signal, "abort").length;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Runner attempt signal", () => {
  test("a request past the timeout is `timeout`, its signal aborted with a TimeoutError", async () => {
    const seen: AbortSignal[] = [];
    const run = runner(new AbortController().signal, 50);
    const outcome = await run.send(call(provider(Number.POSITIVE_INFINITY, seen)));
    expect(outcome).toMatchObject({ status: "error", error: { kind: "timeout", message: "no response within 50 ms" } });
    expect(seen[0]?.reason).toMatchObject({ name: "TimeoutError" });
    expect(getEventListeners(run.signal, "abort")).toHaveLength(runnerListeners);
  });

  test("the run's abort (Ctrl-C) is `aborted`, not `timeout`, and reaches the request at once", async () => {
    const controller = new AbortController();
    const run = runner(controller.signal, 60_000);
    const pending = run.send(call(provider()));
    await vi.waitFor(() => expect(run.inFlight).toBe(1));
    const started = performance.now();
    controller.abort();
    expect(await pending).toMatchObject({ status: "error", error: { kind: "aborted" } });
    expect(performance.now() - started).toBeLessThan(100);
  });

  test("a run aborted while the provider was being built still cancels the request", async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const run = runner(controller.signal);
    const outcome = await run.send(
      call(async () => {
        controller.abort();
        return provider(0, seen);
      }),
    );
    expect(seen[0]?.aborted).toBe(true);
    expect(outcome).toMatchObject({ status: "error", error: { kind: "aborted" } });
  });

  test("finished attempts leave no timer and no listener behind", async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const clearTimeoutSpy = vi.spyOn(globalThis, "clearTimeout");
    const run = runner(new AbortController().signal, 60_000, 8);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => run.send(call(provider(1), `k${i}`))));
    expect(outcomes.every((outcome) => outcome.status === "ok")).toBe(true);
    expect(getEventListeners(run.signal, "abort")).toHaveLength(runnerListeners);
    const attemptTimers = setTimeoutSpy.mock.results.filter((_, i) => setTimeoutSpy.mock.calls[i]?.[1] === 60_000).map((r) => r.value);
    expect(attemptTimers).toHaveLength(20);
    for (const timer of attemptTimers) expect(clearTimeoutSpy).toHaveBeenCalledWith(timer);
  });

  test("many attempts in flight at once raise no MaxListenersExceededWarning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const run = runner(new AbortController().signal, 60_000, 64);
      // Enough requests for slow start (8 in flight at first) to open up to all 64.
      await Promise.all(Array.from({ length: 200 }, (_, i) => run.send(call(provider(20), `k${i}`))));
      expect(run.maxInFlight).toBe(64);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("a response store that fails to write", () => {
  test("the paid response is kept, the run stops sending new requests, and the failure is the run's error (exit 3)", async () => {
    const failing = {
      get: () => undefined,
      put: () => {
        throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      },
    };
    const run = new Runner({ concurrency: 1, timeoutMs: 1000, maxRetries: 0, signal: new AbortController().signal, cache: failing });
    const first = await run.send(call(provider(1), "first"));
    expect(first.status).toBe("ok");
    expect(run.fatalError?.exitCode).toBe(3);
    expect(run.fatalError?.message).toMatch(/the response cache could not be written \(ENOSPC\): stopped sending new requests/);
    const second = await run.send(call(provider(1), "second"));
    expect(second).toMatchObject({ status: "error", error: { kind: "aborted" } });
  });
});
