/**
 * The request key is the cache's and every committed cassette's lookup key: its text must never change.
 * canonicalJson is checked against the plain definition it replaced, and one key is pinned.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalJson, requestKey } from "../../src/run/request-key.js";

/** The original definition: sorted keys, undefined fields dropped, anything else JSON.stringify's way. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${reference((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

describe("request key", () => {
  test("canonicalJson equals its plain definition on any JSON-like value, undefined fields included", () => {
    const leaf = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined), fc.double(), fc.string());
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(fc.string(), tie("node"), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 1000 },
    );
    expect(canonicalJson({ b: 1, a: undefined, c: [undefined, { z: null, y: "é\n" }] })).toBe('{"b":1,"c":[null,{"y":"é\\n","z":null}]}');
  });

  test("a request's key is sha256 of its canonical JSON, and stays what it was", () => {
    const endpoint = { provider: "openai" as const, host: "api.openai.com", model: "gpt-4o-2024-08-06" };
    const request = { messages: [{ role: "user" as const, content: "Where is my refund?" }], params: { temperature: 0 }, draw: 0 };
    const key = requestKey(endpoint, request);
    const normalised = {
      v: 1,
      provider: "openai",
      host: "api.openai.com",
      model: "gpt-4o-2024-08-06",
      params: { temperature: 0 },
      messages: request.messages,
      tools: null,
      tool_choice: null,
      json_mode: false,
      draw: 0,
    };
    expect(key).toBe(createHash("sha256").update(reference(normalised)).digest("hex"));
    expect(key).toBe("e7c3343511f3d2dd5f64927c18ab067e5e021473178b5257204f4af9d36ec036");
  });
});
