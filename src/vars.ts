import type { JsonValue } from "./types.js";

const placeholder = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** Names used as `{{name}}` in a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(placeholder)].map((match) => match[1] ?? "");
}

/** Replaces `{{name}}` with the var's value (strings as-is, other JSON as JSON); unknown names stay as written. */
export function applyVars(template: string, vars: Record<string, JsonValue>): string {
  if (!template.includes("{{")) return template;
  return template.replace(placeholder, (whole, name: string) => {
    if (!Object.hasOwn(vars, name)) return whole;
    const value = vars[name];
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}
