import type { ModelRequest, ModelResponse, RequestError } from "../types.js";

/** One model endpoint behind the official SDK. SDK types never leave the provider's module. */
export interface Provider {
  complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
  /** Maps anything `complete` threw to our taxonomy, and says whether (and when) to retry. */
  classify(error: unknown, timedOut: boolean): ClassifiedError;
}

export interface ClassifiedError extends RequestError {
  retryable: boolean;
  /** from `Retry-After` / `retry-after-ms`, when the server sent one (beyond `retryAfterCapMs` only with `retryAfterBeyondCap`) */
  retryAfterMs?: number;
  /**
   * The server asked to wait longer than `retryAfterCapMs` (a `Retry-After: 86400`): the error is not
   * retryable, and the runner should stop sending to that endpoint rather than wait.
   */
  retryAfterBeyondCap?: true;
}

/** Where a provider gets its key and endpoint; only ever from the environment. */
export interface ProviderEnvironment {
  apiKey: string | undefined;
  baseURL: string | undefined;
  timeoutMs: number;
  /** extra HTTP headers of the variant (SPEC §2), values resolved; the caller remembers them as secrets (rememberSecret) */
  headers?: Record<string, string>;
  /** azure: where and how to call (src/providers/azure.ts); the token is remembered as a secret */
  azure?: { deployment?: string; apiVersion?: string; bearerToken?: string };
  /** the HTTP client the SDK uses: the run's (src/providers/http-client.ts), or one a script or test injects */
  fetch?: typeof fetch;
}
