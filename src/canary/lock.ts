/**
 * One writer per canary: `analyze`, `run` and `serve` each take `.modelgate/canary/<name>/lock` (O_EXCL)
 * before they judge windows, so two processes never judge the same window twice or race on state.json.
 * A lock whose process is gone (killed) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, UserError } from "../errors.js";
import { makeFolders } from "../report/writer.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock and returns its release; when a live process holds it: throws (exit 3) with `throwIfHeld`, else undefined. */
export function takeLock(folder: string, options: { throwIfHeld: boolean }): (() => void) | undefined {
  makeFolders(folder);
  const path = join(folder, "lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(readFileSync(path, "utf8"), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        if (!options.throwIfHeld) return undefined;
        throw new UserError(`${path}: another modelgate (pid ${holder}) is analysing this canary; wait for it, or stop it`, ExitCode.runFailed);
      }
      rmSync(path, { force: true });
    }
  }
  throw new UserError(`${path}: cannot take the canary's lock`, ExitCode.runFailed);
}
