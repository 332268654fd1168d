/**
 * Judge replies are read from their end only (the verdict comes last): this many characters, and from at
 * most this many `{` before the end — a reply of thousands of unclosed braces is still read in milliseconds.
 */
const maxScanned = 20_000;
const maxOpenings = 1_000;

/**
 * The judge's verdict in its reply: the LAST top-level JSON object that has the wanted key. Judges think
 * in prose first and often quote the output they grade — an output that says `{"score": 5}`, or a fenced
 * ```json block of it, comes before the judge's own verdict and must never be taken for it. "Top-level":
 * an object nested in another JSON object is part of that object, not a verdict of its own; a balanced
 * `{...}` that is not JSON (prose, a template) is looked into, so a stray `{` cannot hide the verdict.
 */
export function extractJsonObject(reply: string, key: string): Record<string, unknown> | undefined {
  const objects = topLevelObjects(scanWindow(reply));
  for (let i = objects.length - 1; i >= 0; i--) {
    const object = objects[i];
    if (object && key in object) return object;
  }
  return undefined;
}

/** The end of the reply that is read: the last `maxScanned` characters, from the `maxOpenings`-th last `{` on. */
function scanWindow(reply: string): string {
  const tail = reply.slice(-maxScanned);
  let start = tail.length;
  for (let seen = 0; seen < maxOpenings; seen++) {
    const previous = tail.lastIndexOf("{", start - 1);
    if (previous < 0) return tail;
    start = previous;
  }
  return tail.slice(start);
}

/** Every JSON object in `text` that no other JSON object contains, in order of appearance. */
function topLevelObjects(text: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  let from = 0;
  for (let start = text.indexOf("{", from); start >= 0; start = text.indexOf("{", from)) {
    const end = closingBrace(text, start);
    const parsed = end === undefined ? undefined : parseObject(text.slice(start, end + 1));
    if (parsed && end !== undefined) {
      found.push(parsed);
      from = end + 1; // what it contains is part of it
    } else from = start + 1; // not JSON: look inside
  }
  return found;
}

function parseObject(candidate: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(candidate);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Index of the `}` that closes the `{` at `start` (string-aware), or undefined when it never closes. */
function closingBrace(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
  }
  return undefined;
}
