/**
 * Markdown escaping for untrusted text (model outputs, case ids, tags, reasons) in GitHub-flavoured
 * Markdown: no raw HTML, no links or emphasis smuggled in, no @mentions that ping people, no `|` that
 * splits a table cell, no output that closes its code fence.
 */

const ZERO_WIDTH_JOINER = "\u200D";

/** Breaks `@user` / `@org/team` so GitHub does not notify anyone. */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH_JOINER}`);
}

function oneLine(text: string): string {
  return text.replace(/\r\n?|\n|\u2028|\u2029/g, " ");
}

// C0 controls other than \t and \n render as garbage or not at all.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** Inline text: HTML neutralised, Markdown punctuation escaped, mentions broken, kept on one line. */
export function mdText(text: string): string {
  const escaped = oneLine(text.replace(CONTROL, ""))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    // Callers never start a line with this text, so list and heading markers at line start need no care.
    .replace(/[\\`*_[\]~#|]/g, (char) => `\\${char}`);
  return neutraliseMentions(escaped);
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/**
 * An inline code span: nothing inside is Markdown or HTML, and GitHub does not link mentions in code.
 * The delimiter is one backtick longer than any run inside; inside a table `|` still needs `\|`.
 */
export function mdCode(text: string, options: { inTable?: boolean } = {}): string {
  let body = oneLine(text.replace(CONTROL, ""));
  if (body.trim() === "") return body === "" ? "(empty)" : "(blank)";
  if (options.inTable === true) body = body.replace(/\|/g, "\\|");
  const fence = "`".repeat(longestRun(body, "`") + 1);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run in the content, so it cannot be closed early. */
export function mdFence(text: string, info = "text"): string {
  const body = text.replace(/\r\n?/g, "\n").replace(CONTROL, "");
  const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  return `${fence}${info}\n${body}${body.endsWith("\n") ? "" : "\n"}${fence}`;
}
