/**
 * A small OpenAI Chat Completions server on 127.0.0.1 for the shadow tests: JSON and SSE replies
 * (chunk by chunk, with usage), tool calls, and faults on demand (a status, a hang, a delay, a reset
 * mid-stream). It records every request's headers and body, so a test can see where credentials went.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ChatRequest {
  headers: IncomingMessage["headers"];
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary wire fields
  body: any;
  raw: string;
}

export type ChatFault =
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  | { kind: "hang" }
  /** sends the stream's first chunks, then destroys the socket */
  | { kind: "reset-mid-stream" };

export interface ChatServerOptions {
  /** the reply text (default: "reply from <model>") */
  text?: (request: ChatRequest) => string;
  toolCall?: (request: ChatRequest) => { name: string; arguments: string } | undefined;
  latencyMs?: number | ((request: ChatRequest) => number);
  /** pause between stream chunks */
  chunkDelayMs?: number;
  fault?: (request: ChatRequest) => ChatFault | undefined;
}

export interface ChatServer {
  url: string;
  /** `url + "/v1"` */
  baseUrl: string;
  requests: ChatRequest[];
  /** requests whose response has not ended */
  inFlight(): number;
  close(): Promise<void>;
}

export async function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const requests: ChatRequest[] = [];
  const sockets = new Set<Socket>();
  let active = 0;
  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (raw += chunk));
    req.on("end", () => {
      active++;
      res.once("close", () => active--);
      void answer(req, res, raw);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  async function answer(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    let body: ChatRequest["body"] = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "bad json" } }));
      return;
    }
    const request: ChatRequest = { headers: req.headers, body, raw };
    requests.push(request);
    const fault = options.fault?.(request);
    if (fault?.kind === "hang") return;
    const latency = typeof options.latencyMs === "function" ? options.latencyMs(request) : (options.latencyMs ?? 0);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (res.destroyed) return;
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "application/json", "x-upstream": "fault", ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ error: { message: `fault ${fault.status}`, type: "server_error" } }));
      return;
    }
    const model = String(body.model ?? "unknown");
    const text = options.text?.(request) ?? `reply from ${model}`;
    const call = options.toolCall?.(request);
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    if (body.stream === true) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-upstream": "chat-server" });
      const pieces = text.match(/.{1,4}/gs) ?? [""];
      const chunk = (delta: object, extra: object = {}) =>
        `data: ${JSON.stringify({ id: "chatcmpl-s", object: "chat.completion.chunk", model, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }));
      for (const [index, piece] of pieces.entries()) {
        if (options.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, options.chunkDelayMs));
        if (res.destroyed) return;
        res.write(chunk({ content: piece }));
        if (fault?.kind === "reset-mid-stream" && index === 0) {
          req.socket.destroy();
          return;
        }
      }
      if (call) {
        res.write(chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: call.name, arguments: "" } }] }));
        res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: call.arguments } }] }));
      }
      if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: "chatcmpl-s", choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
      return;
    }
    const message = call
      ? { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: call }] }
      : { role: "assistant", content: text };
    const reply = JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      model,
      choices: [{ index: 0, message, finish_reason: "stop" }],
      usage,
    });
    res.writeHead(200, { "content-type": "application/json", "x-upstream": "chat-server", "set-cookie": ["a=1", "b=2"] });
    res.end(reply);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    inFlight: () => active,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
