import { relative, resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { ExitCode, UserError } from "../errors.js";
import { importFormats } from "../traffic/import/index.js";
import { type ImportOptions, type ImportResult, issueLines, measuredFields, runImport } from "../traffic/import/pipeline.js";
import type { FormatReader } from "../traffic/import/types.js";
import type { TrafficArmName } from "../traffic/types.js";

/** The options as commander hands them over. */
export interface RawImportOptions {
  out?: string;
  armBy?: string;
  arm: string[];
  tag: string[];
  since?: string;
  until?: string;
  sample?: number;
  seed?: number;
  dedupe?: boolean;
  redact?: boolean;
  strict?: boolean;
}

/** `modelgate import <format> <file...>`: production logs → a traffic file (SPEC §9). Exit 0, or 2 for bad input. */
export async function runImportCommand(format: string, files: string[], raw: RawImportOptions, io: CliIO): Promise<number> {
  const options = normaliseOptions(format, files, raw, io.cwd);
  const reader = (importFormats as Record<string, FormatReader>)[format] as FormatReader;
  const result = await runImport(reader, options);
  for (const warning of result.warnings) io.stderr.write(`warning: ${shown(warning, io.cwd)}\n`);
  io.stdout.write(renderReport(result, options, reader, io.cwd));
  if (result.unreadable.length > 0) {
    throw new UserError(
      `unreadable input, nothing written:\n${issueLines(result.unreadable)
        .map((l) => `  ${shown(l, io.cwd)}`)
        .join("\n")}`,
    );
  }
  if (options.strict && result.dropCount > 0) {
    const lines = issueLines(result.drops).map((l) => `  ${shown(l, io.cwd)}`);
    throw new UserError(`--strict: ${result.dropCount} record(s) dropped, nothing written:\n${lines.join("\n")}`);
  }
  return ExitCode.ok;
}

function normaliseOptions(format: string, files: string[], raw: RawImportOptions, cwd: string): ImportOptions {
  const known = Object.keys(importFormats);
  if (!known.includes(format)) throw new UserError(`unknown import format "${format}"; expected one of ${known.join(", ")}`);
  if (raw.out === undefined) throw new UserError("--out FILE is required (where the traffic file goes)");
  const arms: Partial<Record<TrafficArmName, string>> = {};
  for (const entry of raw.arm) {
    const match = /^(baseline|candidate)=(.+)$/.exec(entry);
    if (!match) throw new UserError(`--arm expects baseline=VALUE or candidate=VALUE, got ${JSON.stringify(entry)}`);
    const arm = match[1] as TrafficArmName;
    if (arms[arm] !== undefined) throw new UserError(`--arm ${arm} is given twice`);
    arms[arm] = match[2] as string;
  }
  const tags = raw.tag.map((entry) => {
    const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(entry);
    if (!match) throw new UserError(`--tag expects NAME=FIELD (e.g. tenant=metadata.tenant), got ${JSON.stringify(entry)}`);
    return { name: match[1] as string, path: match[2] as string };
  });
  if (raw.seed !== undefined && raw.sample === undefined) throw new UserError("--seed only applies with --sample N");
  const since = raw.since === undefined ? undefined : parseTime("--since", raw.since);
  const until = raw.until === undefined ? undefined : parseTime("--until", raw.until);
  if (since !== undefined && until !== undefined && since > until) throw new UserError("--since is after --until");
  const out = resolve(cwd, raw.out);
  const inputs = files.map((file) => resolve(cwd, file));
  if (inputs.includes(out)) throw new UserError(`--out ${raw.out} is one of the input files`);
  return {
    format,
    files: inputs,
    out,
    armBy: raw.armBy ?? "model",
    arms,
    tags,
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(raw.sample !== undefined ? { sample: raw.sample } : {}),
    seed: raw.seed ?? 1,
    dedupe: raw.dedupe === true,
    redact: raw.redact === true,
    strict: raw.strict === true,
  };
}

/** An ISO 8601 time (a date alone is midnight UTC) or epoch seconds. */
function parseTime(flag: string, value: string): number {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(ms))
    throw new UserError(`${flag} expects an ISO 8601 time (2026-06-12 or 2026-06-12T10:00:00Z) or epoch seconds, got ${JSON.stringify(value)}`);
  return ms;
}

const fieldNames: Record<(typeof measuredFields)[number], string> = {
  latency: "latency",
  ttft: "ttft",
  usage: "usage",
  status: "status",
  params: "request params",
};

/** Per file: dialect, records read / imported / dropped by reason, and the fields the source lacks. */
function renderReport(result: ImportResult, options: ImportOptions, reader: FormatReader, cwd: string): string {
  const lines: string[] = [];
  const count = (n: number) => n.toLocaleString("en-US");
  for (const file of result.files) {
    const dialect = file.dialects.size > 0 ? [...file.dialects].join("; ") : "no records recognised";
    lines.push(`${relative(cwd, file.file) || file.file}: ${options.format}, ${dialect}`);
    const dropped = [...file.dropped.values()].reduce((sum, n) => sum + n, 0);
    lines.push(`  read ${count(file.read)}, imported ${count(file.imported)}, dropped ${count(dropped)}`);
    for (const [reason, n] of [...file.dropped.entries()].sort((a, b) => b[1] - a[1])) lines.push(`    ${count(n)} ${reason}`);
    for (const field of file.imported > 0 ? measuredFields : []) {
      const name = fieldNames[field];
      if (reader.neverRecorded.includes(field)) lines.push(`  ${name}: absent in ${options.format}`);
      else if ((file.present[field] ?? 0) === 0) lines.push(`  ${name}: absent in this file`);
      else if ((file.present[field] ?? 0) < file.imported) {
        lines.push(`  ${name}: in ${count(file.present[field] ?? 0)} of ${count(file.imported)} records`);
      }
    }
  }
  if (result.duplicates > 0) lines.push(`--dedupe: ${count(result.duplicates)} repeated request(s) left out (the earliest kept)`);
  if (result.sampledOut > 0) lines.push(`--sample: ${count(result.written)} line(s) kept, ${count(result.sampledOut)} left out`);
  const ok = result.unreadable.length === 0 && !(options.strict && result.dropCount > 0);
  if (ok)
    lines.push(`wrote ${count(result.written)} line(s), ${count(result.paired)} with both arms, to ${relative(cwd, options.out) || options.out}`);
  return `${lines.join("\n")}\n`;
}

function shown(text: string, cwd: string): string {
  return text.split(`${cwd}/`).join("");
}
