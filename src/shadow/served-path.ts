/**
 * The served path: the client's request goes to the baseline as it came (method, path, headers, body
 * bytes) and the baseline's status, headers and body go back unchanged, an SSE stream chunk by chunk
 * with backpressure (a slow client pauses the upstream read, it is not buffered). Only hop-by-hop
 * headers (RFC 9110 §7.6.1), which describe one connection, are not copied. A client that disconnects
 * aborts the upstream request. When asked, a copy of the body is kept for the traffic log.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import type { TrafficError } from "../traffic/types.js";
import type { ShadowMetrics } from "./metrics.js";
import type { CapturedResponse } from "./read-completion.js";

const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host", "expect"]);

export interface BaselineEndpoint {
  /** keep-alive connections to the baseline, through HTTP(S)_PROXY when set (upstream-agent.ts) */
  agent: Dispatcher;
  /** `http://host:port` */
  origin: string;
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

/** The baseline's raw header lines minus hop-by-hop ones, as the flat [name, value, …] list `writeHead` takes: names keep their case, repeats stay repeated. */
function responseHeaders(raw: Buffer[], draining: boolean): { headers: string[]; contentType?: string; contentEncoding?: string } {
  const headers: string[] = [];
  let contentType: string | undefined;
  let contentEncoding: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString("latin1");
    const lower = name.toLowerCase();
    if (hopByHop.has(lower)) continue;
    const value = (raw[i + 1] as Buffer).toString("latin1");
    if (lower === "content-type") contentType ??= value;
    else if (lower === "content-encoding") contentEncoding ??= value;
    headers.push(name, value);
  }
  if (draining) headers.push("connection", "close");
  return { headers, ...(contentType !== undefined ? { contentType } : {}), ...(contentEncoding !== undefined ? { contentEncoding } : {}) };
}

/**
 * Forwards one request whose body has been read; resolves when the response has ended either way.
 * undici's handler interface rather than `request()`: no AbortSignal, no body stream per request — the
 * served path's own cost (bench/shadow.ts) is most of what the proxy adds.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  arrivedAt: number,
  endpoint: BaselineEndpoint,
  options: ForwardOptions,
): Promise<ServedResult> {
  return new Promise<ServedResult>((resolve) => {
    let abort: ((error?: Error) => void) | undefined;
    let clientGone = false;
    let ended = false;
    res.once("close", () => {
      if (ended || res.writableFinished) return;
      clientGone = true;
      abort?.(new Error("the client disconnected"));
    });
    const sentAt = performance.now();
    let status: number | undefined;
    let contentType: string | undefined;
    let contentEncoding: string | undefined;
    let streaming = false;
    let ttftMs: number | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const finish = (result: ServedResult) => {
      ended = true;
      resolve(result);
    };
    endpoint.agent.dispatch(
      {
        origin: endpoint.origin,
        path: upstreamPath(endpoint.basePath, req.url ?? "/"),
        method: req.method as Dispatcher.HttpMethod,
        headers: requestHeaders(req.rawHeaders),
        body: body.length > 0 ? body : null,
      },
      {
        onConnect(abortRequest) {
          abort = abortRequest;
          if (clientGone) abortRequest(new Error("the client disconnected"));
        },
        onHeaders(statusCode, raw, resume, statusText) {
          // 1xx informational answers are the connection's business, not the client's.
          if (statusCode < 200) return true;
          const headersAt = performance.now();
          status = statusCode;
          const copied = responseHeaders(raw, options.draining());
          contentType = copied.contentType;
          contentEncoding = copied.contentEncoding;
          streaming = contentType?.includes("text/event-stream") === true;
          res.writeHead(statusCode, statusText, copied.headers);
          // A stream's headers go out now (the client sees the response start); a JSON body's go with it, in one write.
          if (streaming) res.flushHeaders();
          // Added: before the request went upstream (reading the body, sampling) + relaying the headers back.
          options.metrics.observeAddedLatency(sentAt - arrivedAt + (performance.now() - headersAt));
          // Backpressure: onData returning false pauses the upstream socket until the client has drained.
          res.on("drain", resume);
          return true;
        },
        onData(chunk) {
          if (ttftMs === undefined && streaming) ttftMs = Math.round(performance.now() - sentAt);
          if (options.capture && !truncated) {
            size += chunk.length;
            if (size > options.maxCaptureBytes) {
              truncated = true;
              chunks.length = 0;
            } else chunks.push(chunk);
          }
          return res.write(chunk);
        },
        onComplete() {
          res.end();
          finish({
            status,
            ...(options.capture
              ? {
                  captured: {
                    status: status ?? 0,
                    contentType,
                    contentEncoding,
                    body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
                    truncated,
                  },
                }
              : {}),
            latencyMs: Math.round(performance.now() - sentAt),
            ...(ttftMs !== undefined ? { ttftMs } : {}),
          });
        },
        onError(error) {
          const latencyMs = Math.round(performance.now() - sentAt);
          if (clientGone) {
            finish({ status, error: { kind: "network", message: "the client disconnected" }, latencyMs });
            return;
          }
          if (status !== undefined || res.headersSent) {
            // The client gets a cut-off response, as it would from the baseline itself.
            res.destroy();
            finish({ status, error: { kind: "network", message: `the baseline's response broke off: ${error.message}` }, latencyMs });
            return;
          }
          const message = `modelgate shadow: the baseline could not be reached: ${error.message}`;
          if (!res.destroyed) {
            res.writeHead(502, { "content-type": "application/json", ...(options.draining() ? { connection: "close" } : {}) });
            res.end(JSON.stringify({ error: { message, type: "proxy_error", code: "baseline_unreachable" } }));
          }
          finish({ status: 502, error: { kind: "network", message }, latencyMs });
        },
      },
    );
  });
}
