// `npm ci` / `npm install` in a checkout builds dist/ (so `npx modelgate` works right away). Under
// `npm ci --omit=dev` esbuild is not installed: skip the build instead of failing the install
// (a published package ships dist/ already: one bundle that needs no other dependency but `diff`).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
try {
  require.resolve("esbuild");
} catch {
  console.warn("modelgate: esbuild is not installed (production install); skipping the build of dist/");
  process.exit(0);
}
execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
