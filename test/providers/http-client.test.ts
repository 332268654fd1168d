/**
 * createHttpClient against small node:http servers on 127.0.0.1, through the official SDKs and our
 * providers (so errors are classified as a run would see them): keep-alive and the connection limit,
 * slow answers, the response size cap (plain, chunked and a gzip bomb), redirects, and error
 * classification by structure (status, SDK classes, cause codes). In-process, on the sources; the same
 * behaviours through the built CLI are in test/providers/transport.test.ts.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createGzip, gzipSync } from "node:zlib";
import { describe, expect, onTestFinished, test } from "vitest";
import { createAnthropicProvider } from "../../src/providers/anthropic.js";
import { createHttpClient, type HttpClient } from "../../src/providers/http-client.js";
import { createOpenAIProvider } from "../../src/providers/openai.js";
import type { ClassifiedError, Provider } from "../../src/providers/types.js";
import type { ModelRequest } from "../../src/types.js";

const apis = ["openai", "anthropic"] as const;
type Api = (typeof apis)[number];

const completion = JSON.stringify({
  id: "c1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const message = JSON.stringify({
  id: "m1",
  type: "message",
  role: "assistant",
  model: "m",
  content: [{ type: "text", text: "hello" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 1, output_tokens: 1 },
});

interface Local {
  url: string;
  /** TCP connections accepted so far */
  connections: number;
  requests: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, api: Api) => void | Promise<void>;

/** A bare server answering both APIs' paths; the default handler sends a valid reply. */
async function startLocal(handler: Handler = okHandler): Promise<Local> {
  const local: Local = { url: "", connections: 0, requests: 0 };
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    local.requests++;
    for await (const _chunk of req); // read the body
    await handler(req, res, req.url?.includes("/messages") ? "anthropic" : "openai");
  });
  server.on("connection", (socket: Socket) => {
    local.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  local.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return local;
}

function okHandler(_req: IncomingMessage, res: ServerResponse, api: Api): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(api === "openai" ? completion : message);
}

function client(options: { connections?: number; maxResponseBytes?: number } = {}): HttpClient {
  const http = createHttpClient({ connections: options.connections ?? 4, env: {}, maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024 });
  onTestFinished(() => http.close());
  return http;
}

async function provider(api: Api, local: Local, http = client(), timeoutMs = 10_000, headers?: Record<string, string>): Promise<Provider> {
  const environment = { apiKey: "sk-test-http-client-0000", timeoutMs, fetch: http.fetch, ...(headers ? { headers } : {}) };
  return api === "openai"
    ? createOpenAIProvider("gpt-test", { ...environment, baseURL: `${local.url}/v1` })
    : createAnthropicProvider("claude-test", { ...environment, baseURL: local.url });
}

const request: ModelRequest = { messages: [{ role: "user", content: "hello" }], params: {}, draw: 0 };

/** What the runner would record for a request that throws: the provider's own classification. */
async function classified(p: Provider, signal = new AbortController().signal): Promise<ClassifiedError> {
  try {
    await p.complete(request, signal);
  } catch (error) {
    return p.classify(error, false);
  }
  throw new Error("expected the request to fail");
}

describe.each(apis)("%s through the SDK", (api) => {
  test("a reply is read, and a gzip-compressed one decoded", async () => {
    const local = await startLocal((_req, res, which) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(which === "openai" ? completion : message));
    });
    const reply = await (await provider(api, local)).complete(request, new AbortController().signal);
    expect(reply.text).toBe("hello");
  });

  test("a variant's extra headers are sent with every request, beside the key", async () => {
    const seen: IncomingMessage["headers"][] = [];
    const local = await startLocal((req, res, which) => {
      seen.push(req.headers);
      okHandler(req, res, which);
    });
    const p = await provider(api, local, client(), 10_000, { "x-portkey-config": "pc-secret-config-123" });
    await p.complete(request, new AbortController().signal);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.["x-portkey-config"]).toBe("pc-secret-config-123");
    expect(JSON.stringify(seen[0])).toContain("sk-test-http-client-0000");
  });

  test("sequential requests reuse kept-alive connections; concurrent ones open at most `connections`", async () => {
    const local = await startLocal(async (req, res, which) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      okHandler(req, res, which);
    });
    const p = await provider(api, local, client({ connections: 3 }));
    for (let i = 0; i < 10; i++) await p.complete(request, new AbortController().signal);
    // undici may open a second socket while the first is being handed back to the pool; never one each.
    expect(local.connections).toBeLessThanOrEqual(2);
    await Promise.all(Array.from({ length: 12 }, () => p.complete(request, new AbortController().signal)));
    expect(local.requests).toBe(22);
    expect(local.connections).toBeLessThanOrEqual(3);
  });

  test("a response slower than undici's idle-socket timeout (4 s) is not cut off", async () => {
    const local = await startLocal(async (req, res, which) => {
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      okHandler(req, res, which);
    });
    const reply = await (await provider(api, local)).complete(request, new AbortController().signal);
    expect(reply.text).toBe("hello");
  }, 15_000);

  test("a body over the cap is a non-retryable malformed error: declared, chunked, or a gzip bomb", async () => {
    const cap = 64 * 1024;
    const big = Buffer.alloc(cap + 1, "a");
    const declared = await startLocal((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(big.length) });
      res.end(big);
    });
    const chunked = await startLocal((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(cap / 4, "a"));
      res.end();
    });
    for (const local of [declared, chunked]) {
      const error = await classified(await provider(api, local, client({ maxResponseBytes: cap })));
      expect(error).toMatchObject({ kind: "malformed", retryable: false, message: `response body over ${cap} bytes (decoded); cut off` });
    }
  });

  test("a gzip bomb (1 GiB of zeros) is cut off at the default 16 MiB cap without the memory it would take", async () => {
    const bomb = await gzippedZeros(1024);
    const local = await startLocal((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    });
    const before = process.memoryUsage().rss;
    const error = await classified(await provider(api, local));
    expect(error).toMatchObject({ kind: "malformed", retryable: false });
    expect(error.message).toContain(`over ${16 * 1024 * 1024} bytes`);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  test("a redirect is not followed: the request fails as HTTP 3xx, and the other origin sees nothing", async () => {
    const elsewhere = await startLocal();
    const local = await startLocal((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/v1/messages` });
      res.end();
    });
    const error = await classified(await provider(api, local));
    expect(error).toMatchObject({ kind: "bad_request", status: 307, retryable: false });
    expect(elsewhere.requests).toBe(0);
  });

  test.each([
    [400, "bad_request", false],
    [413, "bad_request", false],
    [422, "bad_request", false],
    [404, "not_found", false],
    [401, "auth", false],
    [403, "auth", false],
    [408, "timeout", true],
    [429, "rate_limit", true],
    [500, "server", true],
    [529, "overloaded", true],
  ] as const)("HTTP %i is %s (retryable: %s)", async (status, kind, retryable) => {
    const local = await startLocal((_req, res) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `injected ${status}` } }));
    });
    expect(await classified(await provider(api, local))).toMatchObject({ kind, status, retryable });
  });

  test("Retry-After within the cap is honoured; beyond it the error says so and is not retried", async () => {
    let retryAfter = "3";
    const local = await startLocal((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": retryAfter });
      res.end(JSON.stringify({ error: { message: "slow down" } }));
    });
    const p = await provider(api, local);
    expect(await classified(p)).toMatchObject({ kind: "rate_limit", retryable: true, retryAfterMs: 3_000 });
    expect((await classified(p)).retryAfterBeyondCap).toBeUndefined();
    retryAfter = "86400";
    expect(await classified(p)).toMatchObject({ kind: "rate_limit", retryable: false, retryAfterMs: 86_400_000, retryAfterBeyondCap: true });
  });

  test("connection refused is a retryable network error naming ECONNREFUSED", async () => {
    const local = await startLocal();
    const dead = { ...local, url: await closedPort() };
    expect(await classified(await provider(api, dead))).toMatchObject({
      kind: "network",
      retryable: true,
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });

  test("a reset mid-body and a truncated body: network and malformed, both retryable", async () => {
    const reset = await startLocal((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"id": "x", ');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    expect(await classified(await provider(api, reset))).toMatchObject({ kind: "network", retryable: true });
    const truncated = await startLocal((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"id": "x", "choi');
    });
    expect(await classified(await provider(api, truncated))).toMatchObject({ kind: "malformed", retryable: true });
  });

  test("the SDK's own timeout is a retryable timeout; the caller's abort is aborted", async () => {
    const hang = await startLocal(() => new Promise(() => {}));
    expect(await classified(await provider(api, hang, client(), 200))).toMatchObject({ kind: "timeout", retryable: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await classified(await provider(api, hang), controller.signal)).toMatchObject({ kind: "aborted", retryable: false });
  });
});

/** `mib` MiB of zeros, gzipped as a stream (the bomb is ~1 MiB; its content never sits in memory). */
async function gzippedZeros(mib: number): Promise<Buffer> {
  const gzip = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!gzip.write(zeros)) await once(gzip, "drain");
  gzip.end();
  await once(gzip, "end");
  return Buffer.concat(chunks);
}

/** A loopback URL nobody listens on. */
async function closedPort(): Promise<string> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}
