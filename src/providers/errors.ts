import { redactSecrets } from "../redact.js";
import type { ErrorKind } from "../types.js";
import type { ClassifiedError } from "./types.js";

/** Reads a header from an SDK error (a `Headers` in current SDKs, a plain record in older ones). */
function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | undefined>;
  return record[name] ?? record[name.toLowerCase()];
}

/** `Retry-After` in seconds or as an HTTP date, or `retry-after-ms`. */
export function retryAfterMs(headers: unknown, now = Date.now()): number | undefined {
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && Number.isFinite(Number(ms))) return clamp(Number(ms));
  const value = header(headers, "retry-after");
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return clamp(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clamp(date - now);
}

/** Not capped here: the runner decides what is too long to wait (runner.ts `maxRetryAfterMs`) and stops the run. */
function clamp(ms: number): number {
  return Math.max(ms, 0);
}

function kindForStatus(status: number): { kind: ErrorKind; retryable: boolean } {
  if (status === 429) return { kind: "rate_limit", retryable: true };
  if (status === 529) return { kind: "overloaded", retryable: true };
  if (status === 408) return { kind: "timeout", retryable: true };
  if (status === 409) return { kind: "server", retryable: true };
  if (status >= 500) return { kind: "server", retryable: true };
  if (status === 401 || status === 403) return { kind: "auth", retryable: false };
  if (status === 404) return { kind: "not_found", retryable: false };
  return { kind: "bad_request", retryable: false };
}

/**
 * Classifies errors thrown by the Stainless-generated SDKs (openai, @anthropic-ai/sdk share the shape):
 * APIError with `status` + `headers`; APIConnectionTimeoutError; APIConnectionError; APIUserAbortError;
 * and the raw SyntaxError/TypeError a malformed or truncated body surfaces as.
 */
export function classifySdkError(error: unknown, timedOut: boolean): ClassifiedError {
  const classified = classify(error, timedOut);
  // Error bodies and connection errors are the provider's words: some gateways echo the Authorization
  // header, and undici quotes a URL with its credentials. Masked before they reach a report or a log.
  return { ...classified, message: redactSecrets(classified.message) };
}

function classify(error: unknown, timedOut: boolean): ClassifiedError {
  const err = error as { name?: string; status?: number; headers?: unknown; message?: string; cause?: unknown; error?: unknown };
  const name = err?.constructor?.name ?? err?.name ?? "";
  if (name === "MalformedResponseError") return { kind: "malformed", message: err.message ?? "malformed response", retryable: true };
  if (typeof err?.status === "number") {
    const { kind, retryable } = kindForStatus(err.status);
    const after = retryAfterMs(err.headers);
    return { kind, status: err.status, message: apiMessage(err), retryable, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  if (timedOut || name === "APIConnectionTimeoutError" || name === "TimeoutError") {
    return { kind: "timeout", message: "request timed out", retryable: true };
  }
  if (name === "APIUserAbortError" || name === "AbortError") return { kind: "aborted", message: "request aborted", retryable: false };
  if (name === "SyntaxError") return { kind: "malformed", message: `malformed response body: ${err.message}`, retryable: true };
  if (name === "APIConnectionError" || name === "TypeError" || name === "FetchError") {
    const detail = rootCause(err) ?? err.message ?? "connection error";
    if (/json|unexpected (end|token)/i.test(String(err.message)))
      return { kind: "malformed", message: `malformed response body: ${err.message}`, retryable: true };
    return { kind: "network", message: `network error: ${detail}`, retryable: true };
  }
  return { kind: "unknown", message: String(err?.message ?? error), retryable: false };
}

/**
 * The most specific reason in an error's `cause` chain (SDK error → TypeError "fetch failed" → the
 * socket's ECONNRESET / ECONNREFUSED …), so the report says what actually happened.
 */
function rootCause(error: { cause?: unknown; message?: string }): string | undefined {
  let best: string | undefined;
  let current: unknown = error.cause;
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string") best = message && typeof message === "string" && !message.includes(code) ? `${code} (${message})` : code;
    else if (typeof message === "string" && message && message !== "fetch failed") best ??= message;
    current = cause;
  }
  return best;
}

function apiMessage(err: { status?: number; message?: string; error?: unknown }): string {
  const body = err.error as { message?: string; error?: { message?: string } } | undefined;
  const text = body?.error?.message ?? body?.message ?? err.message ?? "";
  // Masked before it is cut short, so a key straddling the cut cannot leave its prefix behind.
  return `HTTP ${err.status}${text ? `: ${redactSecrets(text.replace(/^\d{3}\s*/, "")).slice(0, 300)}` : ""}`;
}

/** Thrown by a provider when a 200 response lacks what the wire format promises. */
export class MalformedResponseError extends Error {
  override name = "MalformedResponseError";
}
