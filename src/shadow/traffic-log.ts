/**
 * The shadow log: traffic lines (SPEC §9) appended to `<dir>/shadow-<start>-<n>.traffic.jsonl` as
 * requests complete, a new file once the current one would pass `maxBytes`. Every line is redacted
 * before it is written. Writes go through one write stream per file, which batches the lines of a busy
 * moment into one `writev`.
 */
import { once } from "node:events";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { redactSecrets } from "../redact.js";
import { maskPersonalData } from "../traffic/redact-pii.js";
import { serializeTrafficLine, type TrafficLine } from "../traffic/types.js";

/**
 * What every line goes through: secrets always; with `--redact`, personal data too, masked as
 * `modelgate import --redact` masks it. The masks are plain text, so the line stays JSON; should a
 * pattern ever break it, the line keeps only the secret masking.
 */
export function lineRedactor(personal: boolean): (text: string) => string {
  if (!personal) return (text) => redactSecrets(text);
  return (text) => {
    const masked = maskPersonalData(text); // secrets too
    if (masked === text) return text;
    try {
      JSON.parse(masked);
      return masked;
    } catch {
      return redactSecrets(text);
    }
  };
}

export interface TrafficLogOptions {
  dir: string;
  /** rotate before a file passes this size */
  maxBytes: number;
  /** masks secrets (and, under --redact, personal data) in a serialised line */
  redact: (text: string) => string;
}

export class TrafficLog {
  private stream: WriteStream | undefined;
  private bytes = 0;
  private sequence = 0;
  private readonly stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  private readonly closing: Array<Promise<unknown>> = [];
  private failure: Error | undefined;
  /** files written so far, oldest first */
  readonly files: string[] = [];

  constructor(private readonly options: TrafficLogOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  /** Appends one line (redacted). `extraMask` masks values only this request knows, such as the client's key. */
  append(line: TrafficLine, extraMask?: (text: string) => string): void {
    let text = this.options.redact(serializeTrafficLine(line));
    if (extraMask) text = extraMask(text);
    const size = Buffer.byteLength(text);
    if (!this.stream || (this.bytes > 0 && this.bytes + size > this.options.maxBytes)) this.rotate();
    this.bytes += size;
    this.stream?.write(text);
  }

  /** The first write error, if any (a full disk): the proxy keeps serving and reports it. */
  get error(): Error | undefined {
    return this.failure;
  }

  private rotate(): void {
    if (this.stream) this.closing.push(finish(this.stream));
    this.sequence++;
    const path = join(this.options.dir, `shadow-${this.stamp}-${process.pid}-${String(this.sequence).padStart(4, "0")}.traffic.jsonl`);
    this.files.push(path);
    this.stream = createWriteStream(path, { flags: "a" });
    this.stream.on("error", (error) => {
      this.failure ??= error;
    });
    this.bytes = 0;
  }

  /** Flushes and closes the current file. */
  async close(): Promise<void> {
    if (this.stream) this.closing.push(finish(this.stream));
    this.stream = undefined;
    await Promise.allSettled(this.closing);
  }
}

async function finish(stream: WriteStream): Promise<void> {
  if (stream.closed || stream.destroyed) return;
  stream.end();
  await Promise.race([once(stream, "close"), once(stream, "error")]);
}
