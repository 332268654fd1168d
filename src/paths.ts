import { relative, resolve } from "node:path";

/** A path as the user would write it: relative to the working directory when inside it. */
export function displayName(path: string): string {
  const fromCwd = relative(process.cwd(), resolve(path));
  return fromCwd.startsWith("..") || fromCwd === "" ? resolve(path) : fromCwd;
}
