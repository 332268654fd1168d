/**
 * Finds the judge's JSON object in its reply: the whole reply, a fenced block, or the last balanced
 * `{...}` that parses and has the wanted key (judges often think in prose first).
 */
export function extractJsonObject(reply: string, key: string): Record<string, unknown> | undefined {
  const candidates: string[] = [reply.trim()];
  for (const match of reply.matchAll(/```(?:json)?\s*\n?([\s\S]*?)```/g)) if (match[1]) candidates.push(match[1].trim());
  candidates.push(...balancedObjects(reply).reverse());
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

/** Every top-level balanced `{...}` substring, in order (string-aware). */
function balancedObjects(text: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === "}" && depth > 0) {
      depth--;
      if (depth === 0 && start >= 0) found.push(text.slice(start, i + 1));
    }
  }
  return found;
}
