import { jsonErrorMessage, parseJson } from "../../fields.js";
import { readLines } from "../../read-lines.js";
import type { JsonValue } from "../../types.js";
import type { ReaderSink } from "./types.js";

/** A source line may be larger than a dataset case (a LiteLLM payload with a long conversation). */
const maxSourceLineBytes = 64 * 1024 * 1024;

/**
 * Streams a JSON-lines file, one parsed value per line. A line that does not parse is unreadable input
 * (file:line, exit 2), except the last one: a logger killed mid-write leaves a torn last line, which is
 * dropped with a warning, as SPEC §9 says of traffic files.
 */
export async function readJsonLines(file: string, sink: ReaderSink, onValue: (value: JsonValue, line: number) => void): Promise<void> {
  let held: { line: number; message: string } | undefined;
  const report = sink.report(file);
  const flushHeld = () => {
    if (held) sink.unreadable(file, held.line, held.message);
    held = undefined;
  };
  try {
    await readLines(
      file,
      (text, line) => {
        if (text.trim() === "") return;
        flushHeld();
        let value: JsonValue;
        try {
          value = parseJson(text);
        } catch (error) {
          held = { line, message: `not valid JSON: ${jsonErrorMessage(error)}` };
          return;
        }
        onValue(value, line);
      },
      (bad) => {
        flushHeld();
        sink.unreadable(file, bad.lineNumber, bad.message);
      },
      maxSourceLineBytes,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    sink.unreadable(file, 0, `cannot be read (${code || (error as Error).message})`);
    return;
  }
  if (held) {
    report.read++;
    sink.drop(report, held.line, "torn last line (not valid JSON)");
    sink.warn(`${file}:${held.line}: the last line is not valid JSON (a writer stopped mid-line?); ignored`);
  }
}
