/**
 * Strips what a model could use to rewrite the terminal: ANSI escape sequences and other control
 * characters (keeps newlines and tabs only where asked).
 */
export function plainText(text: string, keepNewlines = false): string {
  const noEscapes = text.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/g, "");
  const controls = keepNewlines ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g : /[\u0000-\u001f\u007f-\u009f]/g;
  return noEscapes.replace(controls, keepNewlines ? "" : " ");
}
