/**
 * The proxy's upstream connections (baseline and candidate): undici's `EnvHttpProxyAgent`, as the
 * providers use (src/providers/http-client.ts), so HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the
 * proxy's environment are honoured; with none set it is a plain keep-alive agent.
 */
import { EnvHttpProxyAgent } from "undici";
import type { proxySettings } from "../providers/http-client.js";

export type ProxySettings = ReturnType<typeof proxySettings>;

/** `connections`: the most sockets per origin (undefined: as many as requests in flight). */
export function upstreamAgent(proxies: ProxySettings, connections?: number): EnvHttpProxyAgent {
  // Settings passed explicitly (never left to undici's process.env fallback): the command's env is the truth.
  return new EnvHttpProxyAgent({ ...proxies, keepAliveTimeout: 30_000, ...(connections !== undefined ? { connections } : {}) });
}
