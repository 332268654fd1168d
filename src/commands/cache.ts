import { resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { displayName } from "../paths.js";
import { CacheStore } from "../run/response-store.js";

/** `modelgate cache stats|clear [--cache-dir DIR]` */
export function runCache(action: "stats" | "clear", cacheDir: string, io: CliIO): number {
  const store = new CacheStore(resolve(io.cwd, cacheDir));
  const where = displayName(store.directory);
  if (action === "clear") {
    const entries = store.clear();
    io.stdout.write(`cleared ${entries} cached responses from ${where}/\n`);
    return 0;
  }
  const { entries, bytes } = store.stats();
  io.stdout.write(`${where}/: ${entries} cached responses, ${(bytes / 1024 / 1024).toFixed(2)} MB\n`);
  return 0;
}
