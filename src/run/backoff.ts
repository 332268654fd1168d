/** Default base of the exponential backoff. */
export const defaultRetryBaseMs = 500;
const maxBackoffMs = 30_000;

/**
 * Delay before retry number `attempt` (1-based): the server's Retry-After when it sent one, else
 * exponential backoff with "equal jitter" (half fixed, half random) so a burst of 429s does not retry in lockstep.
 */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, baseMs = defaultRetryBaseMs, random = Math.random): number {
  if (retryAfterMs !== undefined) return retryAfterMs + Math.floor(random() * Math.min(250, baseMs));
  const ceiling = Math.min(maxBackoffMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
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
