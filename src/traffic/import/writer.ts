import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Appends text to a file through a 1 MiB buffer (a write per line cost more than the parsing at
 * 20,000 lines/s). The file is a temporary next to the target until `commit` renames it into place,
 * so a failed import never leaves a half-written traffic file.
 */
export class BufferedFile {
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;
  readonly temp: string;

  constructor(readonly path: string) {
    this.temp = `${path}.${process.pid}.tmp`;
    // `--out reports/x/prod.traffic.jsonl` in a fresh checkout: create the folder, as eval's --out does.
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(this.temp, "w");
  }

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.drain();
  }

  /** Writes what is buffered and closes the file (still the temporary). */
  close(): void {
    this.drain();
    closeSync(this.fd);
  }

  commit(): void {
    this.close();
    renameSync(this.temp, this.path);
  }

  discard(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temp, { force: true });
  }

  private drain(): void {
    if (this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join(""));
    this.chunks = [];
    this.size = 0;
  }
}
