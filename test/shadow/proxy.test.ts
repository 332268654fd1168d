import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import { sampleFraction } from "../../src/shadow/sampler.js";
import { candidateKey, clientKey, startProxy } from "./support/start-proxy.js";

const messages = [
  { role: "system" as const, content: "You are the old prompt." },
  { role: "user" as const, content: "Refund order A-1234" },
];

function client(baseURL: string, options: { maxRetries?: number; timeout?: number } = {}): OpenAI {
  return new OpenAI({ apiKey: clientKey, baseURL, maxRetries: options.maxRetries ?? 0, timeout: options.timeout ?? 10_000 });
}

/** The raw bytes and headers of one request, for byte-for-byte comparison with a direct call. */
async function rawPost(url: string, body: object): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${clientKey}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("served path", () => {
  test("a non-streaming reply is the baseline's, byte for byte, with its status and headers", async () => {
    const proxy = await startProxy();
    const body = { model: "base-model-2024-01-01", messages };
    const direct = await rawPost(`${proxy.baseline.baseUrl}/chat/completions`, body);
    const served = await rawPost(`${proxy.baseURL}/chat/completions`, body);
    expect(served.status).toBe(200);
    expect(served.text).toBe(direct.text);
    expect(served.headers.get("x-upstream")).toBe("chat-server");
    expect(served.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(served.headers.get("content-type")).toBe("application/json");
    // The baseline got the client's own credentials and body bytes.
    const upstream = proxy.baseline.requests.at(-1);
    expect(upstream?.headers.authorization).toBe(`Bearer ${clientKey}`);
    expect(upstream?.raw).toBe(JSON.stringify(body));
  });

  test("through the openai client, streaming: the same chunks as a direct call", async () => {
    const proxy = await startProxy({ baseline: { text: () => "a streamed answer in several pieces", chunkDelayMs: 2 } });
    const read = async (baseURL: string) => {
      const stream = await client(baseURL).chat.completions.create({ model: "base-model-2024-01-01", messages, stream: true });
      const pieces: string[] = [];
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta?.content ?? "");
      return pieces;
    };
    const direct = await read(proxy.baseline.baseUrl);
    const served = await read(proxy.baseURL);
    expect(served).toEqual(direct);
    expect(served.join("")).toBe("a streamed answer in several pieces");
    const rawDirect = await rawPost(`${proxy.baseline.baseUrl}/chat/completions`, { model: "m", messages, stream: true });
    const rawServed = await rawPost(`${proxy.baseURL}/chat/completions`, { model: "m", messages, stream: true });
    expect(rawServed.text).toBe(rawDirect.text);
    expect(rawServed.headers.get("content-type")).toBe("text/event-stream");
  });

  test("a baseline 5xx goes back to the client unchanged, and is logged as the baseline's error", async () => {
    const proxy = await startProxy({
      baseline: { fault: () => ({ kind: "status", status: 503, body: '{"error":{"message":"overloaded"}}', headers: { "retry-after": "7" } }) },
    });
    const served = await rawPost(`${proxy.baseURL}/chat/completions`, { model: "m", messages });
    expect(served.status).toBe(503);
    expect(served.text).toBe('{"error":{"message":"overloaded"}}');
    expect(served.headers.get("retry-after")).toBe("7");
    const error = await client(proxy.baseURL)
      .chat.completions.create({ model: "m", messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    const lines = await proxy.stop();
    expect(lines).toHaveLength(2);
    expect(lines[0]?.arms.baseline).toMatchObject({ served: true, output: null, status: 503, error: { kind: "server" } });
    expect(lines[0]?.arms.candidate).toMatchObject({ served: false, status: 200, error: null, output: "reply from cand-model-2025-01-01" });
  });

  test("a client that disconnects mid-stream aborts its upstream request", async () => {
    const proxy = await startProxy({ baseline: { text: () => "x".repeat(400), chunkDelayMs: 50 } });
    const controller = new AbortController();
    const stream = await client(proxy.baseURL).chat.completions.create({ model: "m", messages, stream: true }, { signal: controller.signal });
    let seen = 0;
    // The SDK ends the iteration (or throws) on abort; either way the client has gone.
    await (async () => {
      for await (const _ of stream) if (++seen === 2) controller.abort();
    })().catch(() => undefined);
    // The whole stream would take 5 s: the upstream request ends well before.
    await expect.poll(() => proxy.baseline.inFlight(), { timeout: 2_000 }).toBe(0);
    const lines = await proxy.stop();
    expect(lines[0]?.arms.baseline?.error).toMatchObject({ kind: "network", message: "the client disconnected" });
  });

  test("other paths go to the baseline untouched and are not copied", async () => {
    const proxy = await startProxy();
    const response = await fetch(`${proxy.baseURL}/embeddings`, { method: "POST", body: "{}", headers: { authorization: `Bearer ${clientKey}` } });
    expect(response.status).toBe(200);
    await response.text();
    expect(proxy.baseline.requests).toHaveLength(1);
    expect(proxy.candidate.requests).toHaveLength(0);
  });
});

describe("candidate copy", () => {
  test("gets the candidate's model, params, prompt and key — never the client's credentials", async () => {
    const proxy = await startProxy({
      candidateVariant: { prompt: "prompt-v4.md" },
      files: { "prompt-v4.md": "You are the new prompt." },
    });
    await client(proxy.baseURL).chat.completions.create({ model: "base-model-2024-01-01", messages, temperature: 0, max_tokens: 64 });
    await expect.poll(() => proxy.candidate.requests.length).toBe(1);
    const copy = proxy.candidate.requests[0];
    expect(copy?.headers.authorization).toBe(`Bearer ${candidateKey}`);
    expect(JSON.stringify(copy?.headers)).not.toContain(clientKey);
    expect(copy?.body).toMatchObject({
      model: "cand-model-2025-01-01",
      temperature: 0.5,
      max_tokens: 64,
      messages: [
        { role: "system", content: "You are the new prompt." },
        { role: "user", content: "Refund order A-1234" },
      ],
    });
    expect(proxy.baseline.requests[0]?.body.temperature).toBe(0);
  });

  test("both arms are logged as one traffic line; tool calls are recorded, not executed", async () => {
    const proxy = await startProxy({ candidate: { toolCall: () => ({ name: "issue_refund", arguments: '{"order_id":"A-1234"}' }) } });
    const tools = [{ type: "function" as const, function: { name: "issue_refund", parameters: { type: "object" } } }];
    await client(proxy.baseURL).chat.completions.create({ model: "base-model-2024-01-01", messages, tools, temperature: 0 });
    await expect.poll(() => proxy.server.metrics.linesWritten).toBe(1);
    const [line] = await proxy.stop();
    expect(line).toMatchObject({
      v: 1,
      source: "modelgate-shadow",
      request: { messages, tools, params: { temperature: 0 } },
      arms: {
        baseline: { model: "base-model-2024-01-01", served: true, output: "reply from base-model-2024-01-01", status: 200, error: null },
        candidate: {
          model: "cand-model-2025-01-01",
          served: false,
          tool_calls: [{ id: "call_1", name: "issue_refund", arguments: { order_id: "A-1234" } }],
          usage: { input_tokens: 10, output_tokens: 5 },
          error: null,
        },
      },
    });
    expect(line?.id).toMatch(/^shadow-/);
    expect(Number.isNaN(Date.parse(line?.ts ?? ""))).toBe(false);
    // Only the one copy: nothing ran the tool and came back.
    expect(proxy.candidate.requests).toHaveLength(1);
  });

  test("a streamed request is copied as a stream that reports usage; both arms get a time to first token", async () => {
    const proxy = await startProxy();
    const stream = await client(proxy.baseURL).chat.completions.create({ model: "m", messages, stream: true });
    for await (const _ of stream) {
      // drain
    }
    await expect.poll(() => proxy.server.metrics.linesWritten).toBe(1);
    const [line] = await proxy.stop();
    expect(proxy.candidate.requests[0]?.body.stream_options).toEqual({ include_usage: true });
    expect(line?.arms.baseline).toMatchObject({ output: "reply from m", error: null });
    expect(line?.arms.candidate).toMatchObject({ output: "reply from cand-model-2025-01-01", usage: { input_tokens: 10, output_tokens: 5 } });
    expect(line?.arms.baseline?.ttft_ms).toBeTypeOf("number");
    expect(line?.arms.candidate?.ttft_ms).toBeTypeOf("number");
  });

  test.each([
    { name: "hangs", fault: { kind: "hang" as const }, reason: "timeout", kind: "timeout" },
    { name: "answers 500", fault: { kind: "status" as const, status: 500 }, reason: "error", kind: "server" },
    { name: "answers 429", fault: { kind: "status" as const, status: 429 }, reason: "error", kind: "rate_limit" },
    { name: "breaks off mid-stream", fault: { kind: "reset-mid-stream" as const }, reason: "error", kind: "network" },
  ])("a candidate that $name does not touch the served path; the copy is counted as $reason", async ({ fault, reason, kind }) => {
    const proxy = await startProxy({ candidate: { fault: () => fault }, flags: { candidateTimeout: "300" } });
    const stream = fault.kind === "reset-mid-stream";
    const texts: string[] = [];
    for (let i = 0; i < 5; i++) {
      if (stream) {
        let text = "";
        for await (const chunk of await client(proxy.baseURL).chat.completions.create({ model: "m", messages, stream: true }))
          text += chunk.choices[0]?.delta?.content ?? "";
        texts.push(text);
      } else texts.push((await client(proxy.baseURL).chat.completions.create({ model: "m", messages })).choices[0]?.message.content ?? "");
    }
    expect(texts).toEqual(Array(5).fill("reply from m"));
    await expect.poll(() => proxy.server.metrics.drops[reason as "timeout" | "error"], { timeout: 5_000 }).toBe(5);
    const lines = await proxy.stop();
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.arms.candidate).toMatchObject({ served: false, output: null, error: { kind } });
  });

  test("a slow candidate: the served answers come first, the copies are logged when they complete", async () => {
    const proxy = await startProxy({ candidate: { latencyMs: 1500 } });
    const started = performance.now();
    await Promise.all([1, 2, 3].map(() => client(proxy.baseURL).chat.completions.create({ model: "m", messages })));
    // Every client has its answer well before the candidate's 1.5 s, while the three copies are still with
    // the candidate (the copy side's thread starts them a moment later).
    expect(performance.now() - started).toBeLessThan(1000);
    await expect.poll(() => proxy.server.metrics.copiesInFlight).toBe(3);
    expect(proxy.server.metrics.linesWritten).toBe(0);
    await expect.poll(() => proxy.server.metrics.linesWritten, { timeout: 5_000 }).toBe(3);
  });

  test("a full queue drops the copy and counts it (queue_full); the client never waits", async () => {
    const proxy = await startProxy({
      candidate: { fault: () => ({ kind: "hang" }) },
      flags: { maxInFlight: "1", queue: "2", candidateTimeout: "60000" },
    });
    await Promise.all(Array.from({ length: 10 }, () => client(proxy.baseURL).chat.completions.create({ model: "m", messages })));
    await expect.poll(() => proxy.server.metrics.drops.queue_full).toBe(7);
    await expect.poll(() => proxy.server.metrics.copiesInFlight).toBe(1);
    await expect.poll(() => proxy.server.metrics.copiesQueued).toBe(2);
    const lines = await proxy.stop(50);
    // The hanging one in flight is aborted at shutdown and logged; the two never sent are dropped.
    expect(lines).toHaveLength(1);
    expect(lines[0]?.arms.candidate?.error?.message).toMatch(/shut down/);
    expect(proxy.server.metrics.drops.timeout).toBe(3);
  });

  test("--max-cost-per-hour: once the hour's spend reaches the cap, copies are dropped as cost_cap", async () => {
    // 10 input + 5 output tokens at $1/M each = $0.000015 per copy: the cap allows two.
    const proxy = await startProxy({
      candidateVariant: { pricing: { input_per_mtok: 1, output_per_mtok: 1 } },
      flags: { maxCostPerHour: "0.00003", maxInFlight: "1" },
    });
    for (let i = 0; i < 5; i++) {
      await client(proxy.baseURL).chat.completions.create({ model: "m", messages: [{ role: "user", content: `q${i}` }] });
      // Wait until this request's copy is logged or dropped: the copy reaches the worker thread a moment after the answer.
      await expect.poll(() => proxy.server.metrics.linesWritten + proxy.server.metrics.drops.cost_cap).toBe(i + 1);
    }
    expect(proxy.candidate.requests).toHaveLength(2);
    expect(proxy.server.metrics.drops.cost_cap).toBe(3);
  });
});

describe("sampling", () => {
  test("by header: the same user is shadowed every time, in every process (hash of the key)", async () => {
    const proxy = await startProxy({ flags: { sample: "0.5", sampleKey: "header:x-user-id" } });
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    for (const user of [...users, ...users]) {
      await fetch(`${proxy.baseURL}/chat/completions`, {
        method: "POST",
        headers: { "x-user-id": user, "content-type": "application/json" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: `${user} ${Math.random()}` }] }),
      }).then((r) => r.text());
    }
    const expected = users.filter((user) => sampleFraction(user) < 0.5);
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(35);
    await expect.poll(() => proxy.candidate.requests.length).toBe(expected.length * 2);
    expect(proxy.server.metrics.drops.sampled_out).toBe((users.length - expected.length) * 2);
    const copiedUsers = new Set(proxy.candidate.requests.map((r) => String(r.body.messages[0].content).split(" ")[0]));
    expect([...copiedUsers].sort()).toEqual([...expected].sort());
  });

  test("--sample 0 copies nothing and logs nothing", async () => {
    const proxy = await startProxy({ flags: { sample: "0" } });
    await client(proxy.baseURL).chat.completions.create({ model: "m", messages });
    expect(await proxy.stop()).toHaveLength(0);
    expect(proxy.server.metrics.drops.sampled_out).toBe(1);
  });
});

describe("log", () => {
  test("secrets and the client's own key are masked in the log", async () => {
    const proxy = await startProxy();
    const opaque = "gw-opaque-token-zz9plural";
    const leaky = [{ role: "user" as const, content: `my keys: ${candidateKey} and ${opaque} and ${clientKey}` }];
    await new OpenAI({ apiKey: opaque, baseURL: proxy.baseURL, maxRetries: 0 }).chat.completions.create({ model: "m", messages: leaky });
    await expect.poll(() => proxy.server.metrics.linesWritten).toBe(1);
    await proxy.stop();
    const { readFileSync, readdirSync } = await import("node:fs");
    const text = readdirSync(proxy.logDir)
      .map((name) => readFileSync(`${proxy.logDir}/${name}`, "utf8"))
      .join("");
    expect(text).toContain("my keys:");
    for (const secret of [candidateKey, opaque, clientKey]) expect(text).not.toContain(secret);
  });

  test("rotates by size: no file passes --log-max-bytes, and no line is lost", async () => {
    const proxy = await startProxy({ flags: { logMaxBytes: "2048" } });
    for (let i = 0; i < 12; i++) await client(proxy.baseURL).chat.completions.create({ model: "m", messages: [{ role: "user", content: `q${i}` }] });
    await expect.poll(() => proxy.server.metrics.linesWritten).toBe(12);
    const lines = await proxy.stop();
    expect(lines).toHaveLength(12);
    expect(proxy.files().length).toBeGreaterThan(2);
    const { statSync } = await import("node:fs");
    for (const file of proxy.files()) expect(statSync(file).size).toBeLessThanOrEqual(2048);
  });
});

describe("/healthz and /metrics", () => {
  test("Prometheus text: requests per arm, drops by reason, in-flight copies, the added-latency histogram", async () => {
    const proxy = await startProxy();
    expect(await (await fetch(`${proxy.server.url}/healthz`)).text()).toBe("ok\n");
    await client(proxy.baseURL).chat.completions.create({ model: "m", messages });
    await expect.poll(() => proxy.server.metrics.requests.candidate).toBe(1);
    const response = await fetch(`${proxy.server.url}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await response.text();
    expect(text).toContain('modelgate_shadow_requests_total{arm="baseline"} 1');
    expect(text).toContain('modelgate_shadow_requests_total{arm="candidate"} 1');
    for (const reason of ["sampled_out", "queue_full", "timeout", "error", "cost_cap"])
      expect(text).toContain(`modelgate_shadow_copies_dropped_total{reason="${reason}"} 0`);
    expect(text).toMatch(/^modelgate_shadow_copies_in_flight \d+$/m);
    expect(text).toContain('modelgate_shadow_added_latency_seconds_bucket{le="+Inf"} 1');
    expect(text).toContain("modelgate_shadow_added_latency_seconds_count 1");
    expect(text).toContain("# TYPE modelgate_shadow_added_latency_seconds histogram");
  });
});

test("--redact masks e-mail addresses, phone and card numbers in the log; the served request is untouched", async () => {
  const proxy = await startProxy({ flags: { redact: true } });
  const content = "I am ann@example.com, call +14155550123, card 4111 1111 1111 1111";
  await client(proxy.baseURL).chat.completions.create({ model: "m", messages: [{ role: "user", content }] });
  await expect.poll(() => proxy.server.metrics.linesWritten).toBe(1);
  const [line] = await proxy.stop();
  const logged = JSON.stringify(line?.request.messages);
  for (const personal of ["ann@example.com", "+14155550123", "4111 1111 1111 1111"]) expect(logged).not.toContain(personal);
  expect(logged).toContain("[email]");
  expect(proxy.baseline.requests[0]?.body.messages[0].content).toBe(content);
});
