/** Where a command writes and what it can see of its process; tests pass their own. */
export interface CliIO {
  /** `columns`: the terminal's width when it is one (tables and the progress line fit it) */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** aborted on Ctrl-C */
  signal: AbortSignal;
  /** HTTP client for providers (default: undici over a proxy-aware keep-alive pool, src/providers/http-client.ts); scripts route the demo recording through it */
  fetch?: typeof fetch;
}

/** Colour only on a terminal, never under NO_COLOR or --no-color. */
export function useColor(io: CliIO, stream: "stdout" | "stderr", flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0") return true;
  return io[stream].isTTY === true;
}

/** The width output to `stream` should fit: the terminal's, else $COLUMNS, else 80. */
export function outputWidth(io: CliIO, stream: "stdout" | "stderr"): number {
  const columns = io[stream].columns ?? Number(io.env.COLUMNS);
  return Number.isFinite(columns) && columns >= 40 ? Math.floor(columns) : 80;
}
