/**
 * The file-backed kinds (flagd, portkey, litellm) write their file atomically — a temp file in the same
 * folder, then rename — so a reader (flagd's file watcher, the gateway) never sees half a file.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { FileChange } from "./actuator.js";

/** The file's text, or null when it does not exist yet. */
export function readIfExists(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/** A unified diff of the change, with the values of credential fields (`api_key`, …) masked: it is printed and audited. */
export function fileDiff(path: string, before: string | null, after: string): FileChange {
  const name = basename(path);
  const diff = createTwoFilesPatch(
    before === null ? "/dev/null" : `a/${name}`,
    `b/${name}`,
    maskSecretFields(before ?? ""),
    maskSecretFields(after),
    "",
    "",
    {
      context: 3,
    },
  );
  return { path, diff };
}

// `"api_key": "…"` (JSON) or `api_key: …` (YAML): a gateway config may hold a key modelgate never wrote.
const secretField =
  /^(\s*-?\s*)(["']?)(api[_-]?key|apikey|virtual[_-]?key|token|secret|password|authorization|access[_-]?token|aws_secret_access_key)\2(\s*:\s*)(.+?)(,?)$/gim;

export function maskSecretFields(text: string): string {
  return text.replace(
    secretField,
    (_all, lead: string, quote: string, key: string, colon: string, _value: string, comma: string) =>
      `${lead}${quote}${key}${quote}${colon}${quote ? '"***"' : "***"}${comma}`,
  );
}

export function writeAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.modelgate-${process.pid}.tmp`);
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o644;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
}
