import { createHash } from "node:crypto";
import type { ModelRequest, ProviderName } from "../types.js";

/** What identifies an endpoint for caching: never the key, never credentials in the URL. */
export interface Endpoint {
  provider: ProviderName;
  host: string;
  model: string;
}

/** JSON with sorted keys, so equal requests hash equal whatever order their fields were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The one request-key function shared by the cache and cassettes (sha256 of the normalised request). */
export function requestKey(endpoint: Endpoint, request: ModelRequest): string {
  const normalised = {
    v: 1,
    provider: endpoint.provider,
    host: endpoint.host,
    model: endpoint.model,
    params: request.params,
    messages: request.messages,
    tools: request.tools ?? null,
    tool_choice: request.tool_choice ?? null,
    json_mode: request.json_mode ?? false,
    draw: request.draw,
  };
  return createHash("sha256").update(canonicalJson(normalised)).digest("hex");
}
