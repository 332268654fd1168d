/**
 * A borderless text table that fits a width: columns start at their natural width and the widest ones
 * give way (down to a minimum) until the table fits; cells then wrap at spaces, else after `.`, `_`,
 * `:`, `/`, `-`, else anywhere. Colour is applied after wrapping, so an escape code is never cut.
 */

export interface TextCell {
  text: string;
  /** applied to each wrapped line of the cell */
  paint?: (line: string) => string;
}

export interface TextColumn {
  head: string;
  align?: "left" | "right";
  /** narrowest this column may get (default: its head's width, at most 12) */
  min?: number;
}

const GAP = 2;
const INDENT = 2;

/** Renders `rows` under `columns` in at most `width` characters per line (when the minimums allow). */
export function renderTextTable(
  columns: TextColumn[],
  rows: Array<Array<TextCell | string>>,
  width: number,
  paintHead: (text: string) => string = (text) => text,
): string[] {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === "string" ? { text: cell } : cell)));
  const widths = columns.map((column, index) => Math.max(column.head.length, ...cells.map((row) => longestLine(row[index]?.text ?? ""))));
  const mins = columns.map((column, index) => Math.min(widths[index] ?? 0, column.min ?? Math.min(12, column.head.length)));
  const total = () => INDENT + widths.reduce((sum, w) => sum + w, 0) + GAP * (columns.length - 1);
  while (total() > width) {
    // Shrink the column with the most room above its minimum.
    let pick = -1;
    for (let i = 0; i < widths.length; i++) {
      const room = (widths[i] ?? 0) - (mins[i] ?? 0);
      if (room > 0 && (pick < 0 || room > (widths[pick] ?? 0) - (mins[pick] ?? 0))) pick = i;
    }
    if (pick < 0) break;
    widths[pick] = (widths[pick] ?? 1) - 1;
  }
  const lines: string[] = [];
  const emit = (row: TextCell[], head: boolean) => {
    const wrapped = row.map((cell, index) => wrapText(cell.text, widths[index] ?? 1));
    const height = Math.max(1, ...wrapped.map((cellLines) => cellLines.length));
    for (let line = 0; line < height; line++) {
      const parts = row.map((cell, index) => {
        const text = wrapped[index]?.[line] ?? "";
        const w = widths[index] ?? 0;
        const padded = columns[index]?.align === "right" ? text.padStart(w) : text.padEnd(w);
        const paint = head ? paintHead : cell.paint;
        // Paint the text, not the padding, so underlines and backgrounds stop at the words.
        return paint && text !== "" ? padded.replace(text, paint(text)) : padded;
      });
      lines.push(`${" ".repeat(INDENT)}${parts.join(" ".repeat(GAP))}`.trimEnd());
    }
  };
  emit(
    columns.map((column) => ({ text: column.head })),
    true,
  );
  lines.push(`${" ".repeat(INDENT)}${widths.map((w) => "─".repeat(w)).join(" ".repeat(GAP))}`);
  for (const row of cells) emit(row, false);
  return lines;
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split("\n").map((line) => line.length));
}

/** Wraps text to `width`: at spaces, else after punctuation that joins words, else anywhere. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      const candidate = line === "" ? word : `${line} ${word}`;
      if (candidate.length <= width) {
        line = candidate;
        continue;
      }
      if (line !== "") out.push(line);
      line = word;
      while (line.length > width) {
        const cut = breakPoint(line, width);
        out.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    out.push(line);
  }
  return out;
}

function breakPoint(word: string, width: number): number {
  for (let i = width; i > width / 2; i--) if (/[._:/-]/.test(word[i - 1] ?? "")) return i;
  return width;
}

/** Cuts one line to `width` characters, marking the cut with `…`. */
export function fitLine(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
