/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI Chat Completions and Anthropic Messages wire
 * formats, so the official SDKs run against it unmodified, with faults (status codes, hangs, malformed
 * bodies, resets, throttling) injected on demand. Used by the test suite and the benchmark script.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  anthropicUsage,
  chatUsage,
  type FakeUsage,
  normaliseResponsesBody,
  responsesPayload,
  streamAnthropic,
  streamChat,
  streamResponses,
} from "./fake-llm-wire.js";

/** `responses`: OpenAI's Responses API (`POST …/responses`); Azure's chat path is `openai`. */
export type FakeApi = "openai" | "anthropic" | "responses";

/** One request as it arrived, plus a view normalised across both APIs for responders. */
export interface FakeRequest {
  api: FakeApi;
  path: string;
  /** the query string's parameters (Azure sends `api-version`) */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: responders read arbitrary wire fields (temperature, tool_choice, ...)
  body: any;
  model: string;
  /** OpenAI system/developer messages, or Anthropic `system`, joined with blank lines. */
  system?: string;
  /** Non-system turns as text. Tool results are role "tool" in both APIs (Anthropic: a user turn of only tool_result blocks). */
  messages: Array<{ role: string; content: string }>;
  /** Text of the last user message ("" if none). */
  lastUser: string;
  /** Tools offered, from OpenAI `tools[].function` or Anthropic `tools[]`. */
  tools?: Array<{ name: string; description?: string; parameters: unknown }>;
  /** 0-based arrival order since start or the last reset(). */
  index: number;
}

export interface FakeReply {
  text?: string;
  /** `arguments` as a string is sent raw (possibly invalid JSON) — see toAnthropicInput for Anthropic. */
  tool_calls?: Array<{ name: string; arguments: unknown | string }>;
  /** totals, with cached / cache-written / reasoning parts (sent in each API's own usage shape) */
  usage?: FakeUsage;
  /** the model the response names (default: the requested one) */
  model?: string;
  /** OpenAI Chat Completions `system_fingerprint` */
  system_fingerprint?: string;
  /** OpenAI refusal (Chat Completions `message.refusal`, Responses `refusal` content) instead of text */
  refusal?: string;
  /** Responses API: a reasoning item before the message */
  reasoning?: boolean;
}

export type Fault =
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  | { kind: "hang" }
  | { kind: "malformed" }
  /** OpenAI: `choices: []`; Anthropic: `content: []`, with `stopReason` as the stop_reason (default end_turn). */
  | { kind: "empty-choices"; stopReason?: string | null }
  | { kind: "reset" }
  /** An error (default 400) whose message quotes the request's Authorization / x-api-key headers, as some gateways do. */
  | { kind: "echo-auth"; status?: number };

export interface FakeServerOptions {
  respond?: (req: FakeRequest) => FakeReply | Promise<FakeReply>;
  latencyMs?: number | ((req: FakeRequest) => number);
  /** Called per request before responding; return a Fault to inject it for this request. */
  fault?: (req: FakeRequest) => Fault | undefined;
  /** Answer 429 (Retry-After: 0) when more than this many requests are in flight. */
  maxInFlight?: number;
  /** Requests whose Authorization / x-api-key / api-key header does not contain this key get 401. */
  requireKey?: string;
  /** Streamed replies (`stream: true`): ms between events, after `latencyMs` before the first. */
  chunkDelayMs?: number;
}

export interface FakeServerStats {
  /** Requests that reached a known endpoint (both APIs), including throttled and faulted ones. */
  requests: number;
  /** Peak concurrent requests, counted from arrival to response finish or socket close. */
  maxInFlight: number;
  inFlight: number;
  byApi: { openai: number; anthropic: number; responses: number };
  /** Requests answered 429 by the `maxInFlight` throttle. */
  throttled: number;
  log: FakeRequest[];
}

export interface FakeServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** `url + "/v1"`: the OpenAI SDK appends `/chat/completions`. */
  openaiBaseUrl: string;
  /** `url`: the Anthropic SDK appends `/v1/messages`. */
  anthropicBaseUrl: string;
  stats: FakeServerStats;
  /** Zero the stats (except requests still in flight), the log and the arrival index. */
  reset(): void;
  /** Stop listening and destroy every open socket, hanging requests included. */
  close(): Promise<void>;
}

/** Start a fake LLM server on an ephemeral port of 127.0.0.1. */
export async function startFakeLlmServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const respond = options.respond ?? ((req: FakeRequest) => ({ text: `ok: ${req.lastUser}` }));
  const stats = emptyStats();
  let nextIndex = 0;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      // A bug in a responder must show up in the test, not as a hung request.
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: { message: String(error) } });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const api = detectApi(path);
    if (api === undefined || req.method !== "POST") {
      await drain(req);
      sendJson(res, 404, {
        error: { message: `fake-llm-server: no route for ${req.method} ${path}`, type: "not_found" },
      });
      return;
    }

    // Count at arrival (before the body is read) so concurrent clients are seen as concurrent.
    const index = nextIndex++;
    stats.requests++;
    stats.byApi[api]++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const inFlightNow = stats.inFlight;
    const done = new AbortController();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      stats.inFlight--;
      done.abort();
    };
    res.on("finish", finish);
    res.on("close", finish);

    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      sendError(res, api, 400, "request body is not JSON");
      return;
    }
    const fakeReq = normaliseRequest(api, path, req.headers, body, index);
    fakeReq.query = Object.fromEntries(new URL(req.url ?? "/", "http://fake").searchParams);
    stats.log.push(fakeReq);

    if (options.requireKey !== undefined && !hasKey(req, options.requireKey)) {
      sendError(res, api, 401, "invalid api key");
      return;
    }
    if (options.maxInFlight !== undefined && inFlightNow > options.maxInFlight) {
      stats.throttled++;
      sendError(res, api, 429, `more than ${options.maxInFlight} requests in flight`, "0");
      return;
    }

    const fault = options.fault?.(fakeReq);
    if (fault?.kind === "hang") return; // the socket stays open until the client aborts or close()

    const latency = typeof options.latencyMs === "function" ? options.latencyMs(fakeReq) : (options.latencyMs ?? 0);
    if (latency > 0) {
      try {
        await sleep(latency, undefined, { signal: done.signal });
      } catch {
        return; // client went away (or close()) while we were "thinking"
      }
    }
    if (res.destroyed) return;

    if (fault?.kind === "echo-auth") {
      const sent = [req.headers.authorization, req.headers["x-api-key"]].flat().filter((v) => typeof v === "string");
      sendError(res, api, fault.status ?? 400, `invalid request headers: ${sent.join(", ")}`);
      return;
    }
    if (fault?.kind === "status") {
      if (fault.body !== undefined) {
        res.writeHead(fault.status, {
          "content-type": "application/json",
          ...(fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {}),
        });
        res.end(fault.body);
      } else {
        sendError(res, api, fault.status, `injected ${fault.status}`, fault.retryAfter);
      }
      return;
    }

    const reply = fault?.kind === "empty-choices" ? {} : await respond(fakeReq);
    const payload =
      api === "openai" ? openaiResponse(fakeReq, reply) : api === "responses" ? responsesResponse(fakeReq, reply) : anthropicResponse(fakeReq, reply);
    if (fault?.kind === "empty-choices") {
      if (api === "openai") payload.choices = [];
      else if (api === "responses") payload.output = [];
      else {
        payload.content = [];
        if (fault.stopReason !== undefined) payload.stop_reason = fault.stopReason;
      }
    }
    const text = JSON.stringify(payload);

    if (fault?.kind === "malformed") {
      // Claims JSON, cut mid-object: the SDK's response.json() must fail, not return a string.
      sendRaw(res, 200, text.slice(0, Math.floor(text.length / 2)));
      return;
    }
    if (fault?.kind === "reset") {
      // Promise the whole body, send half, then drop the connection.
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
      return;
    }
    if (fakeReq.body?.stream === true) {
      const delay = options.chunkDelayMs ?? 0;
      if (api === "openai") await streamChat(res, payload, fakeReq.body?.stream_options?.include_usage === true, delay);
      else if (api === "responses") await streamResponses(res, payload, delay);
      else await streamAnthropic(res, payload, delay);
      return;
    }
    sendRaw(res, 200, text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const fake: FakeServer = {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    stats,
    reset() {
      nextIndex = 0;
      // Same object (callers may hold it); requests still open keep counting down inFlight.
      Object.assign(stats, emptyStats(), { inFlight: stats.inFlight });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
  return fake;
}

// ---------------------------------------------------------------- fault helpers

/** Inject faults at given arrival indices: `faultsOnce({ 0: { kind: "status", status: 500 } })`. */
export function faultsOnce(schedule: Record<number, Fault>): (req: FakeRequest) => Fault | undefined {
  return (req) => schedule[req.index];
}

/**
 * Fail the first `n` attempts of each distinct request body (keyed by its hash), then let it through —
 * retries must absorb the fault whatever order concurrent requests arrive in.
 */
export function failFirstAttempts(n: number, fault: Fault): (req: FakeRequest) => Fault | undefined {
  const attempts = new Map<string, number>();
  return (req) => {
    const key = createHash("sha256")
      .update(`${req.api}\n${JSON.stringify(req.body)}`)
      .digest("hex");
    const seen = attempts.get(key) ?? 0;
    attempts.set(key, seen + 1);
    return seen < n ? fault : undefined;
  };
}

// ---------------------------------------------------------------- request side

function emptyStats(): FakeServerStats {
  return { requests: 0, maxInFlight: 0, inFlight: 0, byApi: { openai: 0, anthropic: 0, responses: 0 }, throttled: 0, log: [] };
}

function detectApi(path: string): FakeApi | undefined {
  if (path.endsWith("/chat/completions")) return "openai";
  if (path.endsWith("/messages")) return "anthropic";
  if (path.endsWith("/responses")) return "responses";
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req);
}

function hasKey(req: IncomingMessage, key: string): boolean {
  const values = [req.headers.authorization, req.headers["x-api-key"], req.headers["api-key"]].flat();
  return values.some((v) => typeof v === "string" && v.includes(key));
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Flatten string | content-part[] (either API) to text; tool calls and results become readable lines. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return asArray(content)
    .map((part) => {
      const p = asObject(part);
      switch (p.type) {
        case "text":
          return String(p.text ?? "");
        case "tool_use":
          return `[tool_use ${String(p.name)} ${JSON.stringify(p.input ?? {})}]`;
        case "tool_result":
          return contentText(p.content);
        default:
          return `[${String(p.type)}]`;
      }
    })
    .join("\n");
}

function normaliseRequest(api: FakeApi, path: string, headers: IncomingMessage["headers"], body: unknown, index: number): FakeRequest {
  const b = asObject(body);
  const systems: string[] = [];
  const messages: Array<{ role: string; content: string }> = [];

  if (api === "responses") {
    const view = normaliseResponsesBody(b);
    systems.push(...view.systems);
    messages.push(...view.messages);
  } else if (api === "openai") {
    for (const m of asArray(b.messages).map(asObject)) {
      const role = String(m.role ?? "");
      if (role === "system" || role === "developer") {
        systems.push(contentText(m.content));
        continue;
      }
      const calls = asArray(m.tool_calls).map((c) => {
        const fn = asObject(asObject(c).function);
        return `[tool_use ${String(fn.name)} ${String(fn.arguments ?? "")}]`;
      });
      messages.push({ role, content: [contentText(m.content ?? ""), ...calls].filter(Boolean).join("\n") });
    }
  } else {
    if (b.system !== undefined) systems.push(contentText(b.system));
    for (const m of asArray(b.messages).map(asObject)) {
      const blocks = asArray(m.content).map(asObject);
      // Anthropic carries tool results in a user turn; call it "tool" so responders see one shape.
      const onlyResults = blocks.length > 0 && blocks.every((x) => x.type === "tool_result");
      messages.push({ role: onlyResults ? "tool" : String(m.role ?? ""), content: contentText(m.content) });
    }
  }

  const tools = (api === "responses" ? normaliseResponsesBody(b).tools : asArray(b.tools)).map((t) => {
    if (api === "responses") return t as { name: string; description?: string; parameters: unknown };
    const o = asObject(t);
    const def = api === "openai" ? asObject(o.function) : o;
    const parameters = api === "openai" ? def.parameters : def.input_schema;
    return {
      name: String(def.name ?? ""),
      ...(typeof def.description === "string" ? { description: def.description } : {}),
      parameters: parameters ?? {},
    };
  });
  const lastUser = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";

  return {
    api,
    path,
    query: {},
    headers: { ...headers },
    body,
    model: String(b.model ?? ""),
    ...(systems.length > 0 ? { system: systems.join("\n\n") } : {}),
    messages,
    lastUser,
    ...(tools.length > 0 ? { tools } : {}),
    index,
  };
}

// ---------------------------------------------------------------- response side

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function rawArguments(args: unknown): string {
  return typeof args === "string" ? args : JSON.stringify(args ?? {});
}

/** Default usage: ~4 characters per token, deterministic so cost assertions are exact. */
function usageOf(req: FakeRequest, reply: FakeReply): FakeUsage {
  if (reply.usage) return reply.usage;
  const input = [req.system ?? "", ...req.messages.map((m) => m.content)].join("");
  const output = [reply.text ?? "", ...(reply.tool_calls ?? []).map((c) => c.name + rawArguments(c.arguments))];
  return { input_tokens: estimateTokens(input), output_tokens: estimateTokens(output.join("")) };
}

/** Content-derived ids: stable across runs whatever order concurrent requests arrive in. */
function toolCallId(prefix: string, name: string, args: string, position: number): string {
  return prefix + createHash("sha256").update(`${position}\n${name}\n${args}`).digest("hex").slice(0, 24);
}

/**
 * Anthropic sends tool input as an object, so a raw string is parsed when it is valid JSON; invalid
 * JSON is sent as a bare string `input`, like a misbehaving gateway would, to exercise the provider.
 */
function toAnthropicInput(args: unknown): unknown {
  if (typeof args !== "string") return args ?? {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function openaiResponse(req: FakeRequest, reply: FakeReply): Json {
  const calls = (reply.tool_calls ?? []).map((c, i) => {
    const args = rawArguments(c.arguments);
    return { id: toolCallId("call_", c.name, args, i), type: "function", function: { name: c.name, arguments: args } };
  });
  const usage = usageOf(req, reply);
  return {
    id: `chatcmpl-fake-${req.index}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? req.model,
    ...(reply.system_fingerprint !== undefined ? { system_fingerprint: reply.system_fingerprint } : {}),
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.refusal !== undefined ? null : (reply.text ?? (calls.length > 0 ? null : "")),
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
          refusal: reply.refusal ?? null,
        },
        finish_reason: calls.length > 0 ? "tool_calls" : "stop",
        logprobs: null,
      },
    ],
    usage: chatUsage(usage),
  };
}

function responsesResponse(req: FakeRequest, reply: FakeReply): Json {
  const calls = (reply.tool_calls ?? []).map((c, i) => {
    const args = rawArguments(c.arguments);
    return { id: toolCallId("call_", c.name, args, i), name: c.name, arguments: args };
  });
  return responsesPayload(
    req.index,
    reply.model ?? req.model,
    {
      calls,
      ...(reply.text !== undefined ? { text: reply.text } : {}),
      ...(reply.refusal !== undefined ? { refusal: reply.refusal } : {}),
      ...(reply.reasoning ? { reasoning: true } : {}),
    },
    usageOf(req, reply),
  );
}

function anthropicResponse(req: FakeRequest, reply: FakeReply): Json {
  const calls = (reply.tool_calls ?? []).map((c, i) => ({
    type: "tool_use",
    id: toolCallId("toolu_", c.name, rawArguments(c.arguments), i),
    name: c.name,
    input: toAnthropicInput(c.arguments),
  }));
  const text = reply.text !== undefined || calls.length === 0 ? [{ type: "text", text: reply.text ?? "" }] : [];
  return {
    id: `msg_fake_${req.index}`,
    type: "message",
    role: "assistant",
    model: reply.model ?? req.model,
    content: [...text, ...calls],
    stop_reason: calls.length > 0 ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: anthropicUsage(usageOf(req, reply)),
  };
}

const anthropicErrorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

const openaiErrorTypes: Record<number, { type: string; code: string | null }> = {
  400: { type: "invalid_request_error", code: null },
  401: { type: "invalid_request_error", code: "invalid_api_key" },
  404: { type: "invalid_request_error", code: "model_not_found" },
  429: { type: "requests", code: "rate_limit_exceeded" },
};

/** An error body in the API's own format, so the SDK fills `err.error` / `err.type` as in production. */
function sendError(res: ServerResponse, api: FakeApi, status: number, message: string, retryAfter?: string): void {
  const body =
    api === "anthropic"
      ? { type: "error", error: { type: anthropicErrorTypes[status] ?? "api_error", message } }
      : { error: { message, ...(openaiErrorTypes[status] ?? { type: "server_error", code: null }), param: null } };
  sendJson(res, status, body, retryAfter === undefined ? {} : { "retry-after": retryAfter });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

function sendRaw(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
