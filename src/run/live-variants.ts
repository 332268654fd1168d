/**
 * Live variants of a run: the shared HTTP client, a variant ready to be called (its SDK client built on
 * first use) and the judge as checks call it. `eval` and the canary commands (which call only the judge)
 * build their model calls the same way.
 */
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";
import { judgeParams } from "../judge/params.js";
import type { Inputs } from "../load/inputs.js";
import { priceOf } from "../pricing.js";
import { endpointHost, keyVariable, maxResponseBytes, providerEnvironment, providers } from "../providers/index.js";
import type { Provider } from "../providers/types.js";
import type { JudgeCaller, VariantSpec } from "../types.js";
import type { LiveVariant } from "./evaluate-cases.js";
import { requestOptionsOf } from "./expand.js";
import { requestKey } from "./request-key.js";
import type { Runner } from "./runner.js";

/** What the judge caller needs of the loaded inputs: the checks, the default judge, the checks' own judges. */
export type JudgeInputs = { rubric: Pick<Inputs["rubric"], "checks"> } & Pick<Inputs, "judge" | "checkJudges">;

/**
 * The judge as checks call it: the default judge or a check's own, with its own params (`judgeParams`), through the
 * same runner (concurrency, retries, cache, cassette) as model calls. Undefined when no check judges.
 */
export function judgeCaller(inputs: JudgeInputs, runner: Runner, live: (spec: VariantSpec, role: string) => LiveVariant): JudgeCaller | undefined {
  if (!inputs.rubric.checks.some((check) => check.usesJudge)) return undefined;
  const byName = new Map<string, LiveVariant>();
  for (const [name, spec] of Object.entries(inputs.checkJudges)) byName.set(name, live(spec, `judge ${name}`));
  const fallback = inputs.judge ? live(inputs.judge, "judge") : undefined;
  return (request, { variant, label }) => {
    const judge = (variant !== undefined ? byName.get(variant) : undefined) ?? fallback;
    if (!judge) throw new UserError(`no judge configured for ${label}`);
    const pinned = { ...request, params: judgeParams(judge.spec), ...requestOptionsOf(judge.spec) };
    return runner.send({
      provider: judge.provider,
      key: () => requestKey(judge.endpoint, pinned),
      request: pinned,
      endpoint: judge.endpoint,
      label: `${label} (judge: ${judge.spec.name})`,
      side: "judge",
      price: priceOf(judge.spec),
      ...(judge.keyVariable ? { keyVariable: judge.keyVariable } : {}),
    });
  };
}

/**
 * The HTTP client every provider of a run shares: the injected one (scripts, tests), else undici's fetch
 * over one keep-alive pool of --concurrency connections per origin that honours HTTP(S)_PROXY / NO_PROXY
 * of the run's environment, with the response size cap (src/providers/http-client.ts). Made with the
 * first SDK client, so replayed and cached runs never load undici.
 */
export function runFetch(io: CliIO, concurrency: number): () => Promise<typeof fetch> {
  // Read now: a bad MODELGATE_MAX_RESPONSE_BYTES is an input error before anything is sent.
  const maxBytes = maxResponseBytes(io.env);
  let shared: Promise<typeof fetch> | undefined;
  return () => {
    if (io.fetch) return Promise.resolve(io.fetch);
    shared ??= import("../providers/http-client.js").then(
      ({ createHttpClient }) => createHttpClient({ connections: concurrency, env: io.env, maxResponseBytes: maxBytes }).fetch,
    );
    return shared;
  };
}

/** A variant with its endpoint identity; its SDK client is built on first use (never under --replay). */
export function liveVariant(
  spec: VariantSpec,
  role: string,
  io: CliIO,
  timeoutMs: number,
  replaying: boolean,
  fetchFor: () => Promise<typeof fetch>,
): LiveVariant {
  const env = io.env;
  // Resolve the key now, so a missing key is a usage error before anything runs.
  const environment = replaying ? undefined : providerEnvironment(spec, env, timeoutMs, role);
  let provider: Promise<Provider> | undefined;
  return {
    spec,
    endpoint: { provider: spec.provider, host: endpointHost(spec, env), model: spec.model },
    ...(keyVariable(spec) ? { keyVariable: keyVariable(spec) as string } : {}),
    provider: () => {
      if (!environment) throw new UserError(`internal: ${role} provider requested under --replay`);
      provider ??= fetchFor().then((fetch) => providers[spec.provider].create(spec.model, { ...environment, fetch }));
      return provider;
    },
  };
}
