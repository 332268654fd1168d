import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
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

/** Pending entries past this size are written at once rather than at the end of the event-loop turn. */
const maxPendingBytes = 1 << 20;

/**
 * The response cache: a folder of append-only segments, `<dir>/segments/<time>-<pid>-<random>.jsonl`,
 * one per run that wrote to it, one entry per line.
 * - A run appends each fresh response as it lands, in one write per event-loop turn (no new file per
 *   entry: creating a file cost 0.2–0.5 ms on ext4, as much as the rest of a request's work).
 * - A kill -9 can leave at most a torn last line, which is not an entry; a line that does not parse is a
 *   miss. Concurrent runs write separate segments, so they never interleave.
 * - The first lookup indexes every segment by key (the key sits at a fixed place at the start of a
 *   line, so lines are not parsed until asked for).
 * - Entries of the earlier layout, `<dir>/<2 hex>/<key>.json`, are still read, counted and cleared.
 */
export class CacheStore implements ResponseStore {
  private index: Map<string, { file: string; start: number; end: number }> | undefined;
  private legacy = false;
  private segment:
    | { path: string; fd: number; size: number; pending: Buffer[]; pendingBytes: number; flushing: NodeJS.Immediate | undefined }
    | undefined;
  private readonly readers = new Map<string, number>();
  /** a write at the end of an event-loop turn that failed, thrown by the next put or close */
  private writeFailure: { error: unknown } | undefined;

  constructor(readonly directory: string) {}

  private get segmentsDir(): string {
    return join(this.directory, "segments");
  }

  get(key: string): StoredResponse | undefined {
    const place = this.indexed().get(key);
    if (place) return this.readEntry(key, place);
    return this.legacy ? this.readLegacy(key) : undefined;
  }

  /**
   * Appends the entry. Entries put during one turn of the event loop go out in one write at the end of
   * that turn, before the run handles any further I/O: a write per entry was a third of the cache's cost.
   * A write that fails then (a full disk) is thrown by the next `put` or by `close`, so it ends the run
   * as a failed synchronous write did, rather than as an uncaught exception.
   */
  put(entry: StoredResponse): void {
    this.throwWriteFailure();
    const index = this.indexed();
    if (!this.segment) {
      mkdirSync(this.segmentsDir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[-:.]/g, "")}-${process.pid}-${randomBytes(4).toString("hex")}.jsonl`;
      const path = join(this.segmentsDir, name);
      this.segment = { path, fd: openSync(path, "a"), size: 0, pending: [], pendingBytes: 0, flushing: undefined };
    }
    const segment = this.segment;
    const line = Buffer.from(`${serialise(entry)}\n`);
    index.set(entry.key, { file: segment.path, start: segment.size, end: segment.size + line.length - 1 });
    segment.size += line.length;
    segment.pending.push(line);
    segment.pendingBytes += line.length;
    if (segment.pendingBytes >= maxPendingBytes) this.flush();
    else segment.flushing ??= setImmediate(() => this.flushLater());
  }

  private flushLater(): void {
    try {
      this.flush();
    } catch (error) {
      this.writeFailure ??= { error };
    }
  }

  private throwWriteFailure(): void {
    if (this.writeFailure) throw this.writeFailure.error;
  }

  /** Writes the entries put since the last write. */
  private flush(): void {
    const segment = this.segment;
    if (!segment) return;
    if (segment.flushing) clearImmediate(segment.flushing);
    segment.flushing = undefined;
    if (segment.pending.length === 0) return;
    const chunk = segment.pending.length === 1 ? (segment.pending[0] as Buffer) : Buffer.concat(segment.pending, segment.pendingBytes);
    segment.pending = [];
    segment.pendingBytes = 0;
    for (let written = 0; written < chunk.length; ) written += writeSync(segment.fd, chunk, written);
  }

  /**
   * Writes what is pending and closes the files this store opened (the segment it wrote, the ones it
   * read); throws if an entry could not be written.
   */
  close(): void {
    try {
      this.flush();
    } finally {
      for (const fd of [...this.readers.values(), ...(this.segment ? [this.segment.fd] : [])]) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
      this.readers.clear();
      this.segment = undefined;
    }
    this.throwWriteFailure();
  }

  /** Entry count (distinct keys) and bytes on disk. */
  stats(): { entries: number; bytes: number } {
    const index = this.indexed();
    let bytes = 0;
    for (const file of this.segmentFiles()) bytes += statSync(join(this.segmentsDir, file)).size;
    let entries = index.size;
    for (const { path, key } of this.legacyEntries()) {
      if (!index.has(key)) entries++;
      bytes += statSync(path).size;
    }
    return { entries, bytes };
  }

  /**
   * Deletes the cache's segments and entries (and the earlier layout's `<2 hex>/<64 hex>.json` and
   * their temp files), never anything else that happens to live in the folder — `--cache-dir .` must
   * not empty a project. Returns how many entries were removed.
   */
  clear(): number {
    const removed = this.stats().entries;
    this.close();
    for (const file of this.segmentFiles()) rmSync(join(this.segmentsDir, file), { force: true });
    if (existsSync(this.segmentsDir) && readdirSync(this.segmentsDir).length === 0) rmdirSync(this.segmentsDir);
    for (const shard of this.legacyShards()) {
      for (const file of readdirSync(shard)) if (/^[0-9a-f]{64}\.json(\..*\.tmp)?$/.test(file)) rmSync(join(shard, file), { force: true });
      if (readdirSync(shard).length === 0) rmdirSync(shard);
    }
    this.index = undefined;
    return removed;
  }

  /** The segments this cache wrote (by their name's pattern: `--cache-dir .` may hold other files). */
  private segmentFiles(): string[] {
    if (!existsSync(this.segmentsDir)) return [];
    return readdirSync(this.segmentsDir).filter((file) => segmentName.test(file));
  }

  /** key → where its line is; built on first use from every segment's complete lines. */
  private indexed(): Map<string, { file: string; start: number; end: number }> {
    if (this.index) return this.index;
    const index = new Map<string, { file: string; start: number; end: number }>();
    for (const name of this.segmentFiles().sort()) {
      const file = join(this.segmentsDir, name);
      try {
        indexSegment(file, index);
      } catch {
        // unreadable: its entries are misses
      }
    }
    this.legacy = this.legacyShards().length > 0;
    this.index = index;
    return index;
  }

  private readEntry(key: string, place: { file: string; start: number; end: number }): StoredResponse | undefined {
    // An entry this run put may not be written yet.
    if (place.file === this.segment?.path) this.flush();
    try {
      let fd = this.readers.get(place.file);
      if (fd === undefined) {
        fd = openSync(place.file, "r");
        this.readers.set(place.file, fd);
      }
      const buffer = Buffer.allocUnsafe(place.end - place.start);
      readSync(fd, buffer, 0, buffer.length, place.start);
      return parseEntry(buffer, key);
    } catch {
      return undefined;
    }
  }

  private readLegacy(key: string): StoredResponse | undefined {
    const path = join(this.directory, key.slice(0, 2), `${key}.json`);
    if (!existsSync(path)) return undefined;
    try {
      return parseEntry(readFileSync(path), key);
    } catch {
      return undefined;
    }
  }

  private *legacyEntries(): Generator<{ path: string; key: string }> {
    for (const shard of this.legacyShards()) {
      for (const file of readdirSync(shard)) if (/^[0-9a-f]{64}\.json$/.test(file)) yield { path: join(shard, file), key: file.slice(0, 64) };
    }
  }

  /** The earlier layout's `<2 hex>/` folders. */
  private legacyShards(): string[] {
    if (!existsSync(this.directory)) return [];
    return readdirSync(this.directory)
      .filter((name) => /^[0-9a-f]{2}$/.test(name))
      .map((name) => join(this.directory, name))
      .filter((path) => statSync(path).isDirectory());
  }
}

/**
 * Adds a segment's complete lines to `index`, reading 1 MB at a time (a large cache is not held in
 * memory). The first complete entry for a key stays: later ones came from runs that raced to it.
 */
function indexSegment(file: string, index: Map<string, { file: string; start: number; end: number }>): void {
  const fd = openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) return;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      const base = position - carry.length;
      let start = 0;
      for (let end = data.indexOf(10); end >= 0; start = end + 1, end = data.indexOf(10, start)) {
        const key = keyOfLine(data, start, end);
        if (key !== undefined && !index.has(key)) index.set(key, { file, start: base + start, end: base + end });
      }
      carry = Buffer.from(data.subarray(start)); // a copy: `chunk` is read into again
      position += read;
    }
  } finally {
    closeSync(fd);
  }
}

/** `<UTC time, ISO 8601 without separators>-<pid>-<8 hex>.jsonl`, as `put` names a new segment. */
const segmentName = /^\d{8}T\d{9}Z-\d+-[0-9a-f]{8}\.jsonl$/;

/** Every entry line starts `{"v":1,"key":"<64 hex>"` (serialise keeps StoredResponse's field order). */
const linePrefix = Buffer.from('{"v":1,"key":"');

function keyOfLine(bytes: Buffer, start: number, end: number): string | undefined {
  if (end - start < linePrefix.length + 65 || bytes.compare(linePrefix, 0, linePrefix.length, start, start + linePrefix.length) !== 0)
    return undefined;
  const keyStart = start + linePrefix.length;
  if (bytes[keyStart + 64] !== 0x22) return undefined;
  const key = bytes.toString("latin1", keyStart, keyStart + 64);
  return /^[0-9a-f]{64}$/.test(key) ? key : undefined;
}

function parseEntry(bytes: Buffer, key: string): StoredResponse | undefined {
  const parsed: unknown = JSON.parse(bytes.toString("utf8"));
  return isStoredResponse(parsed) && parsed.key === key ? parsed : undefined;
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
