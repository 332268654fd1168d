import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/**
 * Streams a text file line by line (1-based numbers) and returns its sha256, so a large dataset is never
 * held as one string. CRLF and a leading BOM are tolerated.
 */
export async function readLines(path: string, onLine: (line: string, lineNumber: number) => void): Promise<string> {
  const hash = createHash("sha256");
  const stream = createReadStream(path);
  stream.on("data", (chunk) => hash.update(chunk));
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    onLine(lineNumber === 1 ? raw.replace(/^\uFEFF/, "") : raw, lineNumber);
  }
  return hash.digest("hex");
}
