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

import { escapeHtml, escapeXmlAttr, escapeXmlText, serializeJsonForScript } from "./report/escape.js";
import { mdText } from "./report/markdown-escape.js";

const mask = "***";

/** Variables whose value is a credential by their name (a variable named by `api_key_env` usually is). */
const credentialName = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH)$/i;
/** Shorter values are not masked: a 3-letter "secret" would blank out ordinary words across a report. */
const minSecretLength = 8;

// `\_` too: Markdown escapes the underscores of a key it quotes.
const keyShaped = /\b(sk-(?:ant-|proj-)?|xai-|AIza)(?:[A-Za-z0-9_-]|\\_){12,}/g;
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
/** The remembered values themselves (and as JSON writes them), for the masking of cut secrets. */
const rememberedValues = new Set<string>();

/** Remembers the environment's secrets, so every later `redactSecrets` masks them (the CLI calls this first). */
export function rememberSecrets(env: NodeJS.ProcessEnv): void {
  for (const value of secretValues(env)) rememberSecret(value);
}

/** Remembers one secret value, whatever its variable is called (providers call this with the key they use). */
export function rememberSecret(value: string): void {
  if (value.length < minSecretLength) return;
  rememberedValues.add(value).add(JSON.stringify(value).slice(1, -1));
  for (const form of writtenForms(value)) remembered.add(form);
  rememberedSorted = [...remembered].sort((a, b) => b.length - a.length);
}

/**
 * A value as every writer of ours may spell it: raw, inside a JSON string, in HTML/XML text and
 * attributes, in the HTML report's `<script>` JSON data island, in Markdown text and table cells — and
 * the JSON form of each (a report quotes tool arguments as JSON, then escapes them for its format). The
 * escapers themselves make the forms, so a change to one cannot open a gap here.
 */
function writtenForms(value: string): string[] {
  const json = (text: string) => JSON.stringify(text).slice(1, -1);
  const escapers = [
    (text: string) => text,
    escapeHtml,
    escapeXmlText,
    escapeXmlAttr,
    mdText,
    (text: string) => text.replace(/\|/g, "\\|"),
    (text: string) => serializeJsonForScript(text).slice(1, -1),
  ];
  const forms = new Set<string>();
  for (const base of [value, json(value)]) for (const spell of escapers) forms.add(spell(base));
  return [...forms].filter((form) => form.length >= minSecretLength);
}

/** A cut string (an excerpt, a table cell) may end inside a secret: a prefix this long of one is masked. */
const leakedPart = 10;

/**
 * Masks what is left of a remembered secret where a cut kept only its start or its end (`sk-…abcd` cut to
 * 30 of its 32 characters, then "…"): any run of at least 10 of its first or last characters.
 */
function maskCutSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < leakedPart + 2) continue;
    result = maskSuffixes(maskPrefixes(result, secret), secret);
  }
  return result;
}

/**
 * Whether a run of a key is distinctive enough to stand for it: a test key's "0000000000" also occurs in
 * numbers (`30.560000000000002`), and masking there would break the JSON it is in.
 */
function distinctive(anchor: string): boolean {
  return new Set(anchor).size >= 5;
}

function maskPrefixes(text: string, secret: string): string {
  const anchor = secret.slice(0, leakedPart);
  if (!distinctive(anchor)) return text;
  let at = text.indexOf(anchor);
  if (at === -1) return text;
  let result = "";
  let from = 0;
  while (at !== -1) {
    let end = at + leakedPart;
    while (end < text.length && end - at < secret.length && text[end] === secret[end - at]) end++;
    // Never end inside a JSON escape: a masked report.json must still parse.
    let slashes = 0;
    while (text[end - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 1) end--;
    result += `${text.slice(from, at)}${mask}`;
    from = end;
    at = text.indexOf(anchor, end);
  }
  return result + text.slice(from);
}

function maskSuffixes(text: string, secret: string): string {
  const anchor = secret.slice(-leakedPart);
  if (!distinctive(anchor)) return text;
  let at = text.indexOf(anchor);
  if (at === -1) return text;
  let result = "";
  let from = 0;
  while (at !== -1) {
    const end = at + leakedPart;
    let start = at;
    // Back along the secret, never before what is already written out.
    while (start > from && end - start < secret.length && text[start - 1] === secret[secret.length - 1 - (end - start)]) start--;
    // Never leave an escaping backslash before the mask: a masked report.json must still parse.
    let slashes = 0;
    while (start - 1 - slashes >= from && text[start - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 1) start--;
    result += `${text.slice(from, start)}${mask}`;
    from = end;
    at = text.indexOf(anchor, end);
  }
  return result + text.slice(from);
}

/** Masks secrets in text: the remembered ones, those of `env` when given, key-shaped text and URL userinfo. */
export function redactSecrets(text: string, env?: NodeJS.ProcessEnv): string {
  let exact = rememberedSorted;
  let values = rememberedValues as Set<string> | string[];
  if (env) {
    const fromEnv = secretValues(env).filter((value) => !rememberedValues.has(value));
    const extra = fromEnv.flatMap(writtenForms).filter((form) => !remembered.has(form));
    if (extra.length > 0) exact = [...exact, ...extra].sort((a, b) => b.length - a.length);
    if (fromEnv.length > 0) values = [...rememberedValues, ...fromEnv.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)])];
  }
  let result = text;
  for (const value of exact) {
    if (result.includes(value)) result = result.split(value).join(mask);
  }
  result = maskCutSecrets(result, values);
  // Each pattern only where the text has its literal part: scanning every case line of a long run with
  // the URL pattern (a try at each word boundary) was measurable in `npm run bench`.
  if (result.includes("://") && result.includes("@")) result = result.replace(urlUserinfo, `$1${mask}@`);
  result = result.replace(authScheme, `$1 ${mask}`);
  if (result.includes("sk-") || result.includes("xai-") || result.includes("AIza")) result = result.replace(keyShaped, `$1${mask}`);
  return result;
}

/** A stream whose every write is masked: the CLI's stdout and stderr, whatever writes to them. */
export function redactingStream<T extends { write(text: string): unknown; isTTY?: boolean }>(stream: T, env: NodeJS.ProcessEnv): T {
  const wrapped = Object.create(stream) as T;
  wrapped.write = (text: string) => stream.write(redactSecrets(String(text), env));
  return wrapped;
}

/**
 * JSON with secrets masked; it still parses: exact secrets are also matched in their JSON-escaped form,
 * and no pattern reaches past a string's closing quote. Masking the serialised text, as the reports and
 * the case log do, is several times cheaper than a replacer called on every value.
 */
export function redactedJson(value: unknown): string {
  return redactSecrets(JSON.stringify(value));
}

/**
 * A copy of a value with its secrets masked (the value itself when it holds none). Renderers get such a
 * copy, so a secret is masked before any excerpt cuts it, and the rendered text is masked again after.
 */
export function redactedValue<T>(value: T): T {
  const json = JSON.stringify(value);
  if (json === undefined) return value;
  const masked = redactSecrets(json);
  if (masked === json) return value;
  try {
    return JSON.parse(masked) as T;
  } catch {
    // A mask that broke the JSON (a secret that is also ordinary text): the rendered text is masked anyway.
    return value;
  }
}
