import * as crypto from "node:crypto";
import type { ModelRequest, ProviderName } from "../types.js";

/** What identifies an endpoint for caching: never the key, never credentials in the URL. */
export interface Endpoint {
  provider: ProviderName;
  host: string;
  model: string;
}

/** crypto.hash (one call, no Hash object) where Node has it (20.12+), else createHash: the same digest. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function" ? (text) => crypto.hash("sha256", text, "hex") : (text) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * JSON with sorted keys, so equal requests hash equal whatever order their fields were built in.
 * Fields whose value is undefined are left out, as JSON.stringify does; anything JSON cannot hold is
 * `null`. The text must never change (it is the cache's and every committed cassette's key), so it is
 * built by hand in one pass — the straightforward map/filter/join version cost ~30 µs per request.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i]);
    return `${out}]`;
  }
  let out = "{";
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(field)}`;
  }
  return `${out}}`;
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
    // Left out when unset (canonicalJson skips undefined), so the keys of every earlier cache entry hold.
    options: request.options,
  };
  return sha256Hex(canonicalJson(normalised));
}
