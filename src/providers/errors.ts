import { redactSecrets } from "../redact.js";
import type { ErrorKind } from "../types.js";
import type { ClassifiedError } from "./types.js";

/**
 * Error classification by structure only: an HTTP `status`, `instanceof` the classes the provider's own
 * SDK exports, `code`s in the cause chain, and the DOMException names fetch uses. Never by
 * `constructor.name`: the bundler renames classes (`APIConnectionError` became `APIConnectionError2` in
 * dist/, and the built CLI stopped retrying Anthropic connection errors).
 */

/** The SDK error classes a provider module passes in (openai and @anthropic-ai/sdk export the same set). */
export interface SdkErrorClasses {
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
}

/** The longest `Retry-After` the runner waits; a server asking for more fails the endpoint instead. */
export const retryAfterCapMs = 120_000;

/** Socket and undici codes that mean the request never got a complete answer: retry, count as unreachable. */
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
]);
/** Codes that mean a timer ran out somewhere below the SDK. */
const timeoutCodes = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Reads a header from an SDK error (a `Headers` in current SDKs, a plain record in older ones). */
function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | undefined>;
  return record[name] ?? record[name.toLowerCase()];
}

/** `Retry-After` in seconds or as an HTTP date, or `retry-after-ms`, as asked (not capped; never negative). */
export function requestedRetryAfterMs(headers: unknown, now = Date.now()): number | undefined {
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(Number(ms), 0);
  const value = header(headers, "retry-after");
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(seconds * 1000, 0);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0);
}

/** The wait a server asked for, capped at `retryAfterCapMs` (the cap is the runner's longest wait). */
export function retryAfterMs(headers: unknown, now = Date.now()): number | undefined {
  const asked = requestedRetryAfterMs(headers, now);
  return asked === undefined ? undefined : Math.min(asked, retryAfterCapMs);
}

function kindForStatus(status: number): { kind: ErrorKind; retryable: boolean } {
  if (status === 429) return { kind: "rate_limit", retryable: true };
  if (status === 529) return { kind: "overloaded", retryable: true };
  if (status === 408) return { kind: "timeout", retryable: true };
  if (status === 409) return { kind: "server", retryable: true };
  if (status >= 500) return { kind: "server", retryable: true };
  if (status === 401 || status === 403) return { kind: "auth", retryable: false };
  if (status === 404) return { kind: "not_found", retryable: false };
  // 400, 413, 422 and every other 4xx (and a 3xx the client does not follow): the request itself is at fault.
  return { kind: "bad_request", retryable: false };
}

/**
 * Maps what an SDK call threw to our taxonomy. `sdk` is the provider's SDK classes (timeouts and user
 * aborts carry no other mark); `timedOut` is the runner's own timer having fired.
 */
export function classifySdkError(error: unknown, timedOut: boolean, sdk?: SdkErrorClasses): ClassifiedError {
  const classified = classify(error, timedOut, sdk);
  // Error bodies and connection errors are the provider's words: some gateways echo the Authorization
  // header, and undici quotes a URL with its credentials. Masked before they reach a report or a log.
  return { ...classified, message: redactSecrets(classified.message) };
}

/** A `classify` bound to one SDK's classes, for a Provider. */
export function sdkErrorClassifier(sdk: SdkErrorClasses): (error: unknown, timedOut: boolean) => ClassifiedError {
  return (error, timedOut) => classifySdkError(error, timedOut, sdk);
}

function classify(error: unknown, timedOut: boolean, sdk: SdkErrorClasses | undefined): ClassifiedError {
  const err = (typeof error === "object" && error !== null ? error : {}) as {
    status?: unknown;
    headers?: unknown;
    message?: unknown;
    error?: unknown;
  };
  const chain = causeChain(error);
  const tooLarge = chain.find((link) => link instanceof ResponseTooLargeError);
  if (tooLarge) {
    // Asking again would download the same flood: a failed request, not a transient one.
    return { kind: "malformed", message: (tooLarge as Error).message, retryable: false };
  }
  if (chain.some((link) => link instanceof MalformedResponseError)) {
    return { kind: "malformed", message: String((chain.find((link) => link instanceof MalformedResponseError) as Error).message), retryable: true };
  }
  if (typeof err.status === "number") return statusError(err as StatusError);
  if (timedOut || (sdk && error instanceof sdk.APIConnectionTimeoutError) || chain.some(isTimeout)) {
    return { kind: "timeout", message: "request timed out", retryable: true };
  }
  if ((sdk && error instanceof sdk.APIUserAbortError) || chain.some((link) => domName(link) === "AbortError")) {
    return { kind: "aborted", message: "request aborted", retryable: false };
  }
  // A body cut short or not JSON: JSON.parse's SyntaxError (a built-in class: never renamed).
  const syntax = chain.find((link) => link instanceof SyntaxError);
  if (syntax) return { kind: "malformed", message: `malformed response body: ${(syntax as Error).message}`, retryable: true };
  const code = chain.map(codeOf).find((c) => c !== undefined && (networkCodes.has(c) || c.startsWith("UND_ERR_")));
  if (code || (sdk && error instanceof sdk.APIConnectionError) || chain.some(isFetchFailure)) {
    return { kind: "network", message: `network error: ${rootCause(chain) ?? String(err.message ?? "connection error")}`, retryable: true };
  }
  return { kind: "unknown", message: String(err.message ?? error), retryable: false };
}

interface StatusError {
  status: number;
  headers?: unknown;
  message?: string;
  error?: unknown;
}

function statusError(err: StatusError): ClassifiedError {
  const { kind, retryable } = kindForStatus(err.status);
  const asked = requestedRetryAfterMs(err.headers);
  const classified: ClassifiedError = { kind, status: err.status, message: apiMessage(err), retryable };
  if (asked === undefined) return classified;
  if (asked > retryAfterCapMs) {
    // Waiting a day is no retry: the runner fails the endpoint at once instead of sleeping the cap away.
    return { ...classified, retryable: false, retryAfterMs: asked, retryAfterBeyondCap: true };
  }
  return { ...classified, retryAfterMs: asked };
}

/** The error and its `cause`s, outermost first (bounded: a cause chain may loop). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 8; ) {
    if (chain.includes(current)) break;
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function codeOf(link: unknown): string | undefined {
  const code = (link as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A DOMException's name (`AbortError`, `TimeoutError`): part of the web platform, not a class name to rename. */
function domName(link: unknown): string | undefined {
  return link instanceof DOMException ? link.name : undefined;
}

function isTimeout(link: unknown): boolean {
  const code = codeOf(link);
  return domName(link) === "TimeoutError" || (code !== undefined && timeoutCodes.has(code));
}

/** fetch's own rejection for a failed exchange: `TypeError("fetch failed")`, or "terminated" mid-body. */
function isFetchFailure(link: unknown): boolean {
  return link instanceof TypeError && /^(fetch failed|terminated)$/.test(link.message);
}

/**
 * The most specific reason in the cause chain (SDK error → TypeError "fetch failed" → the socket's
 * ECONNRESET / ECONNREFUSED …), so the report says what actually happened.
 */
function rootCause(chain: unknown[]): string | undefined {
  let best: string | undefined;
  for (const link of chain.slice(1)) {
    const code = codeOf(link);
    const message = (link as { message?: unknown }).message;
    if (code) best = typeof message === "string" && message && !message.includes(code) ? `${code} (${message})` : code;
    else if (typeof message === "string" && message && message !== "fetch failed") best ??= message;
  }
  return best;
}

function apiMessage(err: StatusError): string {
  const body = err.error as { message?: string; error?: { message?: string } } | undefined;
  const text = body?.error?.message ?? body?.message ?? err.message ?? "";
  // Masked before it is cut short, so a key straddling the cut cannot leave its prefix behind.
  return `HTTP ${err.status}${text ? `: ${redactSecrets(String(text).replace(/^\d{3}\s*/, "")).slice(0, 300)}` : ""}`;
}

/** Thrown by a provider when a 200 response lacks what the wire format promises. */
export class MalformedResponseError extends Error {}

/** Thrown (through the SDK) by the run's HTTP client when a response body passes the size cap. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`response body over ${limitBytes} bytes (decoded); cut off`);
  }
}
