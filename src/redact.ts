/**
 * Secret masking for every byte modelgate writes: reports, cassettes, cache entries, stderr. Keys come
 * only from the environment (SPEC §2), yet they can come back to us: a gateway that echoes the
 * Authorization header in an error body, an SDK error that quotes a `https://user:pass@host` URL, a key
 * pasted into the wrong field. Three rules, applied together:
 *
 * - exact values of the credential variables in the environment (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`,
 *   `*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`, ...) and passwords written into `*_URL` variables;
 * - key-shaped text (`sk-…`, `sk-ant-…`, `xai-…`, `AIza…`) and `Bearer …` / `Basic …` credentials;
 * - the userinfo of any URL (`scheme://user:pass@host` → `scheme://***@host`).
 */

const mask = "***";

/** Variables whose value is a credential by their name (a variable named by `api_key_env` usually is). */
const credentialName = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH)$/i;
/** Shorter values are not masked: a 3-letter "secret" would blank out ordinary words across a report. */
const minSecretLength = 8;

const keyShaped = /\b(sk-(?:ant-|proj-)?|xai-|AIza)[A-Za-z0-9_-]{12,}/g;
// The whitespace may be JSON-escaped (`\n`, `\t`): most text is masked after it is serialised.
const authScheme = /\b(Bearer|Basic)(?:\s|\\[nrt])+[A-Za-z0-9._~+/=-]{8,}/gi;
// Bounded repeats: an output like "a.a.a.a…" must not make this quadratic (each start scans ≤ 32 + 256 chars).
const urlUserinfo = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@"'<>\\]{1,256}@/gi;

/** Secret values met so far in this process (the environment the CLI was started with). */
const remembered = new Set<string>();

/** The credential values an environment holds: key variables, and passwords inside URL variables. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== "string" || value.trim() === "") continue;
    if (credentialName.test(name) && value.length >= minSecretLength) values.push(value);
    if (/URL$/i.test(name) && URL.canParse(value)) {
      // The password only: a user name ("postgres") is no secret, and masking it would blank out words.
      const { password } = new URL(value);
      for (const part of [password, safeDecode(password)]) if (part.length >= minSecretLength) values.push(part);
    }
  }
  return [...new Set(values)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Remembered secrets, longest first (so a key that contains another is masked whole); rebuilt on change. */
let rememberedSorted: string[] = [];

/** Remembers the environment's secrets, so every later `redactSecrets` masks them (the CLI calls this first). */
export function rememberSecrets(env: NodeJS.ProcessEnv): void {
  for (const value of secretValues(env)) rememberSecret(value);
}

/** Remembers one secret value, whatever its variable is called (providers call this with the key they use). */
export function rememberSecret(value: string): void {
  if (value.length < minSecretLength) return;
  for (const form of writtenForms(value)) remembered.add(form);
  rememberedSorted = [...remembered].sort((a, b) => b.length - a.length);
}

/** A value as it appears raw, inside a JSON string, and in HTML/XML text (reports escape what they embed). */
function writtenForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const html = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  return [value, json, html];
}

/** Masks secrets in text: the remembered ones, those of `env` when given, key-shaped text and URL userinfo. */
export function redactSecrets(text: string, env?: NodeJS.ProcessEnv): string {
  let exact = rememberedSorted;
  if (env) {
    const extra = secretValues(env)
      .flatMap(writtenForms)
      .filter((form) => !remembered.has(form));
    if (extra.length > 0) exact = [...exact, ...extra].sort((a, b) => b.length - a.length);
  }
  let result = text;
  for (const value of exact) {
    if (result.includes(value)) result = result.split(value).join(mask);
  }
  // Each pattern only where the text has its literal part: scanning every case line of a long run with
  // the URL pattern (a try at each word boundary) was measurable in `npm run bench`.
  if (result.includes("://") && result.includes("@")) result = result.replace(urlUserinfo, `$1${mask}@`);
  result = result.replace(authScheme, `$1 ${mask}`);
  if (result.includes("sk-") || result.includes("xai-") || result.includes("AIza")) result = result.replace(keyShaped, `$1${mask}`);
  return result;
}

/**
 * JSON with secrets masked; it still parses: exact secrets are also matched in their JSON-escaped form,
 * and no pattern reaches past a string's closing quote. Masking the serialised text, as the reports and
 * the case log do, is several times cheaper than a replacer called on every value.
 */
export function redactedJson(value: unknown): string {
  return redactSecrets(JSON.stringify(value));
}
