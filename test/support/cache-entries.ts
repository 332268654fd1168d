import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The response cache's entries in a project (`.modelgate/cache/segments/*.jsonl`, src/run/response-store.ts):
 * every complete line of every segment, parsed; `torn` counts a last line cut short by a kill.
 */
export function cacheEntries(
  dir: string,
  cacheDir = join(dir, ".modelgate", "cache"),
): { entries: Array<{ key: string }>; torn: number; files: string[] } {
  const segments = join(cacheDir, "segments");
  const entries: Array<{ key: string }> = [];
  let torn = 0;
  if (!existsSync(segments)) return { entries, torn, files: [] };
  const files = readdirSync(segments).map((file) => join(segments, file));
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    if (lines.pop() !== "") torn++;
    for (const line of lines) entries.push(JSON.parse(line) as { key: string });
  }
  return { entries, torn, files };
}
