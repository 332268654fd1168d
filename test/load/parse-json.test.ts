import { describe, expect, test } from "vitest";
import { parseJson, safeJson } from "../../src/fields.js";

const nested = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;

describe("parseJson", () => {
  test("keeps `__proto__` a plain own key and leaves the prototype alone", () => {
    const value = parseJson('{"__proto__": {"polluted": true}, "a": [{"__proto__": 1}]}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect((value as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true},"a":[{"__proto__":1}]}');
  });

  test("refuses nesting deeper than 200 levels, exactly where safeJson does", () => {
    expect(() => parseJson(nested(200))).not.toThrow();
    expect(() => parseJson(nested(201))).toThrow(/nesting deeper than 200 levels/);
    expect(() => safeJson(JSON.parse(nested(200)))).not.toThrow();
    expect(() => safeJson(JSON.parse(nested(201)))).toThrow(/nesting deeper than 200 levels/);
    const deepObject = `${'{"a":'.repeat(201)}1${"}".repeat(201)}`;
    expect(() => parseJson(deepObject)).toThrow(RangeError);
  });

  test("gives what JSON.parse gives, broken JSON throwing its SyntaxError", () => {
    const text = '{"id":"c1","input":"hi","vars":{"n":1.5,"list":[true,null,"x"]},"tags":[]}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
    expect(() => parseJson("{not json")).toThrow(SyntaxError);
  });
});
