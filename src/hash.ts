import { createHash } from "node:crypto";

/** Hex SHA-256 of a text or bytes: the fingerprint reports record of prompts, rubrics and plans. */
export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}
