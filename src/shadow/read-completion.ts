/**
 * What an arm answered, read from the bytes of an OpenAI Chat Completions response (a JSON body or an
 * SSE stream): text, tool calls, usage, or the error. Runs after the response has gone to the client,
 * never on the served path's way.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { parseToolArguments } from "../providers/tool-arguments.js";
import type { TrafficArm, TrafficError, TrafficErrorKind } from "../traffic/types.js";
import type { ToolCall, Usage } from "../types.js";

/** The bytes an arm's response carried, as far as they were kept. */
export interface CapturedResponse {
  status: number;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  body: Buffer;
  /** the body went past the capture cap: what was kept is a prefix */
  truncated: boolean;
}

export type ArmAnswer = Pick<TrafficArm, "output" | "tool_calls" | "usage" | "error">;

/** Longest error message kept in a traffic line. */
const maxMessageChars = 500;

/** The error kind of an HTTP status (SPEC §9's taxonomy). */
export function statusErrorKind(status: number): TrafficErrorKind {
  if (status === 429) return "rate_limit";
  if (status === 401 || status === 403) return "auth";
  if (status === 408 || status === 504) return "timeout";
  if (status >= 500) return "server";
  return "bad_request";
}

export function failedAnswer(error: TrafficError): ArmAnswer {
  return { output: null, error: { kind: error.kind, message: error.message.slice(0, maxMessageChars) } };
}

/** Reads a captured response; a body that cannot be read is an error on the arm, never a throw. */
export function readCompletion(captured: CapturedResponse): ArmAnswer {
  let text: string;
  try {
    text = decode(captured).toString("utf8");
  } catch {
    return failedAnswer({ kind: "server", message: `the response body could not be decoded (${captured.contentEncoding})` });
  }
  if (captured.status >= 400) return failedAnswer({ kind: statusErrorKind(captured.status), message: errorMessage(captured.status, text) });
  if (captured.truncated) return failedAnswer({ kind: "server", message: "the response was larger than the capture limit; not recorded" });
  const sse = captured.contentType?.includes("text/event-stream") ?? false;
  try {
    return sse ? readStream(text) : readJson(text);
  } catch (error) {
    return failedAnswer({ kind: "server", message: `malformed response: ${(error as Error).message}` });
  }
}

function decode(captured: CapturedResponse): Buffer {
  const encoding = captured.contentEncoding?.trim().toLowerCase();
  if (!encoding || encoding === "identity") return captured.body;
  if (encoding === "gzip" || encoding === "x-gzip") return gunzipSync(captured.body);
  if (encoding === "deflate") return inflateSync(captured.body);
  if (encoding === "br") return brotliDecompressSync(captured.body);
  throw new Error(`unknown content-encoding ${encoding}`);
}

function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (typeof message === "string") return `HTTP ${status}: ${message}`;
  } catch {
    // not JSON: the text itself
  }
  return `HTTP ${status}: ${text.trim().slice(0, maxMessageChars)}`;
}

// biome-ignore lint/suspicious/noExplicitAny: an upstream's JSON, read field by field with checks
type Wire = any;

function readUsage(usage: Wire): Usage | null {
  if (!usage || typeof usage !== "object") return null;
  const input = Number(usage.prompt_tokens ?? usage.input_tokens ?? 0);
  const output = Number(usage.completion_tokens ?? usage.output_tokens ?? 0);
  return { input_tokens: Number.isFinite(input) ? input : 0, output_tokens: Number.isFinite(output) ? output : 0 };
}

function readJson(text: string): ArmAnswer {
  const body: Wire = JSON.parse(text);
  const message = body?.choices?.[0]?.message;
  if (!message) throw new Error("no choices[0].message");
  const calls: ToolCall[] = [];
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (typeof call?.function?.name !== "string") continue;
    calls.push({ ...(typeof call.id === "string" ? { id: call.id } : {}), name: call.function.name, ...parseToolArguments(call.function.arguments) });
  }
  return { output: typeof message.content === "string" ? message.content : "", tool_calls: calls, usage: readUsage(body.usage), error: null };
}

/** Joins an SSE stream's deltas: content in order, tool calls by index (their arguments arrive in pieces). */
function readStream(text: string): ArmAnswer {
  let output = "";
  let usage: Usage | null = null;
  let error: TrafficError | null = null;
  const calls = new Map<number, { id?: string; name: string; arguments: string }>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const data = line.slice(5).trim();
    if (data === "" || data === "[DONE]") continue;
    const chunk: Wire = JSON.parse(data);
    if (chunk?.error) error = { kind: "server", message: String(chunk.error.message ?? chunk.error).slice(0, maxMessageChars) };
    if (chunk?.usage) usage = readUsage(chunk.usage);
    const delta = chunk?.choices?.[0]?.delta;
    if (!delta) continue;
    if (typeof delta.content === "string") output += delta.content;
    for (const piece of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      const index = Number(piece?.index ?? 0);
      const call = calls.get(index) ?? { name: "", arguments: "" };
      if (typeof piece?.id === "string") call.id = piece.id;
      if (typeof piece?.function?.name === "string") call.name += piece.function.name;
      if (typeof piece?.function?.arguments === "string") call.arguments += piece.function.arguments;
      calls.set(index, call);
    }
  }
  if (error) return { output: null, usage, error };
  const toolCalls: ToolCall[] = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, call]) => ({ ...(call.id ? { id: call.id } : {}), name: call.name, ...parseToolArguments(call.arguments) }));
  return { output, tool_calls: toolCalls, usage, error: null };
}
