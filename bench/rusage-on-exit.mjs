// Preloaded (`--import`) into each measured run by bench/processes.ts: writes the process's own
// process.resourceUsage() (CPU µs, peak RSS KiB) to $BENCH_RUSAGE_FILE at exit. It takes the variable
// out of the environment at load, so a child process the tool starts does not overwrite the file.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_RUSAGE_FILE;
delete process.env.BENCH_RUSAGE_FILE;
if (file) process.on("exit", () => writeFileSync(file, JSON.stringify(process.resourceUsage())));
