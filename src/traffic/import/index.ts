import { litellm } from "./litellm.js";
import type { FormatReader } from "./types.js";

/** The formats `modelgate import` reads (SPEC §9). */
export const importFormats = {
  litellm,
} satisfies Record<string, FormatReader>;

export type ImportFormat = keyof typeof importFormats;
