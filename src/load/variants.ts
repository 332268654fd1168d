import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describeValue, suggest } from "../errors.js";
import { providerNames } from "../providers/index.js";
import type { JsonObject, JsonValue, ProviderName, VariantSpec } from "../types.js";
import { checkKeys, expected, isObject, optionalString, type Report } from "./fields.js";

const variantFields = ["provider", "model", "base_url", "api_key_env", "prompt", "params", "pricing", "headers", "description"];
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
    const pricing = raw.pricing;
    const ok =
      isObject(pricing) && ["input_per_mtok", "output_per_mtok"].every((key) => typeof pricing[key] === "number" && (pricing[key] as number) >= 0);
    if (ok) variant.pricing = { input_per_mtok: pricing.input_per_mtok as number, output_per_mtok: pricing.output_per_mtok as number };
    else report(`${at}.pricing`, expected("{ input_per_mtok: <USD>, output_per_mtok: <USD> }", pricing));
  }
  return variant;
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

export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
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
