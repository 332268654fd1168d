import type { ArmPayload } from "../actuator-types.js";

/** The JSON a flag variant carries so model and prompt flip together (SPEC §12). */
export function payloadJson(payload: ArmPayload): string {
  return JSON.stringify({ model: payload.model, prompt_sha256: payload.prompt_sha256 });
}

/** `{model, prompt_sha256}` read back from a system, or null when the value is not that shape. */
export function toPayload(value: unknown): ArmPayload | null {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const { model, prompt_sha256 } = parsed as Record<string, unknown>;
  if (typeof model !== "string") return null;
  if (prompt_sha256 !== null && prompt_sha256 !== undefined && typeof prompt_sha256 !== "string") return null;
  return { model, prompt_sha256: prompt_sha256 ?? null };
}

export function samePayload(a: ArmPayload | null | undefined, b: ArmPayload | null | undefined): boolean {
  return !!a && !!b && a.model === b.model && (a.prompt_sha256 ?? null) === (b.prompt_sha256 ?? null);
}

export function describePayload(payload: ArmPayload | null | undefined): string {
  return payload ? payloadJson(payload) : "nothing";
}
