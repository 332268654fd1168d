import type { ModelResponse, Usage } from "../types.js";

/** A count from an API's usage object: a finite number ≥ 0, else 0 (gateways send nulls and strings). */
function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Usage in modelgate's shape (src/types.ts `Usage`): totals, with the cached, cache-written and reasoning
 * parts kept only when reported and above zero, so reports of plain workloads stay as they were.
 */
export function makeUsage(parts: { input: unknown; output: unknown; cachedInput?: unknown; cacheWrite?: unknown; reasoning?: unknown }): Usage {
  const usage: Usage = { input_tokens: count(parts.input), output_tokens: count(parts.output) };
  const cached = count(parts.cachedInput);
  const written = count(parts.cacheWrite);
  const reasoning = count(parts.reasoning);
  if (cached > 0) usage.cached_input_tokens = cached;
  if (written > 0) usage.cache_write_tokens = written;
  if (reasoning > 0) usage.reasoning_tokens = reasoning;
  return usage;
}

/** `response.model` / `system_fingerprint` when the API sent them (never empty strings). */
export function servedFields(model: unknown, fingerprint?: unknown): Pick<ModelResponse, "served_model" | "system_fingerprint"> {
  return {
    ...(typeof model === "string" && model !== "" ? { served_model: model } : {}),
    ...(typeof fingerprint === "string" && fingerprint !== "" ? { system_fingerprint: fingerprint } : {}),
  };
}

/**
 * Times a streamed response: `first()` at the first output token, `fields()` at the end gives time to
 * first token and output tokens per second after it (decode speed; null when the stream ended at once).
 */
export class StreamClock {
  private readonly started = performance.now();
  private firstAt: number | undefined;

  first(): void {
    this.firstAt ??= performance.now();
  }

  fields(usage: Usage | null): Pick<ModelResponse, "ttft_ms" | "tokens_per_s"> {
    const ended = performance.now();
    const firstAt = this.firstAt ?? ended;
    const ttft = Math.round(firstAt - this.started);
    const decodeSeconds = (ended - firstAt) / 1000;
    const tokens = usage?.output_tokens ?? 0;
    // Under a millisecond of decoding (a one-chunk reply) says nothing about speed.
    const rate = decodeSeconds >= 0.001 && tokens > 1 ? Math.round(((tokens - 1) / decodeSeconds) * 10) / 10 : undefined;
    return { ttft_ms: ttft, ...(rate !== undefined ? { tokens_per_s: rate } : {}) };
  }
}
