import { closeSync, openSync, readSync } from "node:fs";
import { UserError } from "../errors.js";
import type { CaseReport, RunReport } from "../types.js";

/** A report.json opened for reading: everything but the cases now, the cases one at a time. */
export interface OpenedReport {
  /** the report with `cases: []` */
  head: RunReport;
  /** The cases in file order; call once. */
  cases(): Iterable<CaseReport>;
  /** the file's line of the case last read, when the file has one case per line */
  caseLine?(): number;
}

const casesLine = '  "cases": [';
const chunkBytes = 1 << 18;
/** One line of a report.json (one case) beyond this is refused, not built: no real case is near it. */
const maxLineBytes = 256 * 1024 * 1024;

/**
 * Opens a report.json without holding all its cases at once. The writer puts the cases last, one per
 * line (writer.ts), so a 100,000-case report is read line by line. Undefined when the file has any
 * other layout (reformatted by a tool, say, or not a report at all): the caller then reads it whole,
 * with its own checks. Throws what the file system throws when it cannot be opened; `describe` names
 * the file in the errors about its cases.
 */
export function openReport(path: string, describe = path): OpenedReport | undefined {
  const lines = new LineReader(path);
  const headLines: string[] = [];
  for (let line = lines.next(); line !== undefined; line = lines.next()) {
    if (line === casesLine || line === `${casesLine}]`) {
      const head = parseHead(`${headLines.join("\n")}\n  "cases": []\n}`);
      if (head === undefined || line.endsWith("]")) {
        lines.close();
        return head && { head, cases: () => [] };
      }
      // One case per line, as the writer puts them? Otherwise (a case spread over lines) not ours.
      const firstLine = lines.next();
      if (firstLine?.trim() === "]") {
        lines.close();
        return { head, cases: () => [] };
      }
      const first = firstLine === undefined ? undefined : caseOfLine(firstLine);
      if (first === undefined) {
        lines.close();
        return undefined;
      }
      return { head, cases: () => caseLines(first, lines, describe), caseLine: () => lines.lineNumber };
    }
    headLines.push(line);
  }
  lines.close();
  return undefined;
}

/** A report read whole as an opened one (for files `openReport` leaves to the caller). */
export function openedWhole(report: RunReport): OpenedReport {
  // Whatever JSON it is: a non-report shows up in the caller's checks of the head, not as a TypeError here.
  const cases = Array.isArray(report?.cases) ? report.cases : [];
  return { head: { ...(report as object), cases: [] } as unknown as RunReport, cases: () => cases };
}

/** A case line (`    {…},`) as a case, or undefined. */
function caseOfLine(line: string): CaseReport | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    return JSON.parse(text.endsWith(",") ? text.slice(0, -1) : text) as CaseReport;
  } catch {
    return undefined;
  }
}

function* caseLines(first: CaseReport, lines: LineReader, describe: string): Generator<CaseReport> {
  try {
    yield first;
    for (let line = lines.next(); line !== undefined; line = lines.next()) {
      if (line.trim() === "]") return;
      const testCase = caseOfLine(line);
      if (testCase === undefined) {
        throw new UserError(`${describe}:${lines.lineNumber}: not a case of a modelgate report (the file is cut short or was edited)`);
      }
      yield testCase;
    }
    throw new UserError(`${describe}: ends inside its cases (the file is cut short)`);
  } finally {
    lines.close();
  }
}

/** The report without its cases, or undefined when the lines before the cases are not that. */
function parseHead(text: string): RunReport | undefined {
  try {
    return JSON.parse(text) as RunReport;
  } catch {
    return undefined;
  }
}

/** Lines of a file read in 256 KB chunks (split on bytes, so a multi-byte character never straddles a cut). */
class LineReader {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(chunkBytes);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ready: string[] = [];
  private done = false;
  private closed = false;
  lineNumber = 0;

  constructor(path: string) {
    this.fd = openSync(path, "r");
  }

  next(): string | undefined {
    while (this.ready.length === 0 && !this.done) this.fill();
    const line = this.ready.shift();
    if (line !== undefined) this.lineNumber++;
    return line;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private fill(): void {
    const read = readSync(this.fd, this.buffer, 0, chunkBytes, null);
    if (read === 0) {
      this.done = true;
      if (this.pending.length > 0) this.ready.push(Buffer.concat(this.pending).toString("utf8"));
      this.pending = [];
      return;
    }
    let start = 0;
    for (let newline = this.buffer.indexOf(10, 0); newline !== -1 && newline < read; newline = this.buffer.indexOf(10, start)) {
      const piece = this.buffer.subarray(start, newline);
      this.ready.push(this.pending.length > 0 ? Buffer.concat([...this.pending, piece]).toString("utf8") : piece.toString("utf8"));
      this.pending = [];
      this.pendingBytes = 0;
      start = newline + 1;
    }
    // The rest of the chunk waits for its newline; copied, as the buffer is reused.
    if (start < read) {
      this.pendingBytes += read - start;
      if (this.pendingBytes > maxLineBytes) {
        throw new UserError(
          `line ${this.lineNumber + this.ready.length + 1} of the report is over ${maxLineBytes / 1024 / 1024} MiB; not a report modelgate wrote`,
        );
      }
      this.pending.push(Buffer.from(this.buffer.subarray(start, read)));
    }
  }
}
