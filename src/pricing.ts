import type { Pricing, Usage, VariantSpec } from "./types.js";

/**
 * Built-in list prices in USD per million tokens, matched by model-id prefix (longest first), so dated
 * versions inherit their family's price. A variant's `pricing:` overrides; unknown → null, never 0.
 * Reasoning tokens are billed as output tokens by OpenAI and Anthropic alike, so no entry sets them apart.
 */
const builtInPrices: Record<string, Pricing> = {
  "gpt-4o-mini": { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
  "gpt-4o": { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 },
  "gpt-4.1-nano": { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
  "gpt-4.1-mini": { input_per_mtok: 0.4, output_per_mtok: 1.6, cached_input_per_mtok: 0.1 },
  "gpt-4.1": { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 },
  "gpt-4-turbo": { input_per_mtok: 10, output_per_mtok: 30 },
  "gpt-3.5-turbo": { input_per_mtok: 0.5, output_per_mtok: 1.5 },
  "o1-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4, cached_input_per_mtok: 0.55 },
  o1: { input_per_mtok: 15, output_per_mtok: 60, cached_input_per_mtok: 7.5 },
  "o3-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4, cached_input_per_mtok: 0.55 },
  "o4-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4, cached_input_per_mtok: 0.275 },
  o3: { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 },
  "gpt-5-mini": { input_per_mtok: 0.25, output_per_mtok: 2, cached_input_per_mtok: 0.025 },
  "gpt-5-nano": { input_per_mtok: 0.05, output_per_mtok: 0.4, cached_input_per_mtok: 0.005 },
  "gpt-5": { input_per_mtok: 1.25, output_per_mtok: 10, cached_input_per_mtok: 0.125 },
  // Anthropic: cache reads at 0.1× the input price, 5-minute cache writes at 1.25×.
  "claude-3-5-haiku": anthropic(0.8, 4),
  "claude-3-5-sonnet": anthropic(3, 15),
  "claude-3-7-sonnet": anthropic(3, 15),
  "claude-3-haiku": anthropic(0.25, 1.25),
  "claude-3-opus": anthropic(15, 75),
  "claude-sonnet-4": anthropic(3, 15),
  "claude-opus-4": anthropic(15, 75),
  "claude-haiku-4": anthropic(1, 5),
};
const prefixes = Object.keys(builtInPrices).sort((a, b) => b.length - a.length);

function anthropic(input: number, output: number): Pricing {
  return { input_per_mtok: input, output_per_mtok: output, cached_input_per_mtok: input / 10, cache_write_per_mtok: input * 1.25 };
}

/**
 * Price of a variant's model: its own `pricing:`, else the built-in table, else null. Pure and cheap (a
 * scan of a few dozen prefixes): a run resolves each variant's price once per request it sends, no cache.
 */
export function priceOf(variant: Pick<VariantSpec, "model" | "pricing">): Pricing | null {
  if (variant.pricing) return variant.pricing;
  const model = variant.model.toLowerCase().replace(/^.*\//, "");
  const prefix = prefixes.find((candidate) => model === candidate || model.startsWith(`${candidate}-`));
  return prefix ? (builtInPrices[prefix] ?? null) : null;
}

/**
 * Cost of one response in USD; null when the price or the usage is unknown. Cached input, cache writes
 * and reasoning tokens are parts of `input_tokens` / `output_tokens` (src/types.ts `Usage`), each billed
 * at its own column; a column the price leaves out bills at the input (or output) price.
 */
export function costOf(usage: Usage | null, price: Pricing | null): number | null {
  if (!usage || !price) return null;
  const cached = usage.cached_input_tokens ?? 0;
  const written = usage.cache_write_tokens ?? 0;
  const reasoning = usage.reasoning_tokens ?? 0;
  const plainInput = Math.max(usage.input_tokens - cached - written, 0);
  const plainOutput = Math.max(usage.output_tokens - reasoning, 0);
  const micro =
    plainInput * price.input_per_mtok +
    cached * (price.cached_input_per_mtok ?? price.input_per_mtok) +
    written * (price.cache_write_per_mtok ?? price.input_per_mtok) +
    plainOutput * price.output_per_mtok +
    reasoning * (price.reasoning_per_mtok ?? price.output_per_mtok);
  return micro / 1_000_000;
}
