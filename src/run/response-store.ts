import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { redactedJson } from "../redact.js";
import type { ModelResponse } from "../types.js";

/** One stored response: the on-disk entry format shared by the cache and cassettes. */
export interface StoredResponse {
  v: 1;
  key: string;
  provider: string;
  model: string;
  response: ModelResponse;
  latency_ms: number;
  recorded_at: string;
}

export interface ResponseStore {
  get(key: string): StoredResponse | undefined;
  put(entry: StoredResponse): void;
}

function isStoredResponse(value: unknown): value is StoredResponse {
  const entry = value as StoredResponse;
  return (
    typeof entry === "object" &&
    entry !== null &&
    entry.v === 1 &&
    typeof entry.key === "string" &&
    typeof entry.response?.text === "string" &&
    Array.isArray(entry.response.tool_calls)
  );
}

/** An entry as stored: cassettes are committed and shared, so secrets are masked (redact.ts). */
function serialise(entry: StoredResponse): string {
  return redactedJson(entry);
}

/**
 * A directory of entries, `<dir>/<2 hex>/<key>.json`, each written to a temp file and renamed into place,
 * so a kill -9 or a concurrent run never leaves a torn entry; an unreadable entry is a miss.
 */
export class CacheStore implements ResponseStore {
  constructor(readonly directory: string) {}

  private pathOf(key: string): string {
    return join(this.directory, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): StoredResponse | undefined {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.pathOf(key), "utf8"));
      return isStoredResponse(parsed) && parsed.key === key ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  put(entry: StoredResponse): void {
    const path = this.pathOf(entry.key);
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, serialise(entry));
    renameSync(temp, path);
  }

  /** Entry count and bytes on disk. */
  stats(): { entries: number; bytes: number } {
    let entries = 0;
    let bytes = 0;
    if (!existsSync(this.directory)) return { entries, bytes };
    for (const shard of readdirSync(this.directory)) {
      const shardPath = join(this.directory, shard);
      if (!/^[0-9a-f]{2}$/.test(shard) || !statSync(shardPath).isDirectory()) continue;
      for (const file of readdirSync(shardPath)) {
        if (!/^[0-9a-f]{64}\.json$/.test(file)) continue;
        entries++;
        bytes += statSync(join(shardPath, file)).size;
      }
    }
    return { entries, bytes };
  }

  /**
   * Deletes cache entries only (`<2 hex>/<64 hex>.json` and their temp files), never anything else that
   * happens to live in the folder — `--cache-dir .` must not empty a project. Returns how many were removed.
   */
  clear(): number {
    let removed = 0;
    if (!existsSync(this.directory)) return removed;
    for (const shard of readdirSync(this.directory)) {
      const shardPath = join(this.directory, shard);
      if (!/^[0-9a-f]{2}$/.test(shard) || !statSync(shardPath).isDirectory()) continue;
      for (const file of readdirSync(shardPath)) {
        if (!/^[0-9a-f]{64}\.json(\..*\.tmp)?$/.test(file)) continue;
        rmSync(join(shardPath, file), { force: true });
        if (file.endsWith(".json")) removed++;
      }
      if (readdirSync(shardPath).length === 0) rmdirSync(shardPath);
    }
    return removed;
  }
}

/** A cassette: a JSONL file of entries, a portable slice of the cache. Read whole for replay. */
export class CassetteStore implements ResponseStore {
  private readonly entries = new Map<string, StoredResponse>();

  constructor(
    readonly path: string,
    mode: "replay" | "record",
  ) {
    if (mode === "replay") this.load();
    else {
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, "");
      } catch (error) {
        throw new UserError(`--record ${path}: cannot write the cassette (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      throw new UserError(`--replay ${this.path}: cannot read cassette: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new UserError(`${this.path}:${index + 1}: not a cassette entry (invalid JSON)`);
      }
      if (!isStoredResponse(parsed))
        throw new UserError(`${this.path}:${index + 1}: not a cassette entry (expected {v: 1, key, response, latency_ms})`);
      this.entries.set(parsed.key, parsed);
    });
  }

  get(key: string): StoredResponse | undefined {
    return this.entries.get(key);
  }

  /** Appends synchronously: an entry is on disk the moment its request finished. */
  put(entry: StoredResponse): void {
    if (this.entries.has(entry.key)) return;
    this.entries.set(entry.key, entry);
    appendFileSync(this.path, `${serialise(entry)}\n`);
  }
}
