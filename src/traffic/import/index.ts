import { langfuse } from "./langfuse.js";
import { litellm } from "./litellm.js";
import { openaiBatch } from "./openai-batch.js";
import { otel } from "./otel.js";
import type { FormatReader } from "./types.js";

/** The formats `modelgate import` reads (SPEC §9). */
export const importFormats = {
  "openai-batch": openaiBatch,
  otel,
  litellm,
  langfuse,
} satisfies Record<string, FormatReader>;

export type ImportFormat = keyof typeof importFormats;
