import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open } from "node:fs/promises";

/** A dataset line longer than this is an input error: no real case is that large, and a huge one would cost memory. */
export const maxLineBytes = 10 * 1024 * 1024;

const chunkBytes = 1 << 16;

/** What `readLines` hands back for a line it could not turn into text. */
export interface BadLine {
  lineNumber: number;
  message: string;
}

/** One line of a file as `fileLines` reads it: its text, or why it could not be turned into text. */
export type FileLine = { text: string; lineNumber: number; terminated: boolean } | ({ text?: undefined } & BadLine);

/**
 * Streams a text file line by line (1-based numbers) and returns its sha256, so a large dataset is never
 * held as one string. CRLF and a leading BOM are tolerated. The file is untrusted: it must be a regular
 * file (a FIFO or a device would block or never end), a line over `maxLineBytes` is never built (its
 * bytes are dropped as they arrive) and goes to `onBadLine`, as does a line that is not valid UTF-8.
 */
export async function readLines(
  path: string,
  /** `terminated` is false only for a last line with no newline after it (a writer may have been cut off mid-line) */
  onLine: (line: string, lineNumber: number, terminated: boolean) => void,
  onBadLine: (bad: BadLine) => void = () => {},
  limit = maxLineBytes,
): Promise<string> {
  const lines = fileLines(path, limit);
  for (;;) {
    const next = await lines.next();
    if (next.done) return next.value;
    const line = next.value;
    if (line.text === undefined) onBadLine({ lineNumber: line.lineNumber, message: line.message });
    else onLine(line.text, line.lineNumber, line.terminated);
  }
}

/** `readLines` as a stream its reader pulls from (the run reads a dataset's cases as it needs them); returns the sha256. */
export async function* fileLines(path: string, limit = maxLineBytes): AsyncGenerator<FileLine, string> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file reads as usual.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
    const hash = createHash("sha256");
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let oversized = false;
    let lineNumber = 0;
    // A chunk's lines are decoded before the buffer is read into again, then handed out.
    let ready: FileLine[] = [];
    const finish = (last: Buffer, terminated = true) => {
      lineNumber++;
      if (oversized || pendingBytes + last.length > limit) {
        ready.push({ lineNumber, message: `line is over ${formatBytes(limit)}; a case must be smaller` });
      } else {
        const bytes = pending.length === 0 ? last : Buffer.concat([...pending, last]);
        let text: string | undefined;
        try {
          text = decoder.decode(bytes);
        } catch {
          ready.push({ lineNumber, message: `not valid UTF-8 (at byte ${invalidUtf8Offset(bytes) + 1} of the line); save the file as UTF-8` });
        }
        if (text !== undefined) {
          if (text.endsWith("\r")) text = text.slice(0, -1);
          ready.push({ text: lineNumber === 1 ? text.replace(/^\uFEFF/, "") : text, lineNumber, terminated });
        }
      }
      pending = [];
      pendingBytes = 0;
      oversized = false;
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      let start = 0;
      for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
        finish(chunk.subarray(start, newline));
        start = newline + 1;
      }
      if (start < bytesRead) {
        const rest = chunk.subarray(start);
        // The line's start is kept only while it fits: an endless line costs no memory.
        if (!oversized && pendingBytes + rest.length <= limit) pending.push(Buffer.from(rest));
        else {
          oversized = true;
          pending = [];
        }
        pendingBytes += rest.length;
      }
      const lines = ready;
      ready = [];
      yield* lines;
    }
    if (pendingBytes > 0 || oversized) finish(Buffer.alloc(0), false);
    yield* ready;
    return hash.digest("hex");
  } finally {
    await handle.close();
  }
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
}

/** Where the first invalid UTF-8 sequence of `bytes` starts (0-based). */
function invalidUtf8Offset(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  // The longest prefix that is valid or merely ends mid-character (`stream`), by bisection.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}
