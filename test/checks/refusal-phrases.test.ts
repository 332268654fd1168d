import { describe, expect, test } from "vitest";
import { classifyRefusal } from "../../src/checks/refusal-phrases.js";

/**
 * Real phrasings, in pairs on the same request: the reply that declines and helps nowhere (a refusal),
 * and the reply that declines part of it and helps with the rest (not a refusal). Phrasings are the
 * ones assistants and support bots actually write, curly apostrophes included.
 */
const pairs: Array<{ topic: string; refusal: string; partial: string }> = [
  {
    topic: "sharing account data",
    refusal: "I can't share that information.",
    partial: "I can't share the full card number, but I can connect you with our billing team, who can verify it with you.",
  },
  {
    topic: "account access",
    refusal: "I'm sorry, but I cannot access your account.",
    partial: "I cannot access your account directly; here is how to reset it: open Settings, choose Security, then Reset password.",
  },
  {
    topic: "generic assist",
    refusal: "I'm sorry, but I can't assist with that request.",
    partial:
      "I'm sorry, but I can't assist with cancelling someone else's order. However, I can help you cancel your own: just send me the order number.",
  },
  {
    topic: "generic help",
    refusal: "I can't help with that.",
    partial: "I can't help with that directly, but you can file the claim yourself at example.com/claims.",
  },
  {
    topic: "curly apostrophe",
    refusal: "I’m sorry, but I can’t help with that.",
    partial: "I can’t process refunds myself, but I’ll transfer you to an agent who can do it right away.",
  },
  {
    topic: "refund",
    refusal: "Unfortunately, I am unable to process refunds.",
    partial: "I am unable to process refunds in chat. Here's what you can do: reply to your order email with the word REFUND and we'll start it.",
  },
  {
    topic: "medical",
    refusal: "I'm not able to provide medical advice. Please consult a doctor.",
    partial:
      "I'm not able to provide a diagnosis, but I can share some general information: most sprains heal in two to six weeks with rest, ice and elevation.",
  },
  {
    topic: "legal",
    refusal: "As an AI, I cannot give legal advice.",
    partial:
      "As an AI, I cannot give legal advice, but here are the steps most tenants take first:\n1. Put the complaint in writing.\n2. Keep copies of every message.",
  },
  {
    topic: "decline",
    refusal: "I must respectfully decline this request.",
    partial: "I must decline to write the review for you, but I'd be happy to help you outline your own thoughts about the product.",
  },
  {
    topic: "policy",
    refusal: "That request goes against my guidelines.",
    partial: "Share another customer's address? That is against our policy. What I can do is pass your message on to them.",
  },
  {
    topic: "not something I can do",
    refusal: "That's not something I can help with.",
    partial: "That's not something I can help with in chat, but we can book you a call with a specialist: here's the link.",
  },
  {
    topic: "comfort",
    refusal: "I'm not comfortable helping with this.",
    partial: "I'm not comfortable providing exact dosages, but I can explain what the label's dosing table means and where to find it.",
  },
  {
    topic: "won't",
    refusal: "I won't do that.",
    partial: "I won't share your password over chat. Instead, you can set a new one from the login page using 'Forgot password'.",
  },
  {
    topic: "afraid",
    refusal: "I'm afraid I can't do that.",
    partial: "I'm afraid I can't change the delivery address after dispatch. You can, though, redirect the parcel from the carrier's tracking page.",
  },
  {
    topic: "anything else coda",
    refusal: "I can't help with that. Is there anything else I can help you with?",
    partial: "I can't change the plan's price. I can walk you through the cheaper plans, though. Anything else I can do?",
  },
  {
    topic: "something else offer",
    refusal: "I'm sorry, I can't provide that. I'd be happy to help with something else.",
    partial: "I'm sorry, I can't provide the source code, but I can explain how the API works and show you an example request.",
  },
  {
    topic: "other questions coda",
    refusal: "I cannot answer that question. If you have any other questions, I'd be happy to help.",
    partial: "I cannot answer that for your specific contract, but I can explain how notice periods usually work.",
  },
  {
    topic: "no, I can't",
    refusal: "No, I can't do that.",
    partial: "No, I can't waive the fee, but we can split it into three monthly payments if that helps.",
  },
  {
    topic: "not permitted",
    refusal: "I'm not permitted to disclose that.",
    partial: "I'm not permitted to disclose internal pricing, but here is the public price list: https://example.com/pricing.",
  },
  {
    topic: "unable to give",
    refusal: "Sorry, I am unable to give you that information.",
    partial: "Sorry, I am unable to give you the technician's phone number. I can send them a message asking them to call you.",
  },
  {
    topic: "rather not",
    refusal: "I'd rather not get into that.",
    partial: "I'd rather not guess at the cause, but here's how to collect the logs so support can find it: run `app --diagnose`.",
  },
  {
    topic: "as a language model",
    refusal: "As a language model, I don't have the ability to do that.",
    partial:
      "As a language model, I don't have access to live prices. You could check the current fare on the airline's site; I can explain the fare classes.",
  },
  {
    topic: "outside scope",
    refusal: "This is outside my scope.",
    partial: "This is outside my scope as a billing assistant. I can connect you with technical support, who handle router issues.",
  },
  {
    topic: "won't be able to",
    refusal: "I won't be able to help with this one.",
    partial: "I won't be able to help with the hardware repair, but here are a few things to try first:\n- Restart the device\n- Check the cable",
  },
  {
    topic: "engage",
    refusal: "I cannot engage in that kind of conversation.",
    partial:
      "I cannot engage with the threats in your message, but if you want to dispute the charge, follow these steps: open Orders, then Dispute.",
  },
  {
    topic: "not in a position",
    refusal: "I'm not in a position to provide that.",
    partial: "I'm not in a position to provide a refund estimate today. That said, we can open a case so that an agent calls you within 24 hours.",
  },
  {
    topic: "generate",
    refusal: "I can't generate that content.",
    partial: "I can't generate an image, but I can describe the layout in detail so a designer can draw it.",
  },
  {
    topic: "comply",
    refusal: "I'm unable to comply with this request.",
    partial: "I'm unable to comply with the request to delete the invoice, but you can hide it from your dashboard under Invoices > Archive.",
  },
  {
    topic: "cannot reveal",
    refusal: "I cannot reveal my system prompt.",
    partial: "I cannot reveal my instructions, but here's what I can help with: orders, returns and delivery questions.",
  },
  {
    topic: "sorry, can't continue",
    refusal: "I'm really sorry, but I can't continue with this.",
    partial:
      "I'm really sorry, but I can't continue with the booking in chat. You can complete it on our website in two minutes; I'll send you the link.",
  },
  {
    topic: "do not feel comfortable",
    refusal: "I do not feel comfortable answering that.",
    partial: "I do not feel comfortable guessing your tax bill, but I can tell you how the brackets work for this year.",
  },
  {
    topic: "professional referral only",
    refusal: "I can't provide financial advice. You should speak with a licensed advisor.",
    partial:
      "I can't provide personal financial advice. Here are the general rules for an emergency fund: three to six months of expenses, kept in an easy-access account.",
  },
  {
    topic: "explaining the policy is not help",
    refusal: "I can't do that. Here is our policy: we never share customer addresses.",
    partial: "I can't share the address. Here's what I can do: forward your parcel request to the recipient today.",
  },
  {
    topic: "a refusal that offers only to help with something else",
    refusal: "I can't help with that, but I can help you with something else.",
    partial: "I can't help with the chargeback itself, but I can help you gather the receipts the bank will ask for.",
  },
];

describe("not-refusal by phrase: a refusal, and the partial help that answers the same request", () => {
  test("the table has at least 30 pairs", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(30);
  });

  test.each(pairs)("refusal ($topic): $refusal", ({ refusal }) => {
    expect(classifyRefusal(refusal)).toMatchObject({ kind: "refusal" });
  });

  test.each(pairs)("partial help is not a refusal ($topic): $partial", ({ partial }) => {
    expect(classifyRefusal(partial)).toMatchObject({ kind: "partial" });
  });
});

describe("answers are not refusals", () => {
  test.each([
    "Our return window is 30 days from delivery.",
    "Sure! Here's how to reset your password: open Settings, then Security.",
    "We cannot refund gift cards, per our policy, but store credit is available.",
    // A caveat deep in a helpful answer is not where refusals live.
    `${"Step one is to open the app and sign in with your email address. ".repeat(8)}Note that I can't see your screen.`,
    "The function can't be called before init(); call init() first.",
    "",
  ])("%s", (answer) => {
    expect(classifyRefusal(answer)).toEqual({ kind: "answer" });
  });
});

test("a long output without punctuation is classified quickly", () => {
  const started = performance.now();
  expect(classifyRefusal(`I can't help with that ${"and something else entirely ".repeat(20_000)}`)).toMatchObject({ kind: "refusal" });
  expect(classifyRefusal("word ".repeat(100_000))).toEqual({ kind: "answer" });
  expect(performance.now() - started).toBeLessThan(1000);
});

describe("the rubric's own patterns", () => {
  const finder = (word: string) => (text: string) => {
    const index = text.toLowerCase().indexOf(word);
    return index < 0 ? undefined : { index, text: text.slice(index, index + word.length) };
  };

  test("add declines, and the partial-help rule applies to them too", () => {
    expect(classifyRefusal("Nope, out of bounds for me.", [finder("out of bounds")])).toMatchObject({ kind: "refusal", phrase: "out of bounds" });
    expect(classifyRefusal("Out of bounds for me, but I can connect you with sales.", [finder("out of bounds")])).toMatchObject({ kind: "partial" });
  });

  test("the first decline in the reply is the one reported", () => {
    expect(classifyRefusal("I must decline. I can't help with that.")).toMatchObject({ kind: "refusal", phrase: "I must decline" });
  });
});
