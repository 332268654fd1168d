/**
 * `modelgate shadow` (SPEC §10): resolves the two variants and their endpoints, starts the proxy, and
 * on SIGTERM (or Ctrl-C) drains it and exits 0.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";
import { findConfig, loadConfig } from "../load/config.js";
import { resolveVariant } from "../load/inputs.js";
import { priceOf } from "../pricing.js";
import { proxySettings } from "../providers/http-client.js";
import { maxResponseBytes, providerEnvironment, providers } from "../providers/index.js";
import type { ProviderEnvironment } from "../providers/types.js";
import { secretValues } from "../redact.js";
import type { CopySideInit } from "../shadow/copy-side.js";
import { dropReasons } from "../shadow/metrics.js";
import { createSampler, parseSampleKey, type SampleKey } from "../shadow/sampler.js";
import { type ShadowServer, startShadowServer } from "../shadow/server.js";
import type { Pricing, VariantSpec } from "../types.js";

export interface ShadowOptions {
  listen: { host: string; port: number };
  baseline: string;
  candidate: string;
  log: string;
  config?: string;
  sample: number;
  sampleKey: SampleKey;
  maxInFlight: number;
  queue: number;
  candidateTimeoutMs: number;
  graceMs: number;
  logMaxBytes: number;
  redact: boolean;
  maxCostPerHour?: number;
}

/** `127.0.0.1:8787`, `[::1]:8787`, `:8787` or `8787` (all interfaces only when asked: `0.0.0.0:8787`). */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) return undefined;
  return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

/** The flags as commander gives them (strings) → typed options; a bad value is a usage error (exit 2) naming the flag. */
export function normaliseShadowOptions(raw: Record<string, string | boolean | undefined>): ShadowOptions {
  const text = (name: string): string => String(raw[name] ?? "");
  const listen = parseListen(text("listen"));
  if (!listen) throw new UserError(`--listen expects host:port (e.g. 127.0.0.1:8787), got ${JSON.stringify(text("listen"))}`);
  const sample = Number(text("sample"));
  if (text("sample").trim() === "" || !Number.isFinite(sample) || sample < 0 || sample > 1)
    throw new UserError(`--sample expects a fraction from 0 to 1 (e.g. 0.1), got ${JSON.stringify(text("sample"))}`);
  const sampleKey = parseSampleKey(text("sampleKey"));
  if (!sampleKey)
    throw new UserError(`--sample-key expects header:<name> (e.g. header:x-user-id) or request, got ${JSON.stringify(text("sampleKey"))}`);
  const integer = (name: string, flag: string, min: number, max: number): number => {
    const value = text(name).trim();
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max)
      throw new UserError(`${flag} expects an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return parsed;
  };
  let maxCostPerHour: number | undefined;
  if (raw.maxCostPerHour !== undefined) {
    maxCostPerHour = Number(text("maxCostPerHour"));
    if (text("maxCostPerHour").trim() === "" || !Number.isFinite(maxCostPerHour) || maxCostPerHour < 0)
      throw new UserError(`--max-cost-per-hour expects a non-negative number of USD, got ${JSON.stringify(text("maxCostPerHour"))}`);
  }
  return {
    listen,
    baseline: text("baseline"),
    candidate: text("candidate"),
    log: text("log"),
    ...(raw.config !== undefined ? { config: text("config") } : {}),
    sample,
    sampleKey,
    maxInFlight: integer("maxInFlight", "--max-in-flight", 1, 10_000),
    queue: integer("queue", "--queue", 0, 10_000_000),
    candidateTimeoutMs: integer("candidateTimeout", "--candidate-timeout", 1, 3_600_000),
    graceMs: integer("grace", "--grace", 0, 3_600_000),
    logMaxBytes: integer("logMaxBytes", "--log-max-bytes", 1024, Number.MAX_SAFE_INTEGER),
    redact: raw.redact === true,
    ...(maxCostPerHour !== undefined ? { maxCostPerHour } : {}),
  };
}

/**
 * Base URL of a variant: its `base_url`, its provider's variable, or the provider's default host. The
 * served path relays the client's Chat Completions bytes as they are, so the baseline must speak that
 * wire; the candidate may be any provider (its copy is converted: anthropic-client.ts).
 */
function endpointOf(variant: VariantSpec, env: NodeJS.ProcessEnv, role: "baseline" | "candidate"): URL {
  if (role === "baseline" && variant.provider === "anthropic") {
    throw new UserError(
      `--baseline ${variant.name}: the served path passes the client's OpenAI Chat Completions request through unchanged, so the baseline must speak that wire: use an openai-compatible variant (Anthropic's own OpenAI-compatible endpoint, base_url: https://api.anthropic.com/v1, or a gateway in front of it); an anthropic candidate is fine`,
    );
  }
  const kind = providers[variant.provider];
  const text = variant.base_url ?? env[kind.baseUrlEnv] ?? `https://${kind.defaultHost}${variant.provider === "anthropic" ? "" : "/v1"}`;
  if (!URL.canParse(text)) throw new UserError(`--${role} ${variant.name}: the base URL is not a URL`);
  return new URL(text);
}

/** A running proxy, as `runShadow` (and the tests) drive it. */
export interface RunningShadow {
  server: ShadowServer;
  /** where the traffic log is written */
  logDir: string;
}

/** The copy's wire: the Anthropic provider's for an anthropic candidate, the client's own otherwise. */
function candidateWire(candidate: VariantSpec, url: URL, environment: ProviderEnvironment): CopySideInit["candidate"] {
  if (candidate.provider === "anthropic") {
    const { fetch: _, ...rest } = environment;
    return { wire: "anthropic", variant: candidate, environment: { ...rest, baseURL: url.href.replace(/\/+$/, "") } };
  }
  const headers: Record<string, string> = { ...environment.headers };
  if (environment.apiKey) headers.authorization = `Bearer ${environment.apiKey}`;
  return {
    wire: "openai",
    variant: candidate,
    endpoint: { origin: url.origin, path: `${url.pathname.replace(/\/+$/, "")}/chat/completions`, headers },
  };
}

/** A proxy URL's password (http://user:pass@proxy:3128): a secret the log masks. */
function proxyPassword(proxy: string): string {
  const { password } = new URL(proxy);
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}

/** Resolves the variants and endpoints and starts the proxy; prints where it listens. */
export async function startShadow(options: ShadowOptions, io: CliIO): Promise<RunningShadow> {
  const config = loadConfig(findConfig(options.config, io.cwd));
  const baseline = resolveVariant(options.baseline, config, "--baseline");
  const candidate = resolveVariant(options.candidate, config, "--candidate");
  const baselineUrl = endpointOf(baseline, io.env, "baseline");
  const candidateUrl = endpointOf(candidate, io.env, "candidate");
  // The candidate's own key and headers, from the environment (throws, exit 2, when a needed key is missing).
  const environment = providerEnvironment(candidate, io.env, options.candidateTimeoutMs, "candidate");
  let price: Pricing | null = null;
  if (options.maxCostPerHour !== undefined) {
    price = priceOf(candidate);
    if (!price) {
      throw new UserError(
        `--max-cost-per-hour needs a price for the candidate ${candidate.name} (model ${candidate.model}), and modelgate knows none: add pricing: { input_per_mtok, output_per_mtok } to the variant`,
      );
    }
  }
  const logDir = resolve(io.cwd, options.log);
  try {
    mkdirSync(logDir, { recursive: true });
  } catch (error) {
    throw new UserError(`--log ${options.log}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const proxies = proxySettings(io.env);
  const secrets = [
    ...secretValues(io.env),
    ...(environment.apiKey ? [environment.apiKey] : []),
    ...Object.values(environment.headers ?? {}),
    ...[proxies.httpProxy, proxies.httpsProxy].flatMap((proxy) => (URL.canParse(proxy) && new URL(proxy).password ? [proxyPassword(proxy)] : [])),
  ];
  const basePath = (url: URL) => url.pathname.replace(/\/+$/, "");
  const server = await startShadowServer({
    host: options.listen.host,
    port: options.listen.port,
    baseline: { origin: baselineUrl.origin, basePath: basePath(baselineUrl) },
    copies: {
      candidate: candidateWire(candidate, candidateUrl, environment),
      proxies,
      maxInFlight: options.maxInFlight,
      queue: options.queue,
      timeoutMs: options.candidateTimeoutMs,
      maxResponseBytes: maxResponseBytes(io.env),
      log: { dir: logDir, maxBytes: options.logMaxBytes, redactPersonal: options.redact },
      ...(price && options.maxCostPerHour !== undefined ? { cost: { capUsd: options.maxCostPerHour, price } } : {}),
      secrets,
    },
    sample: createSampler(options.sample, options.sampleKey),
    maxResponseBytes: maxResponseBytes(io.env),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE" || error.code === "EACCES" || error.code === "EADDRNOTAVAIL")
      throw new UserError(`--listen ${options.listen.host}:${options.listen.port}: cannot listen there (${error.code})`);
    throw error;
  });
  const sampleKey = options.sampleKey.kind === "header" ? `header:${options.sampleKey.name}` : "request";
  io.stderr.write(
    `modelgate shadow: listening on ${server.url}/v1 — serving ${baseline.name} (${baselineUrl.host}), ` +
      `copying ${options.sample * 100}% by ${sampleKey} to ${candidate.name} (${candidateUrl.host}); log in ${options.log}\n`,
  );
  return { server, logDir };
}

/** `modelgate shadow`: runs the proxy until SIGTERM or Ctrl-C, then drains it; exit 0. */
export async function runShadow(options: ShadowOptions, io: CliIO): Promise<number> {
  const { server } = await startShadow(options, io);
  await new Promise<void>((done) => {
    if (io.signal.aborted) done();
    else io.signal.addEventListener("abort", () => done(), { once: true });
  });
  io.stderr.write("modelgate shadow: stopping — finishing served requests, then waiting for shadow copies\n");
  const log = await server.close(options.graceMs);
  const { metrics } = server;
  const drops = dropReasons.map((reason) => `${reason} ${metrics.drops[reason]}`).join(", ");
  io.stderr.write(
    `modelgate shadow: stopped: ${metrics.requests.baseline} requests served, ${metrics.requests.candidate} copies sent, ` +
      `${metrics.linesWritten} traffic lines written (${log.files.length} file${log.files.length === 1 ? "" : "s"}); dropped: ${drops}\n`,
  );
  if (log.error) {
    throw new UserError(`the shadow log could not be written: ${log.error}`, 3);
  }
  return 0;
}
