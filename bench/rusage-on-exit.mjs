// Preloaded into the CLI under test (`--import`) when GNU time is missing: writes the process's own
// rusage (CPU µs, peak RSS KiB) at exit to $BENCH_RUSAGE_FILE, for bench/run.ts.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.BENCH_RUSAGE_FILE, JSON.stringify(usage));
});
