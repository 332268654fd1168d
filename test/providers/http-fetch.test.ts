/**
 * createHttpFetch against real servers on 127.0.0.1: the project's fake LLM server through both official
 * SDKs and our providers (so errors are classified as a run would see them), and small node:http servers
 * for what the fake does not do (compression, redirects, counting connections, odd bodies).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, onTestFinished, test } from "vitest";
import { createAnthropicProvider } from "../../src/providers/anthropic.js";
import { createHttpFetch } from "../../src/providers/http-fetch.js";
import { createOpenAIProvider } from "../../src/providers/openai.js";
import type { ClassifiedError, Provider } from "../../src/providers/types.js";
import type { ModelRequest } from "../../src/types.js";
import type { FakeServer } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";

const apis = ["openai", "anthropic"] as const;
type Api = (typeof apis)[number];

/** Our provider for `api`, its SDK client wired to a fresh createHttpFetch. */
async function provider(api: Api, server: FakeServer, fetch = createHttpFetch({ maxSockets: 4 })): Promise<Provider> {
  const environment = { apiKey: "sk-test-http-fetch-0000", timeoutMs: 5_000, fetch };
  return api === "openai"
    ? createOpenAIProvider("gpt-test", { ...environment, baseURL: server.openaiBaseUrl })
    : createAnthropicProvider("claude-test", { ...environment, baseURL: server.anthropicBaseUrl });
}

/** One call straight through the SDK (retries off) with a fresh createHttpFetch. */
function sdkCall(api: Api, server: FakeServer, options: { timeout?: number } = {}): Promise<unknown> {
  const common = { apiKey: "k", maxRetries: 0, fetch: createHttpFetch(), ...options };
  return api === "openai"
    ? new OpenAI({ ...common, baseURL: server.openaiBaseUrl }).chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] })
    : new Anthropic({ ...common, baseURL: server.anthropicBaseUrl }).messages.create({
        model: "m",
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      });
}

function makeRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { messages: [{ role: "user", content: "hello" }], params: {}, draw: 0, ...overrides };
}

/** What the runner would record for a request that throws: the provider's own classification. */
async function classified(api: Api, server: FakeServer, signal = new AbortController().signal): Promise<ClassifiedError> {
  const p = await provider(api, server);
  try {
    await p.complete(makeRequest(), signal);
  } catch (error) {
    return p.classify(error, false);
  }
  throw new Error("expected the request to fail");
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

interface LocalServer {
  url: string;
  /** TCP connections accepted so far */
  connections: number;
  requests: IncomingMessage[];
}

/** A bare node:http server on 127.0.0.1; the handler gets the request body as a Buffer. */
async function startLocal(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const local: LocalServer = { url: "", connections: 0, requests: [] };
  const server = createServer(async (req, res) => {
    local.requests.push(req);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    handler(req, res, Buffer.concat(chunks));
  });
  server.on("connection", (socket) => {
    local.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  local.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return local;
}

const completion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 0,
  model: "gpt-test",
  choices: [{ index: 0, message: { role: "assistant", content: "squeezed", refusal: null }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

describe("through the official SDKs and our providers", () => {
  test.each(apis)("%s: a text reply", async (api) => {
    const server = await fakeServerForTest();
    const response = await (await provider(api, server)).complete(makeRequest(), new AbortController().signal);
    expect(response.text).toBe("ok: hello");
    expect(response.usage).toEqual({ input_tokens: 2, output_tokens: 3 });
    expect(server.stats.log[0]?.headers["accept-encoding"]).toBe("gzip, deflate, br");
    expect(server.stats.log[0]?.headers.authorization).toBe("Bearer sk-test-http-fetch-0000");
  });

  test.each(apis)("%s: tool calls, valid and invalid JSON arguments", async (api) => {
    const server = await fakeServerForTest({
      respond: () => ({
        tool_calls: [
          { name: "get_weather", arguments: { city: "Oslo" } },
          { name: "broken", arguments: '{"city": "Par' },
        ],
      }),
    });
    const tools = [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const response = await (await provider(api, server)).complete(makeRequest({ tools }), new AbortController().signal);
    expect(response.tool_calls.map(({ name, arguments: args, raw_arguments }) => ({ name, args, raw_arguments }))).toEqual([
      { name: "get_weather", args: { city: "Oslo" }, raw_arguments: undefined },
      { name: "broken", args: null, raw_arguments: '{"city": "Par' },
    ]);
  });

  test.each(apis)("%s: 429 with Retry-After is readable by the SDK error and becomes rate_limit", async (api) => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "status", status: 429, retryAfter: "7" }) });
    const error = (await rejection(sdkCall(api, server))) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(api === "openai" ? OpenAI.RateLimitError : Anthropic.RateLimitError);
    expect(error.headers).toBeInstanceOf(Headers);
    expect(error.headers?.get("retry-after")).toBe("7");
    expect(await classified(api, server)).toMatchObject({ kind: "rate_limit", status: 429, retryable: true, retryAfterMs: 7_000 });
  });

  test.each([
    { api: "openai", status: 500, kind: "server" },
    { api: "openai", status: 503, kind: "server" },
    { api: "anthropic", status: 529, kind: "overloaded" },
    { api: "anthropic", status: 502, kind: "server" },
  ] as const)("$api: HTTP $status is $kind", async ({ api, status, kind }) => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "status", status }) });
    expect(await classified(api, server)).toMatchObject({ kind, status, retryable: true });
  });

  test.each(apis)("%s: a truncated JSON body is a SyntaxError from response.json(), classified malformed", async (api) => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "malformed" }) });
    expect(await rejection(sdkCall(api, server))).toBeInstanceOf(SyntaxError);
    expect(await classified(api, server)).toMatchObject({ kind: "malformed", retryable: true });
  });

  test.each(apis)("%s: a connection reset mid-body rejects fetch like undici and is a network error", async (api) => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "reset" }) });
    const error = await rejection(sdkCall(api, server));
    expect(error).toBeInstanceOf(api === "openai" ? OpenAI.APIConnectionError : Anthropic.APIConnectionError);
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as Error).message).toBe("fetch failed");
    expect(await classified(api, server)).toMatchObject({ kind: "network", retryable: true });
  });

  test.each(apis)("%s: nobody listening is a network error (ECONNREFUSED)", async (api) => {
    const server = await fakeServerForTest();
    await server.close();
    expect(await classified(api, server)).toMatchObject({ kind: "network", message: "network error: ECONNREFUSED", retryable: true });
  });

  test.each(apis)("%s: a hang is cut short by the caller's signal: aborted, promptly", async (api) => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "hang" }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    expect(await classified(api, server, controller.signal)).toMatchObject({ kind: "aborted", retryable: false });
    expect(performance.now() - started).toBeLessThan(1_000);
    // the hung request's socket was destroyed, not left to the server
    await expect.poll(() => server.stats.inFlight, { timeout: 1_000, interval: 10 }).toBe(0);
  });

  test.each(apis)("%s: the SDK's own timeout on a hang is APIConnectionTimeoutError", async (api) => {
    const server = await fakeServerForTest({ fault: () => ({ kind: "hang" }) });
    const error = await rejection(sdkCall(api, server, { timeout: 100 }));
    expect(error).toBeInstanceOf(api === "openai" ? OpenAI.APIConnectionTimeoutError : Anthropic.APIConnectionTimeoutError);
  });

  test.each(apis)("%s: a credentialed base URL is refused before anything is sent (network, as with undici)", async (api) => {
    const server = await fakeServerForTest();
    const fetch = createHttpFetch();
    const url = (api === "openai" ? server.openaiBaseUrl : server.anthropicBaseUrl).replace("http://", "http://user:secret@");
    const p =
      api === "openai"
        ? await createOpenAIProvider("m", { apiKey: "k", baseURL: url, timeoutMs: 1_000, fetch })
        : await createAnthropicProvider("m", { apiKey: "k", baseURL: url, timeoutMs: 1_000, fetch });
    const error = await rejection(p.complete(makeRequest(), new AbortController().signal));
    expect(p.classify(error, false).kind).toBe("network");
    expect(server.stats.requests).toBe(0);
  });

  test("one fetch serves many concurrent requests over kept-alive sockets", async () => {
    const server = await fakeServerForTest({ latencyMs: 5 });
    const fetch = createHttpFetch({ maxSockets: 8 });
    const [openai, anthropic] = [await provider("openai", server, fetch), await provider("anthropic", server, fetch)];
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? openai : anthropic).complete(makeRequest({ messages: [{ role: "user", content: `q${i}` }] }), new AbortController().signal),
      ),
    );
    expect(replies.map((r) => r.text)).toEqual(Array.from({ length: 40 }, (_, i) => `ok: q${i}`));
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(8);
  });
});

describe("the fetch contract", () => {
  test("a real Response: status, statusText, headers, url, json()", async () => {
    const local = await startLocal((_req, res) => {
      res.writeHead(201, "Made It", { "content-type": "application/json", "x-request-id": "req_1", "set-cookie": ["a=1", "b=2"] });
      res.end('{"ok":true}');
    });
    const response = await createHttpFetch()(`${local.url}/v1/x?y=1`, { method: "post", body: "{}" });
    expect(response).toBeInstanceOf(Response);
    expect({ status: response.status, ok: response.ok, statusText: response.statusText, url: response.url }).toEqual({
      status: 201,
      ok: true,
      statusText: "Made It",
      url: `${local.url}/v1/x?y=1`,
    });
    expect(response.headers.get("x-request-id")).toBe("req_1");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.json()).toEqual({ ok: true });
    expect(local.requests[0]).toMatchObject({ method: "POST", url: "/v1/x?y=1" });
  });

  describe("the Response's body behaves as undici's (same reply, both fetches)", () => {
    const replies: Record<string, (res: ServerResponse) => void> = {
      json: (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"a":[1,"é"]}');
      },
      "json with a byte-order mark": (res) => res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"b":2}')])),
      empty: (res) => res.end(),
      "not JSON": (res) => res.end("<html>oops</html>"),
      "204": (res) => {
        res.writeHead(204);
        res.end();
      },
    };
    type Reader = (response: Response) => Promise<unknown>;
    const readers: Record<string, Reader> = {
      "text()": (r) => r.text(),
      "json()": (r) => r.json(),
      "arrayBuffer()": async (r) => [...new Uint8Array(await r.arrayBuffer())],
      "bytes()": async (r) => [...(await r.bytes())],
      "blob()": async (r) => (await r.blob()).text(),
      "body stream": async (r) => {
        if (!r.body) return null;
        const chunks: Uint8Array[] = [];
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
        return Buffer.concat(chunks).toString();
      },
      "clone() then text() twice": async (r) => [await r.clone().text(), await r.text()],
      "text() twice": async (r) => [await r.text(), await r.text()],
      "json() after body": async (r) => [r.body === null, await r.json()],
    };
    const outcome = async (read: Reader, response: Response) => {
      try {
        const value = await read(response);
        return { value, bodyUsed: response.bodyUsed };
      } catch (error) {
        return { error: (error as Error).constructor.name, bodyUsed: response.bodyUsed };
      }
    };
    test.each(Object.keys(replies).flatMap((reply) => Object.keys(readers).map((reader) => ({ reply, reader }))))(
      "$reply, $reader",
      async ({ reply, reader }) => {
        const local = await startLocal((_req, res) => replies[reply]?.(res));
        const read = readers[reader] as Reader;
        const ours = await createHttpFetch()(local.url, { method: "POST", body: "{}" });
        const theirs = await fetch(local.url, { method: "POST", body: "{}" });
        expect(ours).toBeInstanceOf(Response);
        expect({ ok: ours.ok, status: ours.status, type: ours.type, redirected: ours.redirected, bodyUsed: ours.bodyUsed }).toEqual({
          ok: theirs.ok,
          status: theirs.status,
          type: theirs.type,
          redirected: theirs.redirected,
          bodyUsed: theirs.bodyUsed,
        });
        expect(await outcome(read, ours)).toEqual(await outcome(read, theirs));
      },
    );
  });

  test.each([
    { name: "a string", body: "héllo", sent: "héllo", type: "text/plain;charset=UTF-8" },
    { name: "a Uint8Array view", body: new Uint8Array(Buffer.from("xxhéllo")).subarray(2), sent: "héllo", type: undefined },
    { name: "an ArrayBuffer", body: new Uint8Array(Buffer.from("héllo")).buffer, sent: "héllo", type: undefined },
    {
      name: "URLSearchParams",
      body: new URLSearchParams({ a: "1 2", b: "é" }),
      sent: "a=1+2&b=%C3%A9",
      type: "application/x-www-form-urlencoded;charset=UTF-8",
    },
    { name: "a ReadableStream (handed to the global fetch)", body: new Blob(["héllo"]).stream(), sent: "héllo", type: undefined },
    { name: "a Blob (handed to the global fetch)", body: new Blob(["héllo"]), sent: "héllo", type: undefined },
  ])("sends $name as the body", async ({ body, sent, type }) => {
    const local = await startLocal((req, res, received) => {
      res.end(
        JSON.stringify({ body: received.toString("utf8"), type: req.headers["content-type"] ?? null, length: req.headers["content-length"] ?? null }),
      );
    });
    const init: RequestInit & { duplex?: "half" } = { method: "POST", body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) };
    const echoed = (await (await createHttpFetch()(local.url, init)).json()) as { body: string; type: string | null; length: string | null };
    expect(echoed.body).toBe(sent);
    if (!(body instanceof ReadableStream) && !(body instanceof Blob)) {
      expect(echoed.type).toBe(type ?? null);
      expect(echoed.length).toBe(String(Buffer.byteLength(sent)));
    }
  });

  test.each([
    { name: "Headers", headers: new Headers({ "X-One": "1", Accept: "text/plain" }) },
    { name: "a record", headers: { "X-One": " 1 ", Accept: "text/plain" } },
    {
      name: "an array of pairs",
      headers: [
        ["X-One", "1"],
        ["accept", "text/plain"],
      ] as [string, string][],
    },
  ])("takes headers as $name; keeps the caller's accept, adds accept-encoding", async ({ headers }) => {
    const local = await startLocal((_req, res) => res.end());
    await createHttpFetch()(local.url, { headers });
    expect(local.requests[0]?.headers).toMatchObject({ "x-one": "1", accept: "text/plain", "accept-encoding": "gzip, deflate, br" });
    expect(local.requests[0]?.method).toBe("GET");
  });

  test("a Request as input, with its method, headers and body", async () => {
    const local = await startLocal((req, res, body) => res.end(`${req.method} ${req.headers["x-one"]} ${body.toString()}`));
    const request = new Request(`${local.url}/r`, { method: "PUT", headers: { "x-one": "1" }, body: "payload" });
    expect(await (await createHttpFetch()(request)).text()).toBe("PUT 1 payload");
  });

  test("an empty POST says content-length: 0; GET with a body is a TypeError", async () => {
    const local = await startLocal((req, res) => res.end(req.headers["content-length"] ?? "none"));
    expect(await (await createHttpFetch()(local.url, { method: "POST" })).text()).toBe("0");
    await expect(createHttpFetch()(local.url, { method: "GET", body: "x" })).rejects.toBeInstanceOf(TypeError);
  });

  test.each([204, 304])("a %i has a null body", async (status) => {
    const local = await startLocal((_req, res) => {
      res.writeHead(status);
      res.end();
    });
    const response = await createHttpFetch()(local.url);
    expect(response.status).toBe(status);
    expect(response.body).toBeNull();
  });

  test("1xx interim responses are skipped: the final response is returned", async () => {
    const local = await startLocal((_req, res) => {
      res.writeEarlyHints({ link: "</x>; rel=preload" });
      res.writeProcessing();
      res.end("final");
    });
    const response = await createHttpFetch()(local.url, { method: "POST", body: "{}" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("final");
  });

  test("an unasked-for 101 Switching Protocols is a network error, not a hang", async () => {
    const server = createNetServer((socket) => {
      socket.once("data", () => socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n"));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    onTestFinished(() => void server.close());
    const error = await rejection(createHttpFetch()(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: "POST", body: "{}" }));
    expect(error).toMatchObject({ name: "TypeError", message: "fetch failed" });
  });

  describe("compressed bodies are decoded", () => {
    const json = JSON.stringify(completion);
    test.each([
      { name: "gzip", encoding: "gzip", encode: gzipSync },
      { name: "x-gzip", encoding: "x-gzip", encode: gzipSync },
      { name: "deflate (zlib)", encoding: "deflate", encode: deflateSync },
      { name: "deflate (raw)", encoding: "deflate", encode: deflateRawSync },
      { name: "br", encoding: "br", encode: brotliCompressSync },
      { name: "gzip, br", encoding: "gzip, br", encode: (b: Buffer) => brotliCompressSync(gzipSync(b)) },
      { name: "identity", encoding: "identity", encode: (b: Buffer) => b },
    ])("Content-Encoding: $name", async ({ encoding, encode }) => {
      const local = await startLocal((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding });
        res.end(encode(Buffer.from(json)));
      });
      const client = new OpenAI({ apiKey: "k", baseURL: `${local.url}/v1`, maxRetries: 0, fetch: createHttpFetch() });
      const reply = await client.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: "hi" }] });
      expect(reply.choices[0]?.message.content).toBe("squeezed");
    });

    test("an unknown coding is passed through undecoded; a caller's accept-encoding is kept", async () => {
      const local = await startLocal((_req, res) => {
        res.writeHead(200, { "content-encoding": "zstd-of-the-future" });
        res.end("raw");
      });
      const response = await createHttpFetch()(local.url, { headers: { "accept-encoding": "identity" } });
      expect(await response.text()).toBe("raw");
      expect(local.requests[0]?.headers["accept-encoding"]).toBe("identity");
    });

    test("a corrupt gzip body is a network error", async () => {
      const local = await startLocal((_req, res) => {
        res.writeHead(200, { "content-encoding": "gzip" });
        res.end("not gzip at all");
      });
      const error = await rejection(createHttpFetch()(local.url));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe("fetch failed");
    });
  });

  describe("abort", () => {
    test("a signal aborted before the call rejects at once with its reason", async () => {
      const local = await startLocal((_req, res) => res.end());
      const reason = new Error("stop");
      await expect(createHttpFetch()(local.url, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      await expect(createHttpFetch()(local.url, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
      expect(local.requests).toHaveLength(0);
    });

    test("abort while waiting for headers: AbortError DOMException, request destroyed", async () => {
      let closed = false;
      const local = await startLocal((req) => req.socket.on("close", () => (closed = true)));
      const controller = new AbortController();
      const pending = createHttpFetch()(local.url, { method: "POST", body: "{}", signal: controller.signal });
      await expect.poll(() => local.requests.length).toBe(1);
      const started = performance.now();
      controller.abort();
      const error = await rejection(pending);
      expect(error).toBeInstanceOf(DOMException);
      expect(error.name).toBe("AbortError");
      expect(performance.now() - started).toBeLessThan(100);
      await expect.poll(() => closed).toBe(true);
    });

    test("abort mid-body rejects with the signal's reason (a timeout's TimeoutError)", async () => {
      const local = await startLocal((_req, res) => {
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
      });
      const error = await rejection(createHttpFetch()(local.url, { signal: AbortSignal.timeout(50) }));
      expect(error.name).toBe("TimeoutError");
    });

    test("a finished request leaves no listener on the signal", async () => {
      const local = await startLocal((_req, res) => res.end("ok"));
      const controller = new AbortController();
      const added: string[] = [];
      const removed: string[] = [];
      const { signal } = controller;
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) => {
        added.push(type);
        add(type, listener, options);
      }) as typeof signal.addEventListener;
      signal.removeEventListener = ((type: string, listener: EventListener) => {
        removed.push(type);
        remove(type, listener);
      }) as typeof signal.removeEventListener;
      const fetch = createHttpFetch();
      for (let i = 0; i < 3; i++) await (await fetch(local.url, { signal })).text();
      expect(added).toEqual(["abort", "abort", "abort"]);
      expect(removed).toEqual(["abort", "abort", "abort"]);
    });
  });

  describe("network errors reject with TypeError('fetch failed', { cause }) like undici", () => {
    test("connection refused", async () => {
      // a port nothing listens on: bind one, then close it
      const probe = createServer().listen(0, "127.0.0.1");
      await once(probe, "listening");
      const port = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      const error = await rejection(createHttpFetch()(`http://127.0.0.1:${port}/`));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe("fetch failed");
      expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
    });

    test("the server closes the socket without answering (socket hang up)", async () => {
      const local = await startLocal((req) => req.socket.destroy());
      const error = await rejection(createHttpFetch()(local.url, { method: "POST", body: "{}" }));
      expect(error).toMatchObject({ name: "TypeError", message: "fetch failed" });
      expect((error.cause as { code?: string }).code).toBe("ECONNRESET");
    });

    test("a reset mid-body", async () => {
      const local = await startLocal((_req, res) => {
        res.writeHead(200, { "content-length": "1000" });
        res.write("partial", () => res.socket?.destroy());
      });
      const error = await rejection(createHttpFetch()(local.url));
      expect(error).toMatchObject({ name: "TypeError", message: "fetch failed" });
    });

    test("a URL with credentials is a TypeError before anything is sent", async () => {
      const local = await startLocal((_req, res) => res.end());
      const error = await rejection(createHttpFetch()(local.url.replace("http://", "http://u:p@")));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).not.toContain("u:p");
      expect(local.requests).toHaveLength(0);
    });
  });

  describe("redirects", () => {
    test("a same-origin 307/308 is followed with method and body", async () => {
      const local = await startLocal((req, res, body) => {
        if (req.url === "/a") res.writeHead(307, { location: "/b" }).end();
        else if (req.url === "/b") res.writeHead(308, { location: `${local.url}/c` }).end();
        else res.end(`${req.method} ${req.url} ${body.toString()} ${req.headers.authorization}`);
      });
      const response = await createHttpFetch()(`${local.url}/a`, { method: "POST", body: "payload", headers: { authorization: "Bearer k" } });
      expect(await response.text()).toBe("POST /c payload Bearer k");
      expect(response.url).toBe(`${local.url}/c`);
    });

    test.each([301, 302, 303])("a %i is returned as it is (the SDK reports it), not turned into a GET", async (status) => {
      const local = await startLocal((_req, res) => res.writeHead(status, { location: "/elsewhere" }).end("moved"));
      const response = await createHttpFetch()(local.url, { method: "POST", body: "{}" });
      expect(response.status).toBe(status);
      expect(response.headers.get("location")).toBe("/elsewhere");
      expect(local.requests).toHaveLength(1);
    });

    test("a cross-origin 307 is returned as it is: credentials never leave the origin", async () => {
      const other = await startLocal((_req, res) => res.end("other"));
      const local = await startLocal((_req, res) => res.writeHead(307, { location: `${other.url}/steal` }).end());
      const response = await createHttpFetch()(local.url, { method: "POST", body: "{}", headers: { "x-api-key": "secret" } });
      expect(response.status).toBe(307);
      expect(other.requests).toHaveLength(0);
    });

    test("redirect: manual returns a redirect as it is; redirect: error rejects one", async () => {
      const local = await startLocal((_req, res) => res.writeHead(301, { location: "/b" }).end());
      expect((await createHttpFetch()(local.url, { redirect: "manual" })).status).toBe(301);
      expect(await rejection(createHttpFetch()(local.url, { redirect: "error" }))).toMatchObject({ name: "TypeError", message: "fetch failed" });
    });

    test("a redirect loop stops after 20 hops with a network error", async () => {
      const local = await startLocal((_req, res) => res.writeHead(307, { location: "/again" }).end());
      const error = await rejection(createHttpFetch()(local.url));
      expect(error).toMatchObject({ name: "TypeError", message: "fetch failed" });
      expect(local.requests).toHaveLength(21);
    });
  });

  describe("keep-alive", () => {
    test("sequential requests reuse one connection", async () => {
      const local = await startLocal((_req, res) => res.end("ok"));
      const fetch = createHttpFetch({ maxSockets: 4 });
      for (let i = 0; i < 20; i++) expect(await (await fetch(local.url, { method: "POST", body: `${i}` })).text()).toBe("ok");
      expect(local.requests).toHaveLength(20);
      expect(local.connections).toBe(1);
    });

    test("concurrent requests open at most maxSockets connections, then reuse them", async () => {
      const local = await startLocal((_req, res) => setTimeout(() => res.end("ok"), 20));
      const fetch = createHttpFetch({ maxSockets: 4 });
      for (let round = 0; round < 3; round++) {
        const texts = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(local.url)).text()));
        expect(texts).toEqual(Array(10).fill("ok"));
      }
      expect(local.requests).toHaveLength(30);
      expect(local.connections).toBe(4);
    });

    test("a response slower than the idle-socket timeout (4 s) is not cut off", async () => {
      let seen = 0;
      const local = await startLocal((_req, res) => (seen++ === 0 ? res.end("early") : setTimeout(() => res.end("late"), 4_500)));
      const fetch = createHttpFetch();
      await (await fetch(local.url)).text(); // the socket now idles in the pool, then is reused
      expect(await (await fetch(local.url)).text()).toBe("late");
      expect(local.connections).toBe(1);
    }, 15_000);

    test("separate fetches have separate pools", async () => {
      const local = await startLocal((_req, res) => res.end("ok"));
      await (await createHttpFetch()(local.url)).text();
      await (await createHttpFetch()(local.url)).text();
      expect(local.connections).toBe(2);
    });
  });
});
