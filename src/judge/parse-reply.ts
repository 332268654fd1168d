/** Judge replies are read from their end only (the verdict comes last): this many characters, this many `{`. */
const maxScanned = 20_000;
const maxOpenings = 200;

/**
 * Finds the judge's JSON object in its reply: the whole reply, a fenced block, or the last balanced
 * `{...}` that parses and has the wanted key (judges often think in prose first, and prose may hold a
 * stray `{` that never closes — it must not hide the verdict after it).
 */
export function extractJsonObject(reply: string, key: string): Record<string, unknown> | undefined {
  const candidates: string[] = [reply.trim()];
  for (const match of reply.matchAll(/```(?:json)?\s*\n?([\s\S]*?)```/g)) if (match[1]) candidates.push(match[1].trim());
  candidates.push(...balancedObjects(reply.slice(-maxScanned)));
  for (const candidate of candidates) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && key in parsed) return parsed as Record<string, unknown>;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * Every balanced `{...}` substring (string-aware), from each `{` that opens one: the one ending last
 * first, and of those ending together the outermost first (so a nested object never wins over its parent).
 */
function balancedObjects(text: string): string[] {
  const openings: number[] = [];
  for (let start = text.indexOf("{"); start >= 0; start = text.indexOf("{", start + 1)) openings.push(start);
  const found: Array<{ start: number; end: number }> = [];
  for (const start of openings.slice(-maxOpenings)) {
    const end = closingBrace(text, start);
    if (end !== undefined) found.push({ start, end });
  }
  found.sort((a, b) => b.end - a.end || a.start - b.start);
  return found.map(({ start, end }) => text.slice(start, end + 1));
}

/** Index of the `}` that closes the `{` at `start`, or undefined when it never closes. */
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
