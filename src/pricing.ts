import type { Pricing, Usage, VariantSpec } from "./types.js";

/**
 * Built-in list prices in USD per million tokens, matched by model-id prefix (longest first), so dated
 * versions inherit their family's price. A variant's `pricing:` overrides; unknown → null, never 0.
 */
const builtInPrices: Record<string, Pricing> = {
  "gpt-4o-mini": { input_per_mtok: 0.15, output_per_mtok: 0.6 },
  "gpt-4o": { input_per_mtok: 2.5, output_per_mtok: 10 },
  "gpt-4.1-nano": { input_per_mtok: 0.1, output_per_mtok: 0.4 },
  "gpt-4.1-mini": { input_per_mtok: 0.4, output_per_mtok: 1.6 },
  "gpt-4.1": { input_per_mtok: 2, output_per_mtok: 8 },
  "gpt-4-turbo": { input_per_mtok: 10, output_per_mtok: 30 },
  "gpt-3.5-turbo": { input_per_mtok: 0.5, output_per_mtok: 1.5 },
  "o1-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4 },
  o1: { input_per_mtok: 15, output_per_mtok: 60 },
  "o3-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4 },
  "o4-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4 },
  o3: { input_per_mtok: 2, output_per_mtok: 8 },
  "gpt-5-mini": { input_per_mtok: 0.25, output_per_mtok: 2 },
  "gpt-5-nano": { input_per_mtok: 0.05, output_per_mtok: 0.4 },
  "gpt-5": { input_per_mtok: 1.25, output_per_mtok: 10 },
  "claude-3-5-haiku": { input_per_mtok: 0.8, output_per_mtok: 4 },
  "claude-3-5-sonnet": { input_per_mtok: 3, output_per_mtok: 15 },
  "claude-3-7-sonnet": { input_per_mtok: 3, output_per_mtok: 15 },
  "claude-3-haiku": { input_per_mtok: 0.25, output_per_mtok: 1.25 },
  "claude-3-opus": { input_per_mtok: 15, output_per_mtok: 75 },
  "claude-sonnet-4": { input_per_mtok: 3, output_per_mtok: 15 },
  "claude-opus-4": { input_per_mtok: 15, output_per_mtok: 75 },
  "claude-haiku-4": { input_per_mtok: 1, output_per_mtok: 5 },
};
const prefixes = Object.keys(builtInPrices).sort((a, b) => b.length - a.length);

/** Looked up once per model id: a run asks for its two variants' prices on every request. */
const pricesByModel = new Map<string, Pricing | null>();

/** Price of a variant's model: its own `pricing:`, else the built-in table, else null. */
export function priceOf(variant: Pick<VariantSpec, "model" | "pricing">): Pricing | null {
  if (variant.pricing) return variant.pricing;
  let price = pricesByModel.get(variant.model);
  if (price === undefined) {
    const model = variant.model.toLowerCase().replace(/^.*\//, "");
    const prefix = prefixes.find((candidate) => model === candidate || model.startsWith(`${candidate}-`));
    price = prefix ? (builtInPrices[prefix] ?? null) : null;
    pricesByModel.set(variant.model, price);
  }
  return price;
}

/** Cost of one response in USD; null when the price or the usage is unknown. */
export function costOf(usage: Usage | null, price: Pricing | null): number | null {
  if (!usage || !price) return null;
  return (usage.input_tokens * price.input_per_mtok + usage.output_tokens * price.output_per_mtok) / 1_000_000;
}
