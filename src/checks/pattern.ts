import { RE2JS } from "re2js";

/*
 * Every pattern a rubric or dataset writes (`regex` checks, `$regex` matchers) runs on RE2 (re2js), which
 * matches in time linear in the text: no pattern can hang a run, whatever the model writes (SPEC §4).
 * The price is RE2's syntax (https://github.com/google/re2/wiki/Syntax): no backreferences and no
 * lookaround, and `\x{…}` for a code point. Patterns are taken as written, not translated from
 * JavaScript (re2js's `translateRegExp` would quietly turn `\k<name>` into the text "k<name>").
 *
 * Flags: `i`, `m` and `s` mean what they mean in JavaScript. `u` is accepted and changes nothing (RE2
 * always matches by code point), and so is `g` (a check only asks whether the text matches, and an RE2
 * pattern keeps no `lastIndex`, so no verdict can depend on the order of earlier matches). `y` (sticky:
 * match only at `lastIndex`) is refused rather than ignored, since ignoring it would change what passes.
 */

export type CompiledPattern = { ok: true; test(text: string): boolean } | { ok: false; error: string };

const flagBits: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0, g: 0 };

/** The problem with a flags string, or undefined when every flag is one we accept, each at most once. */
export function flagsProblem(flags: string): string | undefined {
  if (flags.includes("y")) return 'the "y" (sticky) flag is not supported: anchor the pattern with ^ instead';
  const unknown = [...flags].filter((flag) => !Object.hasOwn(flagBits, flag));
  if (unknown.length > 0 || new Set(flags).size !== flags.length) {
    return `expected flags from "imsgu" (i: ignore case, m: ^ and $ at line ends, s: . matches newlines), each at most once, got ${JSON.stringify(flags)}`;
  }
  return undefined;
}

/** Compiles a pattern for RE2; an error names what RE2 cannot do and how to write it instead. */
export function compilePattern(source: string, flags = ""): CompiledPattern {
  const badFlags = flagsProblem(flags);
  if (badFlags !== undefined) return { ok: false, error: badFlags };
  const bits = [...flags].reduce((sum, flag) => sum | (flagBits[flag] ?? 0), 0);
  try {
    const re = RE2JS.compile(source, bits);
    return { ok: true, test: (text) => re.test(text) };
  } catch (error) {
    return { ok: false, error: explain(source, error instanceof Error ? error.message : String(error)) };
  }
}

/** re2js's message, with the reason in words for the JavaScript features RE2 leaves out on purpose. */
function explain(source: string, message: string): string {
  const detail = message.replace(/^error parsing regexp: /, "");
  const unsupported = (what: string) => `${what} are not supported: patterns use RE2 syntax, which matches in linear time (${detail})`;
  if (/invalid escape sequence: `\\[1-9]/.test(message) || /invalid escape sequence: `\\k/.test(message)) return unsupported("backreferences");
  if (/\(\?<?[=!]/.test(source) && /unsupported Perl syntax|invalid named capture/.test(message)) {
    return unsupported("lookahead and lookbehind assertions");
  }
  if (/invalid escape sequence: `\\u/.test(message)) return `not a valid RE2 pattern: write a code point as \\x{00e9}, not \\u00e9 (${detail})`;
  return `not a valid RE2 pattern: ${detail}`;
}

/** A memo of compiled patterns, for one rubric load or one run (patterns repeat across cases). */
export type PatternCache = (source: string, flags?: string) => CompiledPattern;

/** A new, empty {@link PatternCache}. */
export function createPatternCache(): PatternCache {
  const compiled = new Map<string, CompiledPattern>();
  return (source, flags = "") => {
    const key = `${flags}/${source}`;
    let hit = compiled.get(key);
    if (hit === undefined) {
      hit = compilePattern(source, flags);
      compiled.set(key, hit);
    }
    return hit;
  };
}
