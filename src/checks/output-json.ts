/** Parses a model's output as JSON; a single fenced ```json block is accepted unless `strict`. */
export function parseOutputJson(output: string, strict: boolean): { ok: true; value: unknown } | { ok: false; reason: string } {
  const text = output.trim();
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    if (!strict) {
      const fences = [...text.matchAll(/```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)\r?\n?```/g)];
      if (fences.length === 1 && fences[0]?.[1] !== undefined) {
        try {
          return { ok: true, value: JSON.parse(fences[0][1]) };
        } catch (fencedError) {
          return { ok: false, reason: `fenced block is not valid JSON: ${(fencedError as Error).message}` };
        }
      }
      if (fences.length > 1) return { ok: false, reason: `output has ${fences.length} fenced blocks; expected one JSON value` };
    }
    const preview = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    return { ok: false, reason: `output is not valid JSON (${(error as Error).message}): ${JSON.stringify(preview)}` };
  }
}
