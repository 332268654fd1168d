#!/usr/bin/env node
import { runCli } from "./cli.js";

// Ctrl-C: the first one stops new requests and writes what finished (exit 130); a second one quits now.
const controller = new AbortController();
process.once("SIGINT", () => {
  controller.abort();
  process.once("SIGINT", () => process.exit(130));
});
process.once("SIGTERM", () => controller.abort());

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
