import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describeValue, suggest } from "../errors.js";
import { checkKeys, expected, isObject, optionalString, type Report } from "../fields.js";
import { sha256 } from "../hash.js";
import { providerNames } from "../providers/index.js";
import type { JsonObject, JsonValue, Pricing, ProviderName, ReasoningEffort, VariantSpec } from "../types.js";

const variantFields = [
  "provider",
  "model",
  "base_url",
  "api_key_env",
  "prompt",
  "params",
  "pricing",
  "headers",
  "description",
  "reasoning",
  "thinking",
  "stream",
  "deployment",
  "api_version",
  "token_env",
];
const pricingColumns = ["input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "cache_write_per_mtok", "reasoning_per_mtok"] as const;
const reasoningEfforts: readonly ReasoningEffort[] = ["minimal", "low", "medium", "high"];
/** RFC 9110 field-name characters. */
const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `openai:gpt-4o-2024-08-06` → provider + model, or undefined when the text is not an inline spec. */
export function parseInlineVariant(text: string): VariantSpec | undefined {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const provider = trimmed.slice(0, colon);
  const model = trimmed.slice(colon + 1);
  if (colon <= 0 || model === "" || !(providerNames as readonly string[]).includes(provider)) return undefined;
  return { name: trimmed, provider: provider as ProviderName, model, params: {} };
}

/**
 * Parses one variant definition of the config (or a `judge:` block). `prompt:` is a file relative to the
 * config (pinned by content hash); a value with a space or newline that is not a file is the prompt itself.
 */
export function parseVariant(name: string, raw: JsonValue, at: string, configPath: string, report: Report): VariantSpec | undefined {
  if (typeof raw === "string") {
    const inline = parseInlineVariant(raw);
    if (!inline) report(at, `expected a variant {provider, model, ...} or "provider:model", got ${JSON.stringify(raw)}`);
    return inline ? { ...inline, name } : undefined;
  }
  if (!isObject(raw)) {
    report(at, expected("a variant {provider, model, prompt, params}", raw));
    return undefined;
  }
  checkKeys(raw, variantFields, at, report);
  const provider = raw.provider;
  if (provider === undefined) report(`${at}.provider`, `required: one of ${providerNames.join(" | ")}`);
  else if (typeof provider !== "string" || !(providerNames as readonly string[]).includes(provider)) {
    const hint = typeof provider === "string" ? suggest(provider, providerNames) : "";
    report(`${at}.provider`, `expected one of ${providerNames.join(" | ")}, got ${describeValue(provider)}${hint}`);
  }
  const model = raw.model;
  if (model === undefined) report(`${at}.model`, "required: a model id (e.g. gpt-4o-2024-08-06)");
  else if (typeof model !== "string" || model.trim() === "") report(`${at}.model`, expected("a model id (e.g. gpt-4o-2024-08-06)", model));
  const variant: VariantSpec = { name, provider: provider as ProviderName, model: String(model), params: {} };
  const baseUrl = optionalString(raw, "base_url", `${at}.base_url`, report);
  if (baseUrl !== undefined) {
    if (isHttpUrl(baseUrl)) variant.base_url = baseUrl;
    else report(`${at}.base_url`, `expected an http(s) URL like http://localhost:8000/v1, got ${describeUrl(baseUrl)}`);
  }
  const keyEnv = optionalString(raw, "api_key_env", `${at}.api_key_env`, report);
  if (keyEnv !== undefined) {
    if (envNamePattern.test(keyEnv)) variant.api_key_env = keyEnv;
    else report(`${at}.api_key_env`, "expected the NAME of an environment variable holding the key (keys never go in files)");
  }
  const prompt = optionalString(raw, "prompt", `${at}.prompt`, report);
  if (prompt !== undefined) {
    const loaded = loadPrompt(prompt, dirname(configPath));
    if (typeof loaded === "string") report(`${at}.prompt`, loaded);
    else variant.prompt = loaded;
  }
  if (raw.params !== undefined) {
    if (!isObject(raw.params)) report(`${at}.params`, expected("an object of request parameters", raw.params));
    else {
      variant.params = raw.params;
      // params go into the request body and nothing else: a header written there would be sent as JSON.
      for (const key of ["headers", "extra_headers", "default_headers"]) {
        if (raw.params[key] !== undefined)
          report(`${at}.params.${key}`, `HTTP headers do not go in params (the request body): use \`headers:\` on the variant`);
      }
    }
  }
  if (raw.headers !== undefined) {
    const headers = parseHeaders(raw.headers, `${at}.headers`, report);
    if (headers) variant.headers = headers;
  }
  if (raw.pricing !== undefined) {
    const pricing = parsePricing(raw.pricing, `${at}.pricing`, report);
    if (pricing) variant.pricing = pricing;
  }
  parseRequestOptions(raw, variant, at, report);
  return variant;
}

/** `pricing: { input_per_mtok, output_per_mtok, cached_input_per_mtok?, cache_write_per_mtok?, reasoning_per_mtok? }` (USD) */
function parsePricing(raw: JsonValue, at: string, report: Report): Pricing | undefined {
  const shape = `{ input_per_mtok: <USD>, output_per_mtok: <USD>, cached_input_per_mtok?, cache_write_per_mtok?, reasoning_per_mtok? }`;
  if (!isObject(raw)) {
    report(at, expected(shape, raw));
    return undefined;
  }
  checkKeys(raw, [...pricingColumns], at, report);
  const pricing: Record<string, number> = {};
  let ok = true;
  for (const column of pricingColumns) {
    const value = raw[column];
    const required = column === "input_per_mtok" || column === "output_per_mtok";
    if (value === undefined && !required) continue;
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) pricing[column] = value;
    else {
      ok = false;
      report(
        `${at}.${column}`,
        value === undefined ? `required: USD per million tokens (${shape})` : expected("USD per million tokens (a number >= 0)", value),
      );
    }
  }
  return ok ? (pricing as unknown as Pricing) : undefined;
}

/**
 * The variant fields beyond `params` that each provider maps to its own wire format (SPEC §2, issue
 * #24): `reasoning: { effort }`, `thinking: { budget_tokens }`, `stream: true`, and Azure's
 * `deployment`, `api_version`, `token_env`. Whether one applies to the provider is a warning, not an
 * error (src/providers/index.ts `requestOptionWarnings`).
 */
function parseRequestOptions(raw: Record<string, JsonValue>, variant: VariantSpec, at: string, report: Report): void {
  if (raw.reasoning !== undefined) {
    const reasoning = raw.reasoning;
    if (isObject(reasoning) && reasoningEfforts.includes(reasoning.effort as ReasoningEffort)) {
      checkKeys(reasoning, ["effort"], `${at}.reasoning`, report);
      variant.reasoning = { effort: reasoning.effort as ReasoningEffort };
    } else if (isObject(reasoning) && reasoning.effort !== undefined) {
      const hint = typeof reasoning.effort === "string" ? suggest(reasoning.effort, reasoningEfforts) : "";
      report(`${at}.reasoning.effort`, `expected one of ${reasoningEfforts.join(" | ")}, got ${describeValue(reasoning.effort)}${hint}`);
    } else report(`${at}.reasoning`, expected(`{ effort: ${reasoningEfforts.join(" | ")} }`, reasoning));
  }
  if (raw.thinking !== undefined) {
    const thinking = raw.thinking;
    const budget = isObject(thinking) ? thinking.budget_tokens : undefined;
    if (isObject(thinking) && typeof budget === "number" && Number.isSafeInteger(budget) && budget >= 1) {
      checkKeys(thinking, ["budget_tokens"], `${at}.thinking`, report);
      variant.thinking = { budget_tokens: budget };
    } else if (isObject(thinking))
      report(`${at}.thinking.budget_tokens`, expected("a whole number of tokens (Anthropic asks for at least 1024)", budget ?? null));
    else report(`${at}.thinking`, expected("{ budget_tokens: <tokens> }", thinking));
  }
  if (raw.stream !== undefined) {
    if (typeof raw.stream === "boolean") {
      if (raw.stream) variant.stream = true;
    } else report(`${at}.stream`, expected("true or false", raw.stream));
  }
  const deployment = optionalString(raw, "deployment", `${at}.deployment`, report);
  if (deployment !== undefined) {
    if (/^[A-Za-z0-9._-]+$/.test(deployment)) variant.deployment = deployment;
    else report(`${at}.deployment`, "expected an Azure deployment name (letters, digits, '.', '_', '-')");
  }
  const apiVersion = optionalString(raw, "api_version", `${at}.api_version`, report);
  if (apiVersion !== undefined) {
    if (/^\d{4}-\d{2}-\d{2}(-preview)?$|^(v1|latest|preview)$/.test(apiVersion)) variant.api_version = apiVersion;
    else report(`${at}.api_version`, `expected an Azure OpenAI api-version like 2024-10-21 or 2025-04-01-preview, got ${JSON.stringify(apiVersion)}`);
  }
  const tokenEnv = optionalString(raw, "token_env", `${at}.token_env`, report);
  if (tokenEnv !== undefined) {
    if (envNamePattern.test(tokenEnv)) variant.token_env = tokenEnv;
    else report(`${at}.token_env`, "expected the NAME of an environment variable holding a bearer token (tokens never go in files)");
  }
  const azureOnly = (["deployment", "api_version", "token_env"] as const).filter((field) => raw[field] !== undefined);
  if (azureOnly.length > 0 && raw.provider !== undefined && raw.provider !== "azure") {
    report(`${at}.${azureOnly[0]}`, `only used by provider: azure (this variant is ${describeValue(raw.provider)})`);
  }
}

/** `headers: { x-portkey-config: { env: PORTKEY_CONFIG }, x-team: "search" }` */
function parseHeaders(raw: JsonValue, at: string, report: Report): Record<string, string | { env: string }> | undefined {
  if (!isObject(raw)) {
    report(at, expected('an object of header: "value" or header: { env: NAME }', raw));
    return undefined;
  }
  const headers: Record<string, string | { env: string }> = {};
  for (const [name, value] of Object.entries(raw)) {
    const field = `${at}.${name}`;
    if (!headerNamePattern.test(name)) report(field, "not a valid HTTP header name");
    else if (typeof value === "string") {
      if (/[\r\n\0]/.test(value)) report(field, "a header value cannot contain a line break");
      else headers[name] = value;
    } else if (isObject(value) && typeof value.env === "string" && Object.keys(value).length === 1) {
      if (envNamePattern.test(value.env)) headers[name] = { env: value.env };
      else report(`${field}.env`, "expected the NAME of an environment variable");
    } else report(field, "expected a string, or { env: NAME } to read the value from the environment (header values are never shown)");
  }
  return headers;
}

/** `http://` or `https://` with a host: `localhost:4000/v1` parses as a URL with scheme "localhost:", so canParse is not enough. */
function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
}

/** A bad base_url for a message, without any credentials written into it (`https://user:sk-...@host`). */
function describeUrl(text: string): string {
  return JSON.stringify(text.replace(/\/\/[^/@\s]*@/, "//***@"));
}

function loadPrompt(value: string, baseDir: string): VariantSpec["prompt"] | string {
  const path = resolve(baseDir, value);
  if (existsSync(path)) {
    try {
      const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
      return { path, text, sha256: sha256(text) };
    } catch (error) {
      return `${path}: cannot read prompt: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }
  if (/\s/.test(value.trim())) return { path: "(inline)", text: value, sha256: sha256(value) };
  return `prompt file not found: ${path}`;
}

/** Pinned-version heuristics: a date (2024-08-06 / 20241022), or a numeric version suffix (-001, @v2). */
export function isFloatingAlias(variant: Pick<VariantSpec, "provider" | "model">): boolean {
  const model = variant.model.toLowerCase();
  if (/(^|[-:@])latest$/.test(model)) return true;
  if (variant.provider === "openai-compatible") return false;
  return !/\d{4}-\d{2}-\d{2}|\d{8}|-\d{3,4}$|@\d|-v\d+(\.\d+)*(:\d+)?$/.test(model);
}

/** The request parameters that matter for identity (for cache keys and "what changed" warnings). */
export function paramsSignature(params: JsonObject): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((key) => [key, params[key]]),
  );
}
