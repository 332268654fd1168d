/**
 * OpenAI Batch API files (platform docs, "Batch API": the `.jsonl` input file and the output / error
 * files a finished batch links to). Input lines are `{custom_id, method, url, body}`; output and error
 * lines are `{id, custom_id, response: {status_code, request_id, body} | null, error: {code, message} | null}`.
 * Files come in any order: each is told apart by its first line, inputs are read first (held by
 * `custom_id` until their output arrives: a batch input is capped at 50,000 requests / 200 MB upstream,
 * which bounds this map), then outputs, then error files. Two arms = two input/output pairs sharing
 * `custom_id`s; an output is paired with its own input file by the model it answered with.
 */
import type { JsonValue } from "../../types.js";
import type { TrafficArm } from "../types.js";
import { chatMessages, chatParams, chatToolChoice, chatTools, completionAnswer, trafficError, usageOf } from "./chat.js";
import { asNumber, asObject, asString, readPath } from "./json-path.js";
import { readJsonLines } from "./jsonl.js";
import type { FormatReader, ImportRecord, ReaderSink } from "./types.js";

interface InputLine {
  file: string;
  line: number;
  value: Record<string, JsonValue>;
}

type Kind = "input" | "output" | "error" | "empty";

const stop = Symbol("first line read");

export const openaiBatch: FormatReader = {
  neverRecorded: ["latency", "ttft"],
  async read(files: string[], sink: ReaderSink): Promise<void> {
    const kinds = new Map<string, Kind>();
    for (const file of files) kinds.set(file, await firstLineKind(file));
    const inputs = new Map<string, InputLine[]>();
    for (const file of files.filter((f) => kinds.get(f) === "input")) {
      const report = sink.report(file);
      await readJsonLines(file, sink, (value, line) => {
        report.read++;
        const object = asObject(value);
        const customId = asString(object?.custom_id);
        if (!object || customId === undefined) return sink.drop(report, line, "no custom_id");
        const url = asString(object.url) ?? "";
        if (!url.endsWith("/chat/completions")) return sink.drop(report, line, `url ${url || "(none)"} is not /v1/chat/completions`);
        report.dialects.add("Batch input (/v1/chat/completions)");
        const list = inputs.get(customId);
        if (list) list.push({ file, line, value: object });
        else inputs.set(customId, [{ file, line, value: object }]);
      });
    }
    // Which input file each output file answers, learned from the first line whose model tells.
    const pairing = new Map<string, string>();
    for (const kind of ["output", "error"] as const) {
      for (const file of files.filter((f) => kinds.get(f) === kind)) {
        const report = sink.report(file);
        await readJsonLines(file, sink, (value, line) => {
          report.read++;
          const object = asObject(value);
          const customId = asString(object?.custom_id);
          if (!object || customId === undefined) return sink.drop(report, line, "no custom_id");
          const input = takeInput(inputs, customId, file, object, pairing);
          if (!input) return sink.drop(report, line, "no input line with this custom_id");
          const record = fromOutput(object, input, file, line);
          if (typeof record === "string") return sink.drop(report, line, record);
          report.dialects.add(object.response ? "Batch output" : "Batch errors");
          sink.record(record, report);
        });
      }
    }
    for (const list of inputs.values()) {
      for (const input of list) sink.drop(sink.report(input.file), input.line, "no output or error line for this custom_id");
    }
    for (const [file, kind] of kinds) if (kind === "empty") sink.report(file);
  },
};

/** Input, output or error file, by its first line. */
async function firstLineKind(file: string): Promise<Kind> {
  let kind: Kind = "empty";
  const probe: ReaderSink = {
    record: () => {},
    drop: () => {},
    unreadable: () => {},
    warn: () => {},
    report: () => ({ file, dialects: new Set(), read: 0, imported: 0, dropped: new Map(), firstDrop: new Map(), present: {} }),
  };
  try {
    await readJsonLines(file, probe, (value) => {
      const object = asObject(value);
      if (object && (object.body !== undefined || object.method !== undefined)) kind = "input";
      else if (object?.response) kind = "output";
      else if (object) kind = "error";
      throw stop;
    });
  } catch (error) {
    if (error !== stop) throw error;
  }
  return kind;
}

function takeInput(
  inputs: Map<string, InputLine[]>,
  customId: string,
  file: string,
  output: Record<string, JsonValue>,
  pairing: Map<string, string>,
): InputLine | undefined {
  const list = inputs.get(customId);
  if (!list || list.length === 0) return undefined;
  let index = -1;
  const paired = pairing.get(file);
  if (paired !== undefined) index = list.findIndex((input) => input.file === paired);
  if (index === -1 && list.length > 1) {
    const served = asString(readPath(output, "response.body.model"));
    const matching = list.flatMap((input, i) => (served && modelMatches(asString(readPath(input.value, "body.model")), served) ? [i] : []));
    if (matching.length === 1) {
      index = matching[0] as number;
      pairing.set(file, (list[index] as InputLine).file);
    }
  }
  // One input left, or the first still waiting: an error line has no model to tell by.
  if (index === -1) index = 0;
  const [input] = list.splice(index, 1);
  if (list.length === 0) inputs.delete(customId);
  return input;
}

/** `gpt-4o` asked, `gpt-4o-2024-08-06` answered. */
function modelMatches(asked: string | undefined, served: string): boolean {
  return asked !== undefined && (served === asked || served.startsWith(`${asked}-`));
}

function fromOutput(output: Record<string, JsonValue>, input: InputLine, file: string, line: number): ImportRecord | string {
  const body = asObject(input.value.body) ?? {};
  const messages = chatMessages(body.messages);
  if (!messages) return "its input has no messages";
  const tools = chatTools(body.tools);
  const toolChoice = body.tool_choice !== undefined ? chatToolChoice(body.tool_choice) : undefined;
  const params = chatParams(body);
  const asked = asString(body.model) ?? "";
  const response = asObject(output.response);
  const responseBody = asObject(response?.body);
  const served = asString(responseBody?.model);
  const arm: TrafficArm = { model: served ?? asked, output: null, error: null };
  const status = asNumber(response?.status_code);
  if (status !== undefined) arm.status = status;
  const usage = usageOf(responseBody?.usage);
  if (usage) arm.usage = usage;
  const answer = status === 200 ? completionAnswer(responseBody) : undefined;
  if (answer) {
    arm.output = answer.output;
    arm.tool_calls = answer.tool_calls;
  } else {
    const error = asObject(responseBody?.error) ?? asObject(output.error) ?? {};
    const code = asString(error.code) ?? asString(error.type) ?? "";
    arm.error = trafficError(status, code, asString(error.message) ?? (status !== undefined ? `HTTP ${status}` : "failed"));
  }
  const created = asNumber(responseBody?.created);
  const customId = asString(output.custom_id) as string;
  const id = asString(output.id);
  return {
    file,
    line,
    joinKey: customId,
    ...(id !== undefined ? { recordId: id } : {}),
    // An error line has no response body and so no `created`: its time comes from the other arm, if any.
    ts: created !== undefined ? created * 1000 : Number.NaN,
    request: {
      messages,
      ...(tools ? { tools } : {}),
      ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
      ...(params ? { params } : {}),
    },
    arm,
    models: [asked, ...(served ? [served] : [])],
    field: (path) => readPath(input.value, path) ?? readPath(output, path),
  };
}
