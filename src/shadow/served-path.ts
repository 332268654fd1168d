/**
 * The served path: the client's request goes to the baseline as it came (method, path, headers, body
 * bytes) and the baseline's status, headers and body go back unchanged, an SSE stream chunk by chunk
 * with backpressure (a slow client pauses the upstream read, it is not buffered). Only hop-by-hop
 * headers (RFC 9110 §7.6.1), which describe one connection, are not copied. A client that disconnects
 * aborts the upstream request. When asked, a copy of the body is kept for the traffic log.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Dispatcher, Pool } from "undici";
import type { TrafficError } from "../traffic/types.js";
import type { ShadowMetrics } from "./metrics.js";
import type { CapturedResponse } from "./read-completion.js";

const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host", "expect"]);

export interface BaselineEndpoint {
  pool: Pool;
  /** the base URL's path without its trailing slash (`/v1`) */
  basePath: string;
}

export interface ForwardOptions {
  /** keep the body (up to `maxCaptureBytes`) for the log */
  capture: boolean;
  maxCaptureBytes: number;
  metrics: ShadowMetrics;
  /** the proxy is shutting down: tell the client to close this connection */
  draining: () => boolean;
}

/** How a served request ended. `captured` is there when the upstream answered and capture was asked. */
export interface ServedResult {
  status: number | undefined;
  captured?: CapturedResponse;
  /** the request never got a complete answer (the client left, the baseline was unreachable) */
  error?: TrafficError;
  latencyMs: number;
  /** first body byte after the request was sent, for an event stream */
  ttftMs?: number;
}

/** `/v1/chat/completions` against a base URL `http://host/v1` → `/v1/chat/completions`; against `http://gw/openai/v1` → `/openai/v1/chat/completions`. */
export function upstreamPath(basePath: string, clientUrl: string): string {
  const rest = clientUrl.startsWith("/v1/") || clientUrl === "/v1" ? clientUrl.slice(3) : clientUrl;
  return `${basePath}${rest}`;
}

function requestHeaders(raw: string[]): string[] {
  const headers: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!hopByHop.has(name.toLowerCase())) headers.push(name, raw[i + 1] as string);
  }
  return headers;
}

function responseHeaders(headers: Dispatcher.ResponseData["headers"], draining: boolean): OutgoingHttpHeaders {
  const copy: OutgoingHttpHeaders = {};
  for (const name in headers) if (!hopByHop.has(name)) copy[name] = headers[name];
  if (draining) copy.connection = "close";
  return copy;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Forwards one request whose body has been read; resolves when the response has ended either way. */
export async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  arrivedAt: number,
  endpoint: BaselineEndpoint,
  options: ForwardOptions,
): Promise<ServedResult> {
  const controller = new AbortController();
  let clientGone = false;
  res.once("close", () => {
    if (res.writableFinished) return;
    clientGone = true;
    controller.abort();
  });
  const sentAt = performance.now();
  let response: Dispatcher.ResponseData;
  try {
    response = await endpoint.pool.request({
      path: upstreamPath(endpoint.basePath, req.url ?? "/"),
      method: req.method as Dispatcher.HttpMethod,
      headers: requestHeaders(req.rawHeaders),
      body: body.length > 0 ? body : null,
      signal: controller.signal,
    });
  } catch (error) {
    const latencyMs = Math.round(performance.now() - sentAt);
    if (clientGone) return { status: undefined, error: { kind: "network", message: "the client disconnected" }, latencyMs };
    const message = `modelgate shadow: the baseline could not be reached: ${(error as Error).message}`;
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(502, { "content-type": "application/json", ...(options.draining() ? { connection: "close" } : {}) });
      res.end(JSON.stringify({ error: { message, type: "proxy_error", code: "baseline_unreachable" } }));
    }
    return { status: 502, error: { kind: "network", message }, latencyMs };
  }
  const headersAt = performance.now();
  res.writeHead(response.statusCode, responseHeaders(response.headers, options.draining()));
  const contentType = first(response.headers["content-type"]);
  const streaming = contentType?.includes("text/event-stream") === true;
  // A stream's headers go out now (the client sees the response start); a JSON body's go with it, in one write.
  if (streaming) res.flushHeaders();
  options.metrics.observeAddedLatency(performance.now() - arrivedAt - (headersAt - sentAt));

  return new Promise<ServedResult>((resolve) => {
    const upstream = response.body;
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let ttftMs: number | undefined;
    upstream.on("data", (chunk: Buffer) => {
      if (ttftMs === undefined && streaming) ttftMs = Math.round(performance.now() - sentAt);
      if (options.capture && !truncated) {
        size += chunk.length;
        if (size > options.maxCaptureBytes) {
          truncated = true;
          chunks.length = 0;
        } else chunks.push(chunk);
      }
      if (!res.write(chunk)) upstream.pause();
    });
    res.on("drain", () => upstream.resume());
    const captured = (): CapturedResponse | undefined =>
      options.capture
        ? {
            status: response.statusCode,
            contentType,
            contentEncoding: first(response.headers["content-encoding"]),
            body: Buffer.concat(chunks),
            truncated,
          }
        : undefined;
    upstream.on("end", () => {
      res.end();
      const kept = captured();
      resolve({
        status: response.statusCode,
        ...(kept ? { captured: kept } : {}),
        latencyMs: Math.round(performance.now() - sentAt),
        ...(ttftMs !== undefined ? { ttftMs } : {}),
      });
    });
    upstream.on("error", (error) => {
      // The client gets a cut-off response, as it would from the baseline itself.
      res.destroy();
      const message = clientGone ? "the client disconnected" : `the baseline's response broke off: ${error.message}`;
      resolve({ status: response.statusCode, error: { kind: "network", message }, latencyMs: Math.round(performance.now() - sentAt) });
    });
  });
}
