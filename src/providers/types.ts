import type { ModelRequest, ModelResponse, RequestError } from "../types.js";

/** One model endpoint behind the official SDK. SDK types never leave the provider's module. */
export interface Provider {
  complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
  /** Maps anything `complete` threw to our taxonomy, and says whether (and when) to retry. */
  classify(error: unknown, timedOut: boolean): ClassifiedError;
}

export interface ClassifiedError extends RequestError {
  retryable: boolean;
  /** from `Retry-After` / `retry-after-ms`, when the server sent one */
  retryAfterMs?: number;
  /** the server asked to wait longer than modelgate ever waits: the endpoint is unusable for this run */
  retryAfterBeyondCap?: boolean;
}

/** Where a provider gets its key and endpoint; only ever from the environment. */
export interface ProviderEnvironment {
  apiKey: string | undefined;
  baseURL: string | undefined;
  timeoutMs: number;
  /** the HTTP client the SDK uses; injected by scripts and tests that route requests to a local server */
  fetch?: typeof fetch;
}
