import { langfuse } from "./langfuse.js";
import { litellm } from "./litellm.js";
import { openaiBatch } from "./openai-batch.js";
import type { FormatReader } from "./types.js";

/** The formats `modelgate import` reads (SPEC §9). */
export const importFormats = {
  "openai-batch": openaiBatch,
  litellm,
  langfuse,
} satisfies Record<string, FormatReader>;

export type ImportFormat = keyof typeof importFormats;
