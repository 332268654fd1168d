/**
 * vitest globalSetup of the "dist" project: builds dist/ when it is missing or older than anything it is
 * built from (src/, the build script, the lock file), so the bundle under test is the one the sources make.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

export default function setup(): void {
  const bin = join(root, "dist", "bin.js");
  const inputs = ["src", "scripts/build.mjs", "package-lock.json"].map((path) => join(root, path));
  if (existsSync(bin) && statSync(bin).mtimeMs >= Math.max(...inputs.map(newestChange))) return;
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
}
