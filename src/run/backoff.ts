/** Default base of the exponential backoff. */
export const defaultRetryBaseMs = 500;
const maxBackoffMs = 30_000;

/**
 * Delay before retry number `attempt` (1-based): exponential backoff with "equal jitter" (half fixed,
 * half random, so a burst of 429s does not retry in lockstep), and never sooner than the server's
 * Retry-After when it sent one (a `Retry-After: 0` does not license a retry storm).
 */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, baseMs = defaultRetryBaseMs, random = Math.random): number {
  const ceiling = Math.min(maxBackoffMs, baseMs * 2 ** (attempt - 1));
  const exponential = Math.round(ceiling / 2 + random() * (ceiling / 2));
  if (retryAfterMs === undefined) return exponential;
  return Math.max(retryAfterMs + Math.floor(random() * Math.min(250, baseMs)), exponential);
}

/** Sleeps, waking early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
