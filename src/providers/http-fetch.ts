/**
 * The `fetch` modelgate hands to the official SDKs: the part of WHATWG fetch they use, over node:http /
 * node:https with keep-alive agents. Node's built-in undici fetch was about two thirds of the CLI's CPU
 * (`npm run bench`: ~2.2 → ~1.55 ms of CPU per request, peak RSS ~190 → ~120 MB at 1,000 cases); this
 * reads each response to its end, decompresses it, and builds one `Response`.
 * Anything it does not handle itself (stream, Blob or FormData bodies, non-HTTP schemes) goes to the
 * global fetch, so it is never less capable than the SDKs' default.
 *
 * Deliberate differences from undici:
 * - it resolves once the whole body has arrived, so a reset mid-body rejects `fetch()` with
 *   `TypeError("fetch failed")` (the SDK's APIConnectionError) where undici resolves and then
 *   `response.json()` rejects with "terminated"; both are `network` errors to us;
 * - it follows only same-origin 307/308 redirects (method and body kept, as fetch does) and returns
 *   any other 3xx as it is, like `redirect: "manual"`, so the SDK reports "HTTP 30x". The SDKs never
 *   expect a redirect; fetch would turn a POST into a body-less GET on 301/302/303, and strips only
 *   `Authorization` on a cross-origin hop, so an `x-api-key` would follow it;
 * - a corrupt compressed body is a network error, not an error while reading the body;
 * - no `accept-language` / `sec-fetch-mode` defaults; `response.redirected` is always false;
 * - idle sockets close after 4 s (undici's default) or the server's `Keep-Alive: timeout` hint less
 *   1 s, whichever is shorter (undici trusts a longer hint).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

/** Options of createHttpFetch. */
export interface HttpFetchOptions {
  /** sockets per origin and protocol: at least the run's concurrency, so no request queues in the agent */
  maxSockets?: number;
}

/** Idle keep-alive sockets are closed after this long (undici's default keepAliveTimeout). */
const idleSocketMs = 4_000;
/** fetch's redirect limit */
const maxRedirects = 20;
/** The Response constructor refuses a body for these. */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** fetch upper-cases these methods only; any other keeps its case. */
const normalisedMethods = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
/** Like undici: a truncated compressed body yields what was decoded, not an error. */
const zlibFlush = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const brotliFlush = { flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH };

type Agent = HttpAgent | HttpsAgent;

/** A response read to its end (and decoded), before it becomes a `Response`. */
interface Reply {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Buffer | null;
  location: string | undefined;
}

/** A WHATWG-compatible `fetch` over node:http(s), with one keep-alive agent per protocol. */
export function createHttpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const agentOptions = {
    keepAlive: true,
    maxSockets: Math.max(1, options.maxSockets ?? Number.POSITIVE_INFINITY),
    // The most recently used socket is the least likely to have been closed by the server meanwhile.
    scheduling: "lifo" as const,
    // Only closes idle sockets: on a socket in use the timeout event has no listener that acts on it.
    timeout: idleSocketMs,
  };
  let http: HttpAgent | undefined;
  let https: HttpsAgent | undefined;
  const agentFor = (protocol: string): Agent =>
    protocol === "https:" ? (https ??= new HttpsAgent(agentOptions)) : (http ??= new HttpAgent(agentOptions));

  async function httpFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    if (input instanceof Request) {
      // The SDKs pass a URL string; a Request carries its body as a stream, so read it first.
      const request = init ? new Request(input, init) : input;
      const body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
      const { method, headers, signal, redirect } = request;
      return httpFetch(request.url, { method, headers, body, signal, redirect });
    }
    let url = typeof input === "string" ? new URL(input) : input;
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !isBufferable(init?.body)) return globalThis.fetch(input, init);
    if (url.username || url.password) throw new TypeError("Request cannot be constructed from a URL that includes credentials");
    const method = normaliseMethod(init?.method ?? "GET");
    const headers = toNodeHeaders(init?.headers);
    const body = toBuffer(init?.body, headers);
    if (body && (method === "GET" || method === "HEAD")) throw new TypeError("Request with GET/HEAD method cannot have body.");
    if (body || method === "POST" || method === "PUT") headers["content-length"] = String(body?.length ?? 0);
    headers.accept ??= "*/*";
    headers["accept-encoding"] ??= "gzip, deflate, br";
    const signal = init?.signal ?? undefined;
    for (let redirects = 0; ; redirects++) {
      const reply = await send(url, method, headers, body, signal, agentFor(url.protocol));
      if (!redirectStatuses.has(reply.status) || reply.location === undefined || init?.redirect === "manual") return toResponse(reply, url);
      if (init?.redirect === "error") throw fetchFailed(new Error("unexpected redirect"));
      if (reply.status !== 307 && reply.status !== 308) return toResponse(reply, url);
      let next: URL;
      try {
        next = new URL(reply.location, url);
      } catch (error) {
        throw fetchFailed(error);
      }
      if (next.origin !== url.origin) return toResponse(reply, url);
      if (redirects >= maxRedirects) throw fetchFailed(new Error("redirect count exceeded"));
      url = next;
    }
  }
  return httpFetch;
}

/** One HTTP exchange, read to its end; rejects like fetch: the signal's reason, or TypeError("fetch failed"). */
function send(url: URL, method: string, headers: OutgoingHttpHeaders, body: Buffer | undefined, signal: AbortSignal | undefined, agent: Agent) {
  return new Promise<Reply>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!settle()) return;
      request.destroy(); // the socket is not returned to the pool half-read
      reject(error);
    };
    const onAbort = (): void => fail(abortReason(signal as AbortSignal));
    const options = {
      protocol: url.protocol,
      // URL keeps the brackets of an IPv6 literal; node:http wants the bare address.
      hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method,
      headers,
      agent,
    };
    let request: ReturnType<typeof httpRequest>;
    try {
      request = url.protocol === "https:" ? httpsRequest(options) : httpRequest(options);
    } catch (error) {
      // node:http validates header names and values here; fetch's Headers would have thrown a TypeError.
      reject(new TypeError(error instanceof Error ? error.message : String(error), { cause: error }));
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    // The listeners stay after settling: a late socket error must not become an uncaught exception.
    request.on("error", (error) => fail(fetchFailed(error)));
    // A 101 to a request that asked for no upgrade: without a listener node:http drops the socket silently.
    request.on("upgrade", (_response, socket) => {
      socket.destroy();
      fail(fetchFailed(new Error(`unexpected protocol upgrade (HTTP ${_response.statusCode})`)));
    });
    request.on("response", (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => fail(fetchFailed(error)));
      response.on("close", () => {
        if (!response.complete) fail(fetchFailed(Object.assign(new Error("aborted"), { code: "ECONNRESET" })));
      });
      response.on("end", () => {
        if (!settle()) return;
        try {
          resolve(toReply(response, method, chunks));
        } catch (error) {
          reject(fetchFailed(error));
        }
      });
    });
    request.end(body);
  });
}

function toReply(response: IncomingMessage, method: string, chunks: Buffer[]): Reply {
  const status = response.statusCode ?? 0;
  const raw = response.rawHeaders;
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i] as string, raw[i + 1] as string]);
  const empty = method === "HEAD" || method === "CONNECT" || nullBodyStatuses.has(status);
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  return {
    status,
    statusText: response.statusMessage ?? "",
    headers,
    body: empty ? null : decode(bytes, response.headers["content-encoding"]),
    location: response.headers.location,
  };
}

/** Undoes `Content-Encoding` (codings applied in order, so undone in reverse); unknown codings are left as they are, like undici. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (!encoding || body.length === 0) return body;
  const codings = encoding.toLowerCase().split(",");
  let decoded = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = (codings[i] as string).trim();
    if (coding === "gzip" || coding === "x-gzip") decoded = gunzipSync(decoded, zlibFlush);
    // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: a zlib header starts 0x?8.
    else if (coding === "deflate")
      decoded = ((decoded[0] ?? 0) & 0x0f) === 0x08 ? inflateSync(decoded, zlibFlush) : inflateRawSync(decoded, zlibFlush);
    else if (coding === "br") decoded = brotliDecompressSync(decoded, brotliFlush);
    else if (coding !== "identity" && coding !== "") return body;
  }
  return decoded;
}

function toResponse(reply: Reply, url: URL): Response {
  return new BufferedResponse(reply, url.href) as unknown as Response;
}

/**
 * A `Response` whose body is already in memory. undici's Response wraps every body in a web stream
 * (made transferable, then read back through a reader): about a fifth of the CLI's CPU per request in
 * `npm run bench`. The SDKs read `status`, `ok`, `headers`, `url`, then `json()` or `text()`; those are
 * served from the buffer. `body`, `blob()`, `formData()` and `clone()` go to a real Response made on
 * first use, so every part of the interface behaves as fetch's own (a body is read at most once).
 */
class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected = false;
  readonly type: ResponseType = "basic";
  #bytes: Buffer | null;
  /** a null body (204, HEAD…) reads as empty any number of times and is never "used" */
  readonly #nullBody: boolean;
  #used = false;
  #real: Response | undefined;

  constructor(reply: Reply, url: string) {
    this.status = reply.status;
    this.statusText = reply.statusText;
    this.headers = new Headers(reply.headers);
    this.url = url;
    this.#bytes = reply.body;
    this.#nullBody = reply.body === null;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#realResponse().body;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#real?.bodyUsed ?? false);
  }

  async text(): Promise<string> {
    // Like fetch's UTF-8 decode: a leading byte-order mark is dropped.
    return this.#real && !this.#used ? this.#real.text() : stripBom(this.#take().toString("utf8"));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real && !this.#used) return this.#real.arrayBuffer();
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  blob(): Promise<Blob> {
    return this.#realResponse().blob();
  }

  formData(): Promise<FormData> {
    return this.#realResponse().formData();
  }

  clone(): Response {
    return this.#realResponse().clone();
  }

  /** The body's bytes, once; a second read is fetch's TypeError. */
  #take(): Buffer {
    if (this.#nullBody) return Buffer.alloc(0);
    if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    const bytes = this.#bytes ?? Buffer.alloc(0);
    this.#bytes = null;
    return bytes;
  }

  #realResponse(): Response {
    if (!this.#real) {
      // Node's Buffers are never backed by a SharedArrayBuffer here; the cast only satisfies the DOM typing.
      this.#real = new Response(this.#bytes as Uint8Array<ArrayBuffer> | null, {
        status: this.status,
        statusText: this.statusText,
        headers: this.headers,
      });
      this.#bytes = null;
    }
    return this.#real;
  }
}

// `instanceof Response` holds, as for fetch's own responses; every member is defined above, so nothing
// of undici's (which checks its own internal slots) is reached through the prototype.
Object.setPrototypeOf(BufferedResponse.prototype, Response.prototype);

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Bodies read whole without a stream; the rest (ReadableStream, Blob, FormData, iterables) go to the global fetch. */
function isBufferable(body: unknown): boolean {
  return body == null || typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof URLSearchParams;
}

function toBuffer(body: BodyInit | null | undefined, headers: OutgoingHttpHeaders): Buffer | undefined {
  if (body == null) return undefined;
  if (typeof body === "string") {
    headers["content-type"] ??= "text/plain;charset=UTF-8";
    return Buffer.from(body, "utf8");
  }
  if (body instanceof URLSearchParams) {
    headers["content-type"] ??= "application/x-www-form-urlencoded;charset=UTF-8";
    return Buffer.from(body.toString(), "utf8");
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  const view = body as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Lower-cased names, repeated names joined with ", " (as `Headers` does), values trimmed of HTTP whitespace. */
function toNodeHeaders(init: HeadersInit | undefined): OutgoingHttpHeaders {
  const headers: Record<string, string> = Object.create(null);
  if (init === undefined) return headers;
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      headers[name] = value;
    });
    return headers;
  }
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const trimmed = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
    headers[key] = key in headers ? `${headers[key]}, ${trimmed}` : trimmed;
  };
  if (Symbol.iterator in init) {
    for (const pair of init as Iterable<readonly string[]>) {
      if (pair.length !== 2) throw new TypeError("Headers constructor: expected name/value pair to be length 2");
      add(pair[0] as string, pair[1] as string);
    }
  } else for (const [name, value] of Object.entries(init)) add(name, value);
  return headers;
}

function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return normalisedMethods.has(upper) ? upper : method;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** What undici rejects with on any network failure; the SDKs turn it into APIConnectionError. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}
