import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, onTestFinished, test, vi } from "vitest";
import { type FakeServer, type FakeServerOptions, failFirstAttempts, faultsOnce, startFakeLlmServer } from "./fake-llm-server.js";

// Every test talks to the server through the official SDKs, with retries off so each call is one request.

async function start(options?: FakeServerOptions): Promise<FakeServer> {
  const server = await startFakeLlmServer(options);
  onTestFinished(() => server.close());
  return server;
}

function openai(server: FakeServer, opts: { apiKey?: string; timeout?: number } = {}): OpenAI {
  return new OpenAI({
    apiKey: opts.apiKey ?? "test",
    baseURL: server.openaiBaseUrl,
    maxRetries: 0,
    timeout: opts.timeout,
  });
}

function anthropic(server: FakeServer, opts: { apiKey?: string; timeout?: number } = {}): Anthropic {
  return new Anthropic({
    apiKey: opts.apiKey ?? "test",
    baseURL: server.anthropicBaseUrl,
    maxRetries: 0,
    timeout: opts.timeout,
  });
}

/** One call per API, same question, so a test can run against both with `test.each`. */
const callers = {
  openai: (server: FakeServer, user = "hi", opts?: { apiKey?: string; timeout?: number }) =>
    openai(server, opts).chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: user }] }),
  anthropic: (server: FakeServer, user = "hi", opts?: { apiKey?: string; timeout?: number }) =>
    anthropic(server, opts).messages.create({
      model: "claude-test",
      max_tokens: 64,
      messages: [{ role: "user", content: user }],
    }),
};
const apis = ["openai", "anthropic"] as const;

// The SDKs export their error classes as static values; these are their instance types.
type OpenAiApiError = InstanceType<typeof OpenAI.APIError>;
type AnthropicApiError = InstanceType<typeof Anthropic.APIError>;

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

const weather = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
};

describe("text replies", () => {
  test("openai: default echo, usage estimate, normalised request", async () => {
    const server = await start();
    const res = await openai(server).chat.completions.create({
      model: "gpt-test",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello there" },
      ],
    });
    expect(res.choices[0]?.message.content).toBe("ok: hello there");
    expect(res.choices[0]?.finish_reason).toBe("stop");
    expect(res.model).toBe("gpt-test");
    // ceil(("be brief" + "hello there").length / 4), ceil("ok: hello there".length / 4)
    expect(res.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    const req = server.stats.log[0];
    expect(req).toMatchObject({
      api: "openai",
      path: "/v1/chat/completions",
      model: "gpt-test",
      system: "be brief",
      messages: [{ role: "user", content: "hello there" }],
      lastUser: "hello there",
      index: 0,
    });
    expect(req?.headers.authorization).toBe("Bearer test");
  });

  test("anthropic: custom responder, block content and system normalised", async () => {
    const server = await start({
      respond: (req) => ({ text: `${req.system} / ${req.lastUser}`, usage: { input_tokens: 11, output_tokens: 7 } }),
    });
    const res = await anthropic(server).messages.create({
      model: "claude-test",
      max_tokens: 64,
      system: [{ type: "text", text: "sys" }],
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: "reply" },
        { role: "user", content: [{ type: "text", text: "second" }] },
      ],
    });
    expect(res.content).toEqual([{ type: "text", text: "sys / second" }]);
    expect(res.stop_reason).toBe("end_turn");
    expect(res.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    expect(server.stats.log[0]?.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    // @anthropic-ai/sdk v1 sends apiKey as a Bearer token, not x-api-key
    expect(server.stats.log[0]?.headers.authorization).toBe("Bearer test");
    expect(server.stats.byApi).toEqual({ openai: 0, anthropic: 1, responses: 0 });
  });
});

describe("tool calls", () => {
  test("openai: arguments arrive as a JSON string (raw strings untouched), ids deterministic", async () => {
    const server = await start({
      respond: (req) => ({
        tool_calls: [
          { name: req.tools?.[0]?.name ?? "?", arguments: { city: "Paris" } },
          { name: "broken", arguments: '{"city": "Par' },
        ],
      }),
    });
    const call = () =>
      openai(server).chat.completions.create({
        model: "gpt-test",
        messages: [{ role: "user", content: "weather?" }],
        tools: [{ type: "function", function: { name: "get_weather", description: "d", parameters: weather } }],
      });
    const res = await call();
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const calls = choice?.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === "function" ? c.function : null))).toEqual([
      { name: "get_weather", arguments: '{"city":"Paris"}' },
      { name: "broken", arguments: '{"city": "Par' },
    ]);
    expect(server.stats.log[0]?.tools).toEqual([{ name: "get_weather", description: "d", parameters: weather }]);
    const again = await call();
    expect(again.choices[0]?.message.tool_calls?.map((c) => c.id)).toEqual(calls.map((c) => c.id));
    expect(calls[0]?.id).toMatch(/^call_/);
  });

  test("anthropic: tool_use input is an object; tool_result turns normalise to role tool", async () => {
    const server = await start({
      respond: () => ({ text: "checking", tool_calls: [{ name: "get_weather", arguments: '{"city":"Oslo"}' }] }),
    });
    const res = await anthropic(server).messages.create({
      model: "claude-test",
      max_tokens: 64,
      tools: [{ name: "get_weather", input_schema: weather as Anthropic.Tool.InputSchema }],
      messages: [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
      ],
    });
    expect(res.stop_reason).toBe("tool_use");
    expect(res.content[0]).toEqual({ type: "text", text: "checking" });
    expect(res.content[1]).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Oslo" } });
    expect((res.content[1] as Anthropic.ToolUseBlock).id).toMatch(/^toolu_/);
    const req = server.stats.log[0];
    expect(req?.tools).toEqual([{ name: "get_weather", parameters: weather }]);
    expect(req?.messages).toEqual([
      { role: "user", content: "weather?" },
      { role: "assistant", content: '[tool_use get_weather {"city":"Oslo"}]' },
      { role: "tool", content: "sunny" },
    ]);
    expect(req?.lastUser).toBe("weather?");
  });
});

describe("faults", () => {
  test("openai: 429 exposes status and Retry-After on err.headers (a fetch Headers)", async () => {
    const server = await start({ fault: faultsOnce({ 0: { kind: "status", status: 429, retryAfter: "7" } }) });
    const err = await caught(callers.openai(server));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as OpenAiApiError;
    expect(apiErr.status).toBe(429);
    expect(apiErr.headers).toBeInstanceOf(Headers);
    expect(apiErr.headers?.get("retry-after")).toBe("7");
    expect(apiErr.error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    // only index 0 was scheduled
    expect((await callers.openai(server)).choices[0]?.message.content).toBe("ok: hi");
  });

  test("anthropic: 429 with an HTTP-date Retry-After, then 529 overloaded", async () => {
    const date = "Wed, 21 Oct 2099 07:28:00 GMT";
    const server = await start({
      fault: faultsOnce({ 0: { kind: "status", status: 429, retryAfter: date }, 1: { kind: "status", status: 529 } }),
    });
    const limited = await caught(callers.anthropic(server));
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as AnthropicApiError).headers?.get("retry-after")).toBe(date);

    const overloaded = await caught(callers.anthropic(server));
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded).toMatchObject({ status: 529, type: "overloaded_error" });
    expect((overloaded as AnthropicApiError).error).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "injected 529" },
    });
  });

  test("status fault with a custom body is sent verbatim", async () => {
    const server = await start({
      fault: () => ({ kind: "status", status: 503, body: '{"error":{"message":"custom"}}' }),
    });
    const err = await caught(callers.openai(server));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err).toMatchObject({ status: 503, message: "503 custom" });
  });

  test.each(apis)("%s: malformed 200 body makes the SDK throw a plain SyntaxError", async (api) => {
    const server = await start({ fault: () => ({ kind: "malformed" }) });
    const err = await caught(callers[api](server));
    expect(err).toBeInstanceOf(SyntaxError);
  });

  test.each(apis)("%s: reset mid-body surfaces as TypeError 'terminated', not an SDK error", async (api) => {
    const server = await start({ fault: () => ({ kind: "reset" }) });
    const err = await caught(callers[api](server));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe("terminated");
  });

  test("empty-choices: openai choices [] and anthropic content []", async () => {
    const server = await start({ fault: () => ({ kind: "empty-choices" }) });
    expect((await callers.openai(server)).choices).toEqual([]);
    expect((await callers.anthropic(server)).content).toEqual([]);
  });

  test.each(apis)("%s: hang + client timeout → APIConnectionTimeoutError; close() ends a hang fast", async (api) => {
    const server = await start({ fault: () => ({ kind: "hang" }) });
    const err = await caught(callers[api](server, "hi", { timeout: 100 }));
    expect(err).toBeInstanceOf(api === "openai" ? OpenAI.APIConnectionTimeoutError : Anthropic.APIConnectionTimeoutError);
    await vi.waitFor(() => expect(server.stats.inFlight).toBe(0), { timeout: 1000, interval: 10 });

    // A hang with no client timeout must not keep close() (or the test run) waiting.
    const pending = caught(callers[api](server, "hi"));
    await vi.waitFor(() => expect(server.stats.inFlight).toBe(1), { timeout: 1000, interval: 5 });
    const t0 = performance.now();
    await server.close();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(api === "openai" ? OpenAI.APIConnectionError : Anthropic.APIConnectionError);
  });
});

describe("concurrency", () => {
  test("counts in-flight requests precisely", async () => {
    const server = await start({ latencyMs: 80 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => callers.openai(server, `q${i}`)));
    expect(server.stats).toMatchObject({ requests: 5, maxInFlight: 5, inFlight: 0, throttled: 0 });
    expect(server.stats.log.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  test("maxInFlight throttles with 429 + Retry-After: 0", async () => {
    const server = await start({ latencyMs: 80, maxInFlight: 2 });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => callers.anthropic(server, `q${i}`)));
    const rejected = results.flatMap((r) => (r.status === "rejected" ? [r.reason as AnthropicApiError] : []));
    expect(results.length - rejected.length).toBe(2);
    expect(rejected).toHaveLength(3);
    for (const err of rejected) {
      expect(err).toBeInstanceOf(Anthropic.RateLimitError);
      expect(err.headers?.get("retry-after")).toBe("0");
    }
    expect(server.stats).toMatchObject({ requests: 5, inFlight: 0, throttled: 3 });
    // Throttled requests finish at once, so the peak depends on how arrivals interleave.
    expect(server.stats.maxInFlight).toBeGreaterThanOrEqual(3);
  });

  test("latency may depend on the request", async () => {
    const server = await start({ latencyMs: (req) => (req.lastUser === "slow" ? 60 : 0) });
    const t0 = performance.now();
    await callers.openai(server, "fast");
    const fast = performance.now() - t0;
    await callers.openai(server, "slow");
    expect(performance.now() - t0 - fast).toBeGreaterThanOrEqual(55);
  });
});

describe("auth", () => {
  test.each(apis)("%s: requireKey answers 401 to the wrong key and serves the right one", async (api) => {
    const server = await start({ requireKey: "sk-right" });
    const err = await caught(callers[api](server, "hi", { apiKey: "sk-wrong" }));
    expect(err).toBeInstanceOf(api === "openai" ? OpenAI.AuthenticationError : Anthropic.AuthenticationError);
    expect(err).toMatchObject({ status: 401 });
    await expect(callers[api](server, "hi", { apiKey: "sk-right" })).resolves.toBeDefined();
  });

  test("requireKey also accepts an x-api-key header", async () => {
    const server = await start({ requireKey: "sk-right" });
    const post = (key: string) =>
      fetch(`${server.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ model: "m", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await post("sk-wrong")).status).toBe(401);
    expect((await post("sk-right")).status).toBe(200);
  });
});

describe("helpers", () => {
  test("failFirstAttempts fails each distinct body n times, independently", async () => {
    const server = await start({ fault: failFirstAttempts(2, { kind: "status", status: 500 }) });
    const outcomes: string[] = [];
    for (const user of ["a", "b", "a", "b", "a", "b"]) {
      const result = await callers.openai(server, user).then(
        (r) => r.choices[0]?.message.content ?? "",
        (e: unknown) => `error ${(e as OpenAiApiError).status}`,
      );
      outcomes.push(result);
    }
    expect(outcomes).toEqual(["error 500", "error 500", "error 500", "error 500", "ok: a", "ok: b"]);
  });

  test("reset() zeroes stats and the arrival index; unknown paths get 404", async () => {
    const server = await start({ fault: faultsOnce({ 0: { kind: "status", status: 500 } }) });
    await caught(callers.openai(server));
    server.reset();
    expect(server.stats).toMatchObject({ requests: 0, maxInFlight: 0, inFlight: 0, log: [] });
    // index 0 again after reset, so the scheduled fault fires again
    expect(await caught(callers.openai(server))).toBeInstanceOf(OpenAI.InternalServerError);

    const res = await fetch(`${server.url}/v1/embeddings`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(server.stats.requests).toBe(1);
  });
});
