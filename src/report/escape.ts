/**
 * Escaping for the report renderers. Everything in a run report that came from a model, a dataset or a
 * config (outputs, tool arguments, case ids, tags, reasons, names) is untrusted text.
 */

// XML 1.0 §2.2 Char: no C0 controls but \t \n \r, no lone surrogates, no U+FFFE/U+FFFF.
// A single one of these makes the whole junit.xml unparseable for every CI reporter.
const XML_FORBIDDEN = new RegExp(
  "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]" +
    "|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])" +
    "|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]",
  "g",
);

/** Removes the characters XML 1.0 forbids (C0 controls except \t \n \r, lone surrogates, U+FFFE, U+FFFF). */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(XML_FORBIDDEN, "");
}

/** Escapes text content of an XML element. */
export function escapeXmlText(text: string): string {
  return stripInvalidXmlChars(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes an XML attribute value (double-quoted); keeps \t \n \r through attribute-value normalisation. */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` (so no `</script>` or
 * `<!--`), and no U+2028/U+2029. JSON.stringify already escapes lone surrogates.
 */
export function serializeJsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * A value from the report used as a CSS class or an attribute token: itself when it is one of the known
 * values, else `unknown`. A class never carries report text, so no crafted value can break out of it.
 */
export function knownToken<T extends string>(value: unknown, known: readonly T[]): T | "unknown" {
  return typeof value === "string" && (known as readonly string[]).includes(value) ? (value as T) : "unknown";
}
