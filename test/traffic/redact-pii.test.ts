import { describe, expect, test } from "vitest";
import { luhnValid, maskPersonalData } from "../../src/traffic/redact-pii.js";

describe("maskPersonalData", () => {
  test.each([
    ["an e-mail address", "write to alice.smith+x@mail.example.co.uk today", "write to [email] today"],
    ["an e-mail inside JSON", '{"to":"bob@example.com"}', '{"to":"[email]"}'],
    ["an international phone number", "call +44 20 7946 0958 now", "call [phone] now"],
    ["a compact international phone number", "call +14155550123", "call [phone]"],
    ["a US phone number with area code", "call (415) 555-0123", "call [phone]"],
    ["a dashed phone number", "call 415-555-0123.", "call [phone]."],
    ["a short local number", "ext 555-1234", "ext [phone]"],
    ["a card number in groups", "card 4111 1111 1111 1111 exp", "card [card] exp"],
    ["a dashed card number", "card 5500-0000-0000-0004", "card [card]"],
    ["a bare card number", "card 4012888888881881", "card [card]"],
    ["an API key (secrets always)", "key sk-proj-abcdefghijklmnop1234", "key sk-proj-***"],
    ["a bearer token", "Authorization: Bearer abcdefgh12345678", "Authorization: Bearer ***"],
  ])("masks %s", (_name, text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
  });

  test.each([
    ["a 16-digit number failing Luhn", "order 4111111111111112"],
    ["a date", "on 2026-06-12 at 10:15"],
    ["an ISO timestamp", "2026-06-12T10:15:03.120Z"],
    ["an order id", "Refund A-1234 please"],
    ["a version", "v1.2.3 and 10.0.0.1"],
    ["an amount", "total 1234567.89 EUR"],
    ["a bare digit run", "ticket 20260612"],
    ["an @-mention", "ping @alice"],
    ["ordinary prose", "The reference is REF-1-billing, 3 items at 12 each."],
  ])("leaves %s alone", (_name, text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  test("masks several kinds in one text", () => {
    expect(maskPersonalData("I'm a@b.io, 415-555-0123, card 4111-1111-1111-1111")).toBe("I'm [email], [phone], card [card]");
  });
});

describe("luhnValid", () => {
  test.each([
    ["4111111111111111", true],
    ["378282246310005", true],
    ["4111111111111112", false],
    ["123", false],
  ])("%s → %s", (digits, valid) => {
    expect(luhnValid(digits)).toBe(valid);
  });
});
