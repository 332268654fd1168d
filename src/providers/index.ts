import { UserError } from "../errors.js";
import { rememberSecret } from "../redact.js";
import type { ProviderName, VariantSpec } from "../types.js";
import { createAnthropicProvider } from "./anthropic.js";
import { createAzureProvider } from "./azure.js";
import { createOpenAIProvider } from "./openai.js";
import { createOpenAIResponsesProvider } from "./openai-responses.js";
import type { Provider, ProviderEnvironment } from "./types.js";

/** What modelgate knows of one provider kind: how to build its client, and where its key and endpoint come from. */
interface ProviderKind {
  create: (model: string, environment: ProviderEnvironment) => Promise<Provider>;
  /** the variable the key comes from unless the variant names one (undefined: no key needed) */
  keyEnv: string | undefined;
  /** the variable a base URL may come from */
  baseUrlEnv: string;
  /** the host reports and cache keys name when no base URL is set (empty: an endpoint is required) */
  defaultHost: string;
  /** the variant fields its wire format has a place for (another is not sent, with a warning) */
  accepts: { reasoning: boolean; thinking: boolean };
  /** the variable a bearer token may come from when no key is set (Azure's Microsoft Entra tokens) */
  tokenEnv?: string;
}

const openaiFields = { reasoning: true, thinking: false };

/**
 * The provider registry, by the name a variant uses: the one list the loader, the CLI's inline
 * `provider:model` and the run read. A new provider is one module and one line here.
 */
export const providers = {
  openai: {
    create: createOpenAIProvider,
    keyEnv: "OPENAI_API_KEY",
    baseUrlEnv: "OPENAI_BASE_URL",
    defaultHost: "api.openai.com",
    accepts: openaiFields,
  },
  anthropic: {
    create: createAnthropicProvider,
    keyEnv: "ANTHROPIC_API_KEY",
    baseUrlEnv: "ANTHROPIC_BASE_URL",
    defaultHost: "api.anthropic.com",
    accepts: { reasoning: false, thinking: true },
  },
  "openai-compatible": {
    create: createOpenAIProvider,
    keyEnv: undefined,
    baseUrlEnv: "OPENAI_BASE_URL",
    defaultHost: "api.openai.com",
    accepts: openaiFields,
  },
  "openai-responses": {
    create: createOpenAIResponsesProvider,
    keyEnv: "OPENAI_API_KEY",
    baseUrlEnv: "OPENAI_BASE_URL",
    defaultHost: "api.openai.com",
    accepts: openaiFields,
  },
  azure: {
    create: createAzureProvider,
    keyEnv: "AZURE_OPENAI_API_KEY",
    baseUrlEnv: "AZURE_OPENAI_ENDPOINT",
    defaultHost: "",
    accepts: openaiFields,
    tokenEnv: "AZURE_OPENAI_AD_TOKEN",
  },
} satisfies Record<ProviderName, ProviderKind>;

/** Every provider name, in registry order. */
export const providerNames = Object.keys(providers) as ProviderName[];

/** The environment variable a variant's key comes from (undefined: none needed). */
export function keyVariable(variant: VariantSpec): string | undefined {
  return variant.api_key_env ?? providers[variant.provider].keyEnv;
}

/** Key and endpoint for a variant, from the environment only. Throws (exit 2) when a needed key is missing. */
export function providerEnvironment(variant: VariantSpec, env: NodeJS.ProcessEnv, timeoutMs: number, role: string): ProviderEnvironment {
  const kind: ProviderKind = providers[variant.provider];
  const variable = keyVariable(variant);
  const apiKey = variable ? env[variable] : undefined;
  const tokenVariable = variant.token_env ?? kind.tokenEnv;
  // A bearer token stands in for a missing key (Azure: `api-key` header, else `Authorization: Bearer`).
  const bearerToken = !apiKey && tokenVariable ? env[tokenVariable] || undefined : undefined;
  if (variable && !apiKey && !bearerToken && (variant.provider !== "openai-compatible" || variant.api_key_env)) {
    const or = tokenVariable ? ` (or a bearer token in ${tokenVariable})` : "";
    throw new UserError(`missing API key for the ${role} (${variant.name}): set ${variable}${or} in the environment`);
  }
  // Whatever the variable is called, its value is a secret from here on: mask it in everything written.
  if (apiKey) rememberSecret(apiKey);
  if (bearerToken) rememberSecret(bearerToken);
  const baseURL = variant.base_url ?? env[kind.baseUrlEnv] ?? undefined;
  if (variant.provider === "openai-compatible" && !baseURL) {
    throw new UserError(`the ${role} (${variant.name}) is openai-compatible but has no endpoint: set base_url on the variant, or OPENAI_BASE_URL`);
  }
  if (variant.provider === "azure" && !baseURL) {
    throw new UserError(
      `the ${role} (${variant.name}) is an Azure OpenAI deployment but has no endpoint: set base_url (https://<resource>.openai.azure.com) on the variant, or AZURE_OPENAI_ENDPOINT`,
    );
  }
  const headers = resolveHeaders(variant, env, role);
  const azure =
    variant.provider === "azure"
      ? {
          deployment: variant.deployment ?? variant.model,
          ...(variant.api_version || env.OPENAI_API_VERSION ? { apiVersion: variant.api_version ?? (env.OPENAI_API_VERSION as string) } : {}),
          ...(bearerToken ? { bearerToken } : {}),
        }
      : undefined;
  return { apiKey: apiKey || undefined, baseURL, timeoutMs, ...(headers ? { headers } : {}), ...(azure ? { azure } : {}) };
}

/**
 * Variant fields the provider's wire format has no place for (`thinking` on OpenAI, `reasoning` on
 * Anthropic): they are not sent, and the run says so (a warning of SPEC §2; an error under --strict).
 */
export function requestOptionWarnings(role: string, variant: VariantSpec): string[] {
  const accepts = providers[variant.provider].accepts;
  const warnings: string[] = [];
  if (variant.reasoning && !accepts.reasoning) {
    warnings.push(
      `${role} (${variant.name}): reasoning.effort does not apply to provider ${variant.provider} and is not sent${variant.provider === "anthropic" ? " (use thinking: { budget_tokens })" : ""}`,
    );
  }
  if (variant.thinking && !accepts.thinking) {
    warnings.push(
      `${role} (${variant.name}): thinking.budget_tokens does not apply to provider ${variant.provider} and is not sent (use reasoning: { effort })`,
    );
  }
  return warnings;
}

/** The variant's `headers:` with `{ env: NAME }` values read; every value is a secret from here on. */
function resolveHeaders(variant: VariantSpec, env: NodeJS.ProcessEnv, role: string): Record<string, string> | undefined {
  if (!variant.headers) return undefined;
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(variant.headers)) {
    const text = typeof value === "string" ? value : env[value.env];
    if (text === undefined || text === "") {
      throw new UserError(
        `the ${role} (${variant.name}) sends header ${name} from ${(value as { env: string }).env}: set ${(value as { env: string }).env} in the environment`,
      );
    }
    // Gateways put credentials and routing configs in headers: masked like keys everywhere.
    rememberSecret(text);
    resolved[name] = text;
  }
  return resolved;
}

/** Host of the endpoint (for cache keys and reports; never credentials). */
export function endpointHost(variant: VariantSpec, env: NodeJS.ProcessEnv): string {
  const url = variant.base_url ?? env[providers[variant.provider].baseUrlEnv];
  if (!url) return providers[variant.provider].defaultHost;
  try {
    const parsed = new URL(url);
    // Azure: two deployments of one model on one resource are two endpoints (their caches must not mix).
    const deployment = variant.provider === "azure" ? `/openai/deployments/${variant.deployment ?? variant.model}` : "";
    return `${parsed.host}${parsed.pathname.replace(/\/+$/, "")}${deployment}`;
  } catch {
    return "invalid-url";
  }
}

/** Default cap on a response body, decoded: far above any completion, far below what would hurt memory. */
export const defaultMaxResponseBytes = 16 * 1024 * 1024;

/** The response body cap of a run: MODELGATE_MAX_RESPONSE_BYTES (bytes, a positive integer) or the default. */
export function maxResponseBytes(env: NodeJS.ProcessEnv): number {
  const value = env.MODELGATE_MAX_RESPONSE_BYTES;
  if (value === undefined || value.trim() === "") return defaultMaxResponseBytes;
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UserError(`MODELGATE_MAX_RESPONSE_BYTES: expected a whole number of bytes of at least 1, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return bytes;
}
