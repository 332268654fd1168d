/**
 * The HTTP client a run hands to the official SDKs: undici's own `fetch` over one `EnvHttpProxyAgent`
 * (keep-alive, at most --concurrency connections per origin, HTTP(S)_PROXY / NO_PROXY honoured), with
 * two guards on what comes back: redirects are returned, not followed, and a body larger than the cap
 * (counted after decompression, so a gzip bomb is caught too) is cut off with `ResponseTooLargeError`.
 */
import { EnvHttpProxyAgent, Response as UndiciResponse, fetch as undiciFetch } from "undici";
import { rememberSecret } from "../redact.js";
import { ResponseTooLargeError } from "./errors.js";

export interface HttpClientOptions {
  /** requests in flight at once: the connection limit per origin, so no request queues in the pool */
  connections: number;
  /** the run's environment (not process.env: tests and scripts pass their own) */
  env: NodeJS.ProcessEnv;
  maxResponseBytes: number;
}

export interface HttpClient {
  fetch: typeof fetch;
  /** closes the kept-alive sockets */
  close(): Promise<void>;
}

/** The proxy settings of `env`, lower-case names first (as curl and undici read them); "" means none. */
export function proxySettings(env: NodeJS.ProcessEnv): { httpProxy: string; httpsProxy: string; noProxy: string } {
  const read = (name: string): string => env[name.toLowerCase()] ?? env[name] ?? "";
  const httpProxy = read("HTTP_PROXY");
  // Like undici's own reading: HTTPS_PROXY unset means https goes through HTTP_PROXY too.
  return { httpProxy, httpsProxy: read("HTTPS_PROXY") || httpProxy, noProxy: read("NO_PROXY") };
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const proxies = proxySettings(options.env);
  // A proxy URL may carry credentials (http://user:pass@proxy:3128): masked in everything written.
  for (const proxy of [proxies.httpProxy, proxies.httpsProxy]) {
    if (!URL.canParse(proxy)) continue;
    // The password only: a user name ("modelgate", "ci") is no secret, and masking it would blank out words.
    const { password } = new URL(proxy);
    if (password) rememberSecret(safeDecode(password));
  }
  // Settings passed explicitly (never left to undici's process.env fallback): the run's env is the truth.
  const dispatcher = new EnvHttpProxyAgent({ ...proxies, connections: Math.max(1, options.connections) });
  const cap = options.maxResponseBytes;

  async function cappedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    // `redirect: manual`: the SDKs never expect one, and fetch would turn a POST into a body-less GET and
    // carry an `x-api-key` to another origin. The SDK reports the 3xx as an HTTP error.
    const response = await undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      redirect: "manual",
      dispatcher,
    });
    if (!response.body) return response as unknown as Response;
    const declared = Number(response.headers.get("content-length"));
    if (!response.headers.has("content-encoding") && Number.isFinite(declared) && response.headers.has("content-length")) {
      if (declared > cap) {
        await response.body.cancel();
        throw new ResponseTooLargeError(cap);
      }
      // An unencoded body is exactly its Content-Length (undici reads no more): nothing left to count.
      return response as unknown as Response;
    }
    let seen = 0;
    // undici's stream types and the DOM's differ in TypeScript only: both are node:stream/web's classes.
    const body = response.body as unknown as ReadableStream<Uint8Array>;
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          // Erroring the stream cancels the source: undici stops reading and drops the connection.
          if (seen > cap) controller.error(new ResponseTooLargeError(cap));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new UndiciResponse(counted as unknown as ConstructorParameters<typeof UndiciResponse>[0], {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    }) as unknown as Response;
  }

  return { fetch: cappedFetch as typeof fetch, close: () => dispatcher.close() };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
