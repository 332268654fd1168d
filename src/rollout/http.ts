/**
 * The HTTP calls of the API-backed kinds (Unleash, LaunchDarkly, webhook). A `CallRecord` is what the
 * audit log and --dry-run show; the credential headers are added only when the call is sent, so they
 * never reach a record.
 */
import { redactSecrets } from "../redact.js";
import type { CallRecord } from "./actuator.js";
import { refusal } from "./refusal.js";

const timeoutMs = 30_000;

export interface SendOptions {
  fetch: typeof fetch;
  /** headers sent but never recorded (Authorization) */
  secretHeaders?: Record<string, string>;
  contentType?: string;
  /** statuses that are an answer, not a failure (404 when reading what may not exist yet) */
  accept?: number[];
}

/** Sends one call, sets its `status`, returns the parsed JSON (or text) body; a non-2xx is a refusal (exit 3). */
export async function send(call: CallRecord, options: SendOptions): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { accept: "application/json", ...call.headers, ...options.secretHeaders };
  if (call.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  let response: Response;
  try {
    response = await options.fetch(call.url, {
      method: call.method,
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw refusal(`${call.method} ${call.url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  call.status = response.status;
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    // a non-JSON answer stays text
  }
  if (!response.ok && !(options.accept ?? []).includes(response.status)) {
    const detail = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    throw refusal(`${call.method} ${call.url} answered HTTP ${response.status}: ${redactSecrets(detail)}`);
  }
  return { status: response.status, body };
}

/** `GET https://…` + the JSON body, exactly as sent: what --dry-run prints. */
export function describeCall(call: CallRecord): string {
  const head = `${call.method} ${call.url}`;
  const headers = Object.entries(call.headers ?? {}).map(([name, value]) => `  ${name}: ${value}`);
  return [head, ...headers, ...(call.body !== undefined ? [JSON.stringify(call.body, null, 2)] : [])].join("\n");
}

/** The credential a kind's `token_env` names; missing → exit 2 naming the variable. */
export function readToken(env: NodeJS.ProcessEnv, name: string, kind: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") throw refusalMissing(name, kind);
  return value;
}

function refusalMissing(name: string, kind: string) {
  const error = refusal(`the ${kind} actuator needs an API token in $${name} (token_env), which is not set`);
  (error as { exitCode: number }).exitCode = 2;
  return error;
}
