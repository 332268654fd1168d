import { describe, expect, test } from "vitest";
import { redactedJson, redactSecrets, rememberSecret } from "../src/redact.js";
import { escapeHtml, escapeXmlAttr, escapeXmlText, serializeJsonForScript } from "../src/report/escape.js";
import { mdCode, mdText } from "../src/report/markdown-escape.js";

describe("redactSecrets", () => {
  test.each([
    ["URL userinfo", "see https://alice:hunter22@example.com/x", "see https://***@example.com/x"],
    ["URL userinfo, upper-case scheme", "HTTPS://alice:hunter22@example.com", "HTTPS://***@example.com"],
    ["URL userinfo inside JSON", '{"u":"postgres://u:p4ssword@db:5432/app"}', '{"u":"postgres://***@db:5432/app"}'],
    ["bearer token", "Authorization: Bearer abcdefgh12345678", "Authorization: Bearer ***"],
    ["basic credentials, any case", "authorization: BASIC dXNlcjpwYXNzd29yZA==", "authorization: BASIC ***"],
    ["OpenAI-shaped key", "key sk-proj-abcdefghijklmnop1234", "key sk-proj-***"],
    ["Anthropic-shaped key", "sk-ant-api03-abcdefghijklmnop", "sk-ant-***"],
    ["xAI-shaped key", "xai-abcdefghijklmnop1234", "xai-***"],
    ["Google-shaped key", "AIzaSyA1234567890abcdefgh", "AIza***"],
    [
      "bearer token after an escaped newline, in JSON",
      JSON.stringify({ e: "Authorization: Bearer\nabcdefgh12345678" }),
      '{"e":"Authorization: Bearer ***"}',
    ],
  ])("masks %s", (_name, text, masked) => {
    expect(redactSecrets(text)).toBe(masked);
  });

  test.each([
    ["an e-mail address", "write to alice@example.com"],
    ["a URL without credentials", "https://example.com/a@b"],
    ["short sk- words", "ask-me task-list"],
    ["ordinary prose", "The reference is REF-1-billing. Basic plan, bearer bonds."],
  ])("leaves %s alone", (_name, text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("redactedJson", () => {
  test("masks secrets anywhere in the value, and the result still parses to the same shape", () => {
    const secret = 'pa"ss\\word-0123456789';
    rememberSecret(secret);
    const value = {
      text: `echo: ${secret} and sk-proj-abcdefghijklmnop1234`,
      nested: [{ url: "https://alice:hunter22@example.com/x", auth: "Bearer\tabcdefgh12345678" }],
      n: 3,
    };
    const json = redactedJson(value);
    expect(json).not.toContain("hunter22");
    expect(json).not.toContain("abcdefgh12345678");
    expect(json).not.toContain("abcdefghijklmnop1234");
    expect(json).not.toContain(JSON.stringify(secret).slice(1, -1)); // the secret as JSON writes it
    expect(JSON.parse(json)).toEqual({
      text: "echo: *** and sk-proj-***",
      nested: [{ url: "https://***@example.com/x", auth: "Bearer ***" }],
      n: 3,
    });
  });
});

describe("secrets in the forms reports write them", () => {
  const key = "hk_A*b|c[d]#e~f\"g<h&i'j-0123456789";
  rememberSecret(key);

  test.each([
    ["Markdown text", mdText(key)],
    ["a Markdown table cell", mdCode(key, { inTable: true })],
    ["HTML", escapeHtml(key)],
    ["XML text", escapeXmlText(key)],
    ["an XML attribute", escapeXmlAttr(key)],
    ["the HTML report's JSON data island", serializeJsonForScript({ k: key })],
    ["JSON inside an XML attribute", escapeXmlAttr(JSON.stringify({ k: key }))],
    ["JSON inside Markdown", mdText(JSON.stringify({ k: key }))],
  ])("%s", (_name, written) => {
    const masked = redactSecrets(`before ${written} after`);
    expect(masked).not.toContain("0123456789");
    expect(masked).toContain("***");
  });

  test.each([
    ["an excerpt cut near its end", `${key.slice(0, 30)}…`],
    ["an excerpt cut to its first 10 characters", `x ${key.slice(0, 10)}…`],
    ["an excerpt that starts inside it", `…${key.slice(8)} rest`],
  ])("%s", (_name, text) => {
    const masked = redactSecrets(text);
    expect(masked).toContain("***");
    for (let i = 0; i + 10 <= key.length; i++) expect(masked).not.toContain(key.slice(i, i + 10));
  });

  test("a cut key inside JSON is masked and the JSON still parses", () => {
    const text = JSON.stringify({ a: `${key.slice(0, 25)}`, b: `${key.slice(12)}`, c: `\\${key.slice(0, 20)}` });
    const masked = redactSecrets(text);
    expect(() => JSON.parse(masked)).not.toThrow();
    expect(masked).not.toContain("0123456789");
  });

  test("nine characters of a key are left alone: ordinary text shares short runs with any key", () => {
    expect(redactSecrets(`${key.slice(0, 9)} is a prefix`)).toBe(`${key.slice(0, 9)} is a prefix`);
  });
});
