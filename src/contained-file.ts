import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** A file a dataset or rubric names (a schema, a prompt) is read up to this size; beyond it is an input error. */
export const maxReferencedFileBytes = 4 * 1024 * 1024;

export type ContainedFile = { ok: true; path: string; text: string } | { ok: false; path: string; problem: string };

/**
 * Reads a file that an untrusted input file names (`expected.schema_ref`, a rubric's `schema:`), relative
 * to the folder it must stay inside (`root`: the naming file's folder). Refused, with a message for the
 * naming file's field: a path that leads out of `root` (`../../etc/passwd`, an absolute path elsewhere),
 * a symlink whose target is outside it, anything but a regular file (a FIFO would block the read, a
 * device never end), more than `maxBytes`, and text that is not UTF-8.
 */
export function readContainedFile(root: string, ref: string, options: { rootName?: string; maxBytes?: number } = {}): ContainedFile {
  const { rootName = root, maxBytes = maxReferencedFileBytes } = options;
  const path = resolve(root, ref);
  const fail = (problem: string): ContainedFile => ({ ok: false, path, problem });
  if (ref.trim() === "") return fail("expected a path to a file, got an empty string");
  if (ref.includes("\0")) return fail("the path contains a NUL character");
  if (!isInside(root, path)) return fail(`leads outside ${rootName}; a file this input names must be inside that folder`);
  let real: string;
  try {
    real = realpathSync(path);
    if (!isInside(realpathSync(root), real))
      return fail(`is a symlink that leads outside ${rootName}; a file this input names must be inside that folder`);
  } catch (error) {
    return fail(problemOf(error));
  }
  const read = readRegularFile(real, maxBytes);
  return read.ok ? read : { ok: false, path, problem: read.problem };
}

/**
 * Reads a file as UTF-8 text only if it is a regular file of at most `maxBytes` (a FIFO would block the
 * read, a device never end); otherwise says why not.
 */
export function readRegularFile(path: string, maxBytes = maxReferencedFileBytes): ContainedFile {
  const fail = (problem: string): ContainedFile => ({ ok: false, path, problem });
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the file-type check below refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    if (stats.isDirectory()) return fail("is a folder, expected a file");
    if (!stats.isFile()) return fail("not a regular file (a FIFO, device or socket); expected a file");
    if (stats.size > maxBytes) return fail(`the file is over ${describeBytes(maxBytes)}`);
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    // A file that grows while it is read is still capped.
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) return fail(`the file is over ${describeBytes(maxBytes)}`);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, length));
    } catch {
      return fail("not valid UTF-8; save the file as UTF-8");
    }
    return { ok: true, path, text: text.replace(/^\uFEFF/, "") };
  } catch (error) {
    return fail(problemOf(error));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isInside(root: string, path: string): boolean {
  const from = relative(resolve(root), path);
  return from === "" || (!from.startsWith(`..${sep}`) && from !== ".." && !isAbsolute(from));
}

function problemOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "is a folder, expected a file";
  if (code === "ELOOP") return "a symlink loop";
  return `cannot read: ${code ?? (error as Error).message}`;
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
}
