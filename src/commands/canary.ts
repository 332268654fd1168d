/**
 * `modelgate canary analyze | simulate | serve` (SPEC §11): the plan's windows judged and decided
 * (src/canary/analyze.ts), printed as a timeline, served to Argo Rollouts and Flagger. `run` acts on the
 * decisions too: src/commands/canary-run.ts.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { decisionExitCode } from "../canary/advance.js";
import { analyzeWindows, type Canary, loadCanary } from "../canary/analyze.js";
import { initialState } from "../canary/decide.js";
import { takeLock } from "../canary/lock.js";
import { sequentialMethodName } from "../canary/sequential.js";
import { createCanaryServer } from "../canary/serve.js";
import { type CanaryState, readState, stateFolder } from "../canary/state.js";
import { decisionLine, renderTimelineHtml, renderTimelineRows, renderTimelineText } from "../canary/timeline.js";
import { readCanaryTraffic, trafficSignature } from "../canary/traffic.js";
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";
import { displayName } from "../paths.js";
import { writeReportFile } from "../report/writer.js";

/** The report formats a window's report may be written in (report.json always). */
const windowFormats = ["json", "md", "html", "junit"];

export interface AnalyzeCommandOptions {
  plan: string;
  /** ISO 8601; default the latest `ts` in the traffic */
  now?: string;
  out?: string;
  formats: string[];
  json: boolean;
  holdExitCode?: string;
  stateDir?: string;
}

export interface SimulateCommandOptions {
  plan: string;
  /** traffic files in place of the plan's `traffic:` */
  traffic: string[];
  out?: string;
  formats: string[];
  json: boolean;
}

/** `--now 2026-06-12T11:00:00Z` → epoch ms. */
export function parseNow(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new UserError(`--now: expected an ISO 8601 time such as 2026-06-12T11:00:00Z, got ${JSON.stringify(text)}`);
  return ms;
}

export function parseHoldExitCode(text: string | undefined): number {
  if (text === undefined) return 4;
  const code = Number(text);
  if (!/^\d{1,3}$/.test(text) || code > 255) throw new UserError(`--hold-exit-code: expected an exit code 0-255, got ${JSON.stringify(text)}`);
  return code;
}

function checkFormats(formats: string[]): string[] {
  const unknown = formats.filter((f) => !windowFormats.includes(f) && f !== "table");
  if (unknown.length > 0) throw new UserError(`--format: unknown ${unknown.join(", ")}; expected any of ${windowFormats.join(", ")}`);
  return formats;
}

/** `canary analyze`: every closed window not yet analysed → its report, the state, the decision; exit 0/1/4. */
export async function runCanaryAnalyze(options: AnalyzeCommandOptions, io: CliIO): Promise<number> {
  const now = parseNow(options.now);
  const holdExitCode = parseHoldExitCode(options.holdExitCode);
  const formats = checkFormats(options.formats);
  const canary = loadCanary(options.plan, io);
  const { plan } = canary;
  const folder = stateFolder(plan, resolve(io.cwd, options.stateDir ?? ".modelgate/canary"));
  const release = takeLock(folder, { throwIfHeld: true });
  try {
    const state = readState(plan, folder);
    const traffic = await readCanaryTraffic(plan.traffic, { scratch: folder, models: canary.models });
    for (const warning of traffic.warnings) io.stderr.write(`warning: ${warning}\n`);
    const out = resolve(io.cwd, options.out ?? join("reports", "canary", plan.name));
    const { state: next, added } = await analyzeWindows(canary, {
      state,
      traffic,
      ...(now !== undefined ? { now_ms: now } : {}),
      out,
      formats,
      stateFolder: folder,
      io,
    });
    printOutcome(plan.name, plan.sha256, next, added, options.json, io, added.length > 0 ? displayName(out) : undefined);
    return decisionExitCode(next.windows.at(-1), holdExitCode);
  } finally {
    release?.();
  }
}

/**
 * For `serve`: the state brought up to date before each answer — the windows closed since are judged
 * (reports and state written as `analyze` writes them) when the traffic changed. One refresh at a time;
 * while another process holds the canary's lock, the state is answered as that process left it.
 */
function stateRefresher(canary: Canary, folder: string, io: CliIO): () => Promise<CanaryState> {
  const { plan } = canary;
  let inFlight: Promise<CanaryState> | undefined;
  let seen: string | undefined;
  const refresh = async (): Promise<CanaryState> => {
    const signature = trafficSignature(plan.traffic);
    if (signature === seen) return readState(plan, folder);
    const release = takeLock(folder, { throwIfHeld: false });
    if (!release) return readState(plan, folder);
    try {
      const traffic = await readCanaryTraffic(plan.traffic, { scratch: folder, models: canary.models });
      const out = resolve(io.cwd, join("reports", "canary", plan.name));
      const { state } = await analyzeWindows(canary, { state: readState(plan, folder), traffic, out, formats: [], stateFolder: folder, io });
      seen = signature;
      return state;
    } finally {
      release();
    }
  };
  return () => {
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/** `canary simulate`: the traffic replayed window by window from a fresh state, which is never written. */
export async function runCanarySimulate(options: SimulateCommandOptions, io: CliIO): Promise<number> {
  const formats = checkFormats(options.formats);
  const canary = loadCanary(options.plan, io);
  const { plan } = canary;
  const source = options.traffic.length > 0 ? { kind: "files" as const, globs: options.traffic.map((f) => resolve(io.cwd, f)) } : plan.traffic;
  const scratch = mkdtempSync(join(tmpdir(), "modelgate-simulate-"));
  try {
    const traffic = await readCanaryTraffic(source, { scratch, models: canary.models });
    for (const warning of traffic.warnings) io.stderr.write(`warning: ${warning}\n`);
    const wantsFiles = options.out !== undefined || formats.some((f) => f !== "table");
    const out = wantsFiles ? resolve(io.cwd, options.out ?? join("reports", "canary", `${plan.name}-simulate`)) : undefined;
    const fresh: CanaryState = { version: 1, name: plan.name, plan_sha256: plan.sha256, decision: initialState(plan), windows: [] };
    const { state } = await analyzeWindows(canary, { state: fresh, traffic, ...(out ? { out } : {}), formats, io });
    if (out) {
      writeReportFile(out, "timeline.json", `${JSON.stringify(state, null, 2)}\n`);
      if (formats.includes("html")) {
        const stageNames = plan.stages.map((stage) => stage.name);
        writeReportFile(out, "timeline.html", renderTimelineHtml(plan.name, plan.sha256, sequentialMethodName, state, true, stageNames));
      }
    }
    if (options.json) printOutcome(plan.name, plan.sha256, state, state.windows, true, io, out ? displayName(out) : undefined);
    else {
      io.stdout.write(renderTimelineText(plan.name, state));
      if (out) io.stderr.write(`reports written to ${displayName(out)}/ (a folder per window${formats.includes("html") ? ", timeline.html" : ""})\n`);
    }
    return decisionExitCode(state.windows.at(-1), 4);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function printOutcome(name: string, sha256: string, state: CanaryState, added: CanaryState["windows"], json: boolean, io: CliIO, out?: string): void {
  const last = state.windows.at(-1);
  if (json) {
    const summary = {
      name,
      plan_sha256: sha256,
      decision: last?.decision ?? "hold",
      stage: last?.next_stage ?? null,
      status: state.decision.status,
      reason: last?.decision_reason ?? "no closed window yet",
      windows: added,
      ...(out ? { reports: out } : {}),
    };
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  if (added.length === 0) io.stdout.write(`canary ${name}: no new closed window (${state.windows.length} analysed before)\n`);
  else io.stdout.write(renderTimelineRows(name, added));
  io.stdout.write(`${decisionLine(last)}\n`);
  if (out) io.stderr.write(`reports written to ${out}/\n`);
}

export interface ServeOptions {
  plan: string;
  listen: string;
  /** where state lives (default .modelgate/canary under the working directory) */
  stateDir?: string;
}

/** `127.0.0.1:8377` / `:8377` / `[::1]:8377` → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !(port >= 0 && port <= 65535))
    throw new UserError(`--listen: expected HOST:PORT such as 127.0.0.1:8377, got ${JSON.stringify(text)}`);
  return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

export async function runCanaryServe(options: ServeOptions, io: CliIO): Promise<number> {
  const { host, port } = parseListen(options.listen);
  const canary = loadCanary(options.plan, io);
  const { plan } = canary;
  const folder = stateFolder(plan, resolve(io.cwd, options.stateDir ?? ".modelgate/canary"));
  const server = createCanaryServer({ name: plan.name, plan_sha256: plan.sha256, read: stateRefresher(canary, folder, io) });
  server.listen(port, host);
  await once(server, "listening");
  const address = server.address();
  const shown =
    typeof address === "object" && address
      ? `${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`
      : options.listen;
  io.stderr.write(`canary ${plan.name}: serving on http://${shown} (GET /v1/canary/${plan.name}, POST /flagger/*, GET /metrics)\n`);
  const stop = () => server.close();
  process.once("SIGTERM", stop);
  io.signal.addEventListener("abort", stop, { once: true });
  await once(server, "close");
  process.off("SIGTERM", stop);
  return 0;
}
