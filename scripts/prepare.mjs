// `npm ci` / `npm install` in a checkout builds dist/ (so `npx modelgate` works right away). Under
// `npm ci --omit=dev` TypeScript is not installed: skip the build instead of failing the install
// (a published package ships dist/ already).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  console.warn("modelgate: TypeScript is not installed (production install); skipping the build of dist/");
  process.exit(0);
}
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
