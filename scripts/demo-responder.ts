/**
 * Scripted, deterministic "models" for the bundled demo (datasets/demo.jsonl + evals/demo.yaml).
 *
 * Used once, behind a loopback fake provider server, to record datasets/demo.cassette.jsonl; `npm run demo`
 * then replays that cassette with no network. Nothing in src/ imports this file.
 *
 * - baseline  `gpt-4o-2024-08-06`        gets nearly everything right (fails triage-008 and faq-006);
 * - candidate `gpt-4.1-mini-2025-04-14`  answers the same, a little more verbosely, except that it
 *   regresses on 4 cases and fixes 1 (see DEMO_CASE_EXPECTATIONS);
 * - judge     `claude-3-5-sonnet-20241022` scores free-text answers 1–5 from the answer alone.
 *
 * A case is recognised by a distinctive substring (`match`) of its last user message. Token usage is
 * ceil(chars / 4) of what was sent and returned; latency is the server's business.
 */

export const DEMO_MODELS = {
  baseline: "gpt-4o-2024-08-06",
  candidate: "gpt-4.1-mini-2025-04-14",
  judge: "claude-3-5-sonnet-20241022",
} as const;

export interface DemoRequest {
  system?: string;
  messages: Array<{ role: string; content: string }>;
  lastUser: string;
  tools?: Array<{ name: string }>;
}

export interface DemoToolCall {
  name: string;
  arguments: unknown;
}

export interface DemoReply {
  text?: string;
  tool_calls?: DemoToolCall[];
  usage?: { input_tokens: number; output_tokens: number };
}

export interface DemoCaseExpectation {
  outcome: "regression" | "improvement" | "fail";
  /** rubric check ids (evals/demo.yaml) that fail on each side */
  baseline_fails: string[];
  candidate_fails: string[];
  why: string;
}

/**
 * What the demo gate must find. Every case not listed here passes every check on both sides (given
 * recorded latencies under the `latency-budget` of 4000 ms).
 */
export const DEMO_CASE_EXPECTATIONS: {
  regressions: string[];
  improvements: string[];
  both_fail: string[];
  cases: Record<string, DemoCaseExpectation>;
} = {
  regressions: ["triage-007", "refund-002", "refund-003", "faq-005"],
  improvements: ["faq-006"],
  both_fail: ["triage-008"],
  cases: {
    "triage-007": {
      outcome: "regression",
      baseline_fails: [],
      candidate_fails: ["format"],
      why: 'candidate answers priority "critical", which is not in the schema\'s enum (urgent)',
    },
    "refund-002": {
      outcome: "regression",
      baseline_fails: [],
      candidate_fails: ["tools"],
      why: "customer names two orders; candidate refunds A-20455 instead of A-20417",
    },
    "refund-003": {
      outcome: "regression",
      baseline_fails: [],
      candidate_fails: ["tools"],
      why: "candidate calls track_order instead of issue_refund (missing expected call + extra call)",
    },
    "faq-005": {
      outcome: "regression",
      baseline_fails: [],
      candidate_fails: ["answers-question", "no-refusal", "helpful"],
      why: "candidate over-refuses a routine hazmat shipping question (bear spray to Alaska)",
    },
    "faq-006": {
      outcome: "improvement",
      baseline_fails: ["answers-question", "helpful"],
      candidate_fails: [],
      why: "baseline applies the general 30-day window; candidate applies the 14-day electronics window",
    },
    "triage-008": {
      outcome: "fail",
      baseline_fails: ["format"],
      candidate_fails: ["format"],
      why: 'German email: baseline drops the required `sentiment` key; candidate translates the enum value ("negativ")',
    },
  },
};

/**
 * Gate verdicts the demo should produce (evals/demo.yaml), worked out from the script: 40 cases; baseline
 * passes 38, candidate 35; format 11/12 → 10/12; tools 14/14 → 12/14; quality.score drops by 0.010–0.018
 * depending on how it is averaged (the faq-005 refusal is offset by the faq-006 fix; bound 0.05); the
 * candidate costs ~84% less per request. `latency.p95_ms` is left out: it depends on the latencies the recording server sets.
 */
export const DEMO_GATE_EXPECTATIONS: Record<string, "pass" | "fail"> = {
  pass_rate: "fail",
  "format.pass_rate": "fail",
  "tools.pass_rate": "fail",
  "quality.score": "pass",
  "cost.per_request_usd": "pass",
  error_rate: "pass",
  regressions: "fail",
};

// ---------------------------------------------------------------- the script

type Kind = "extraction" | "tools" | "faq";

interface Answer {
  text?: string;
  calls?: DemoToolCall[];
}

interface Script {
  id: string;
  kind: Kind;
  /** distinctive substring of the case's last user message */
  match: string;
  /** the case's `vars.key_fact` (faq) — what the judge looks for */
  keyFact?: string;
  lang?: "de";
  baseline: Answer;
  /** only where the candidate differs in substance; otherwise it is the baseline, more verbose */
  candidate?: Answer;
}

const ticket = (category: string, priority: string, order_id: string | null, sentiment?: string): Answer => ({
  text: JSON.stringify(sentiment === undefined ? { category, priority, order_id } : { category, priority, order_id, sentiment }),
});
const pretty = (answer: Answer): Answer => ({ text: JSON.stringify(JSON.parse(answer.text ?? "null"), null, 2) });
const call = (name: string, args: Record<string, unknown>): Answer => ({ calls: [{ name, arguments: args }] });

const SCRIPTS: Script[] = [
  // ------------------------------------------------------------ (a) ticket triage → JSON
  { id: "triage-001", kind: "extraction", match: "Torn jacket - order A-20931", baseline: ticket("damaged_item", "high", "A-20931", "negative") },
  {
    id: "triage-002",
    kind: "extraction",
    match: "hiking socks and a water filter",
    baseline: ticket("order_status", "normal", "A-33410", "neutral"),
  },
  { id: "triage-003", kind: "extraction", match: "Charged twice!!", baseline: ticket("billing", "high", null, "negative") },
  { id: "triage-004", kind: "extraction", match: "not a single sore spot", baseline: ticket("feedback", "low", "A-41876", "positive") },
  { id: "triage-005", kind: "extraction", match: "the reset email never arrives", baseline: ticket("account", "high", null, "neutral") },
  {
    id: "triage-006",
    kind: "extraction",
    match: "Sizing question - Basecamp down parka",
    baseline: ticket("product_question", "low", null, "neutral"),
  },
  {
    id: "triage-007",
    kind: "extraction",
    match: "order a-83310",
    baseline: ticket("safety", "urgent", "A-83310", "negative"),
    // REGRESSION: a priority outside the enum
    candidate: pretty(ticket("safety", "critical", "A-83310", "negative")),
  },
  {
    id: "triage-008",
    kind: "extraction",
    match: "Beschädigte Lieferung A-47120",
    lang: "de",
    // both fail: the baseline drops the required `sentiment` key ...
    baseline: ticket("damaged_item", "normal", "A-47120"),
    // ... and the candidate answers the enum value in German
    candidate: pretty(ticket("damaged_item", "high", "A-47120", "negativ")),
  },
  {
    id: "triage-009",
    kind: "extraction",
    match: "120 embroidered fleece jackets",
    baseline: ticket("order_status", "urgent", "GX-104552", "negative"),
  },
  { id: "triage-010", kind: "extraction", match: "Invoice for GX-118204", baseline: ticket("billing", "normal", "GX-118204", "neutral") },
  {
    id: "triage-011",
    kind: "extraction",
    match: "Umtausch Wanderschuhe",
    lang: "de",
    baseline: ticket("return_refund", "normal", "A-55218", "neutral"),
  },
  {
    id: "triage-012",
    kind: "extraction",
    match: "Final warning before I dispute this",
    baseline: ticket("return_refund", "urgent", "A-66091", "negative"),
  },

  // ------------------------------------------------------------ (b) tool calls
  {
    id: "refund-001",
    kind: "tools",
    match: "Lumen 400 headlamp",
    baseline: call("issue_refund", {
      order_id: "A-10482",
      reason: "defective",
      note: "Headlamp does not power on with fresh batteries; customer wants a refund, not a replacement.",
    }),
  },
  {
    id: "refund-002",
    kind: "tools",
    match: "A-20417 from last week",
    baseline: call("issue_refund", { order_id: "A-20417", reason: "damaged", note: "Cascade fleece: broken zipper pull, hole in pocket." }),
    // REGRESSION: refunds the other order the customer mentioned
    candidate: {
      text: "A broken zipper and a hole on arrival is not okay! I'll get that refund started for you right away.",
      calls: [
        {
          name: "issue_refund",
          arguments: { order_id: "A-20455", reason: "damaged", note: "Cascade fleece arrived with a broken zipper pull and a hole in the pocket." },
        },
      ],
    },
  },
  {
    id: "refund-003",
    kind: "tools",
    match: "Both trekking poles inside are bent",
    baseline: call("issue_refund", { order_id: "A-31877", reason: "damaged", note: "Box crushed in transit; both trekking poles bent." }),
    // REGRESSION: looks the order up instead of refunding it
    candidate: {
      text: "Let me pull up the tracking details for order A-31877 first.",
      calls: [{ name: "track_order", arguments: { order_id: "A-31877" } }],
    },
  },
  {
    id: "refund-004",
    kind: "tools",
    match: "today it's on your site for $104.99",
    baseline: call("issue_refund", {
      order_id: "A-40913",
      amount: 25,
      reason: "price_adjustment",
      note: "Ridgeline rain shell repriced from $129.99 to $104.99 within 14 days of purchase.",
    }),
  },
  {
    id: "refund-005",
    kind: "tools",
    match: "Basecamp 4 tent from order A-52290",
    baseline: call("escalate_to_human", {
      reason: "refund_over_limit",
      priority: "normal",
      order_id: "A-52290",
      summary: "Customer requests a full refund of $349 for a Basecamp 4 tent delivered with a torn rainfly; above the $200 self-service limit.",
    }),
  },
  { id: "track-001", kind: "tools", match: "where is my order A-61734", baseline: call("track_order", { order_id: "A-61734" }) },
  { id: "track-002", kind: "tools", match: "business order GX-109337", baseline: call("track_order", { order_id: "GX-109337" }) },
  {
    id: "escalate-001",
    kind: "tools",
    match: "Let me talk to a real person",
    baseline: call("escalate_to_human", {
      reason: "customer_request",
      priority: "high",
      summary: "Customer has written three times about the same return and asks for a human agent.",
    }),
  },
  {
    id: "escalate-002",
    kind: "tools",
    match: "Ember camp stove from order A-83517",
    baseline: call("escalate_to_human", {
      reason: "safety",
      priority: "urgent",
      order_id: "A-83517",
      summary: "Ember camp stove leaked gas at the valve and caught fire; customer burned their hand. Safety incident.",
    }),
  },
  {
    id: "escalate-003",
    kind: "tools",
    match: "Rückbuchung für die Bestellung A-72904",
    lang: "de",
    baseline: call("escalate_to_human", {
      reason: "chargeback",
      priority: "high",
      order_id: "A-72904",
      summary: "Customer filed a chargeback with their bank for A-72904; the refund is still outstanding after six weeks.",
    }),
  },
  {
    id: "address-001",
    kind: "tools",
    match: "1420 Alder St",
    baseline: call("update_address", {
      order_id: "A-90125",
      address: { line1: "1420 Alder St", line2: "Apt 3B", city: "Portland", region: "OR", postal_code: "97214", country: "US" },
    }),
    // same meaning, different shape: the apartment goes into line1 (the case's matchers allow it)
    candidate: {
      text: "I'll update the shipping address on order A-90125 for you now.",
      calls: [
        {
          name: "update_address",
          arguments: {
            order_id: "A-90125",
            address: { line1: "1420 Alder St Apt 3B", city: "Portland", region: "OR", postal_code: "97214", country: "US" },
          },
        },
      ],
    },
  },
  {
    id: "address-002",
    kind: "tools",
    match: "8800 Industrial Pkwy",
    baseline: call("update_address", {
      order_id: "GX-121377",
      address: {
        name: "Globex Corporation",
        line1: "8800 Industrial Pkwy",
        line2: "Dock 4",
        city: "Columbus",
        region: "OH",
        postal_code: "43219",
        country: "US",
      },
    }),
  },
  {
    id: "notool-001",
    kind: "tools",
    match: "the zipper on my jacket broke after two days",
    baseline: {
      text: "That's frustrating, a zipper shouldn't give out after two days. Could you send me your order number? It's in your confirmation email and looks like A-12345. As soon as I have it I'll get the refund started.",
    },
    candidate: {
      text: "That's really frustrating: a zipper should hold up for a lot longer than two days! To get your refund started, could you share your order number? You'll find it in your order confirmation email, and it looks like A-12345. Once I have it, I'll take care of the rest.",
    },
  },
  {
    id: "conv-002",
    kind: "tools",
    match: "I asked the neighbours and the leasing office",
    baseline: call("issue_refund", {
      order_id: "A-58802",
      reason: "not_received",
      note: "USPS shows delivered Mar 4 without proof of delivery; customer checked with neighbours and leasing office.",
    }),
    candidate: {
      text: "Thanks for checking. Since there's no proof of delivery, I'll refund the full $89.00 to your original payment method now.",
      calls: [
        {
          name: "issue_refund",
          arguments: {
            order_id: "A-58802",
            amount: 89,
            reason: "not_received",
            note: "Marked delivered Mar 4 by USPS, no proof of delivery; not found with neighbours or leasing office.",
          },
        },
      ],
    },
  },

  // ------------------------------------------------------------ (c) policy questions + (d) multi-turn answer
  {
    id: "faq-001",
    kind: "faq",
    match: "How long do I have to return something I bought?",
    keyFact: "30 days",
    baseline: {
      text: "You can return unworn, unwashed items with the tags still attached within 30 days of delivery. Start the return from your order page and we'll email you a label; a $6.95 label fee comes out of the refund unless the item arrived damaged or wrong.",
    },
  },
  {
    id: "faq-002",
    kind: "faq",
    match: "I'm an Acme Plus member",
    keyFact: "60 days",
    baseline: {
      text: "Yes! As a Plus member you have 60 days from delivery to return unworn items with tags, and return shipping is free for you. The one exception is electronics, which have a 14-day window on every tier.",
    },
  },
  {
    id: "faq-003",
    kind: "faq",
    match: "I mailed my return back last week",
    keyFact: "7 business days",
    baseline: {
      text: "Refunds go back to your original payment method within 5–7 business days of your return arriving at our warehouse. We'll email you as soon as it's checked in, so you'll know the clock has started.",
    },
  },
  {
    id: "faq-004",
    kind: "faq",
    match: "Do you offer free shipping?",
    keyFact: "$75",
    baseline: {
      text: "Yes: standard shipping (3–5 business days) is free on orders over $75, and $5.95 below that. Expedited 2-day shipping is $12, and overnight is $25 if you order by 1 pm ET.",
    },
  },
  {
    id: "faq-005",
    kind: "faq",
    match: "bear spray shipped to Anchorage",
    keyFact: "contiguous US",
    baseline: {
      text: "Bear spray is classed as a hazardous material, so it only ships by ground within the contiguous US; Alaska addresses, Anchorage included, are outside that zone. Outdoor shops in Anchorage stock it, so picking up a can when you land is the easiest option. Enjoy Denali!",
    },
    // REGRESSION: over-refusal
    candidate: { text: "I'm sorry, but I can't help with that." },
  },
  {
    id: "faq-006",
    kind: "faq",
    match: "Garmin GPS watch",
    keyFact: "14 days",
    // baseline failure: misses the electronics exception
    baseline: {
      text: "Yes, you're still within the window: items in their original condition can be returned within 30 days of delivery. Start the return from your order page and we'll email you a label.",
    },
    // IMPROVEMENT
    candidate: {
      text: "Thanks for checking before sending it! Electronics such as GPS watches can be returned within 14 days of delivery (a shorter window than our usual 30 days), so at three weeks this watch is past it. If it ever develops a fault, Garmin's manufacturer warranty covers it, and I'm happy to point you to their support team. Let me know if there's anything else I can do for you!",
    },
  },
  {
    id: "faq-007",
    kind: "faq",
    match: "shoulder strap on my Acme Summit 45 pack",
    keyFact: "lifetime",
    baseline: {
      text: "It should be. Acme-brand packs carry our Ironclad Guarantee, a lifetime warranty against defects in materials and workmanship, and a seam giving way is usually a workmanship issue rather than normal wear. Send us a photo of the strap with your order number or account email, and we'll arrange a repair, replacement or store credit.",
    },
  },
  {
    id: "faq-008",
    kind: "faq",
    match: "Do Acme gift cards expire?",
    keyFact: "never expire",
    baseline: {
      text: "Good news: Acme gift cards never expire, so your card from 2019 still has its full balance. Enter it at checkout, or check the balance on our gift card page first.",
    },
  },
  {
    id: "faq-009",
    kind: "faq",
    match: "cancel the order I placed this morning",
    keyFact: "1 hour",
    baseline: {
      text: "Orders can be cancelled within 1 hour of being placed, so an order from this morning has most likely gone to our warehouse already. Once it arrives you can return it for a refund; if you send me the order number I'll check its status for you.",
    },
  },
  {
    id: "faq-010",
    kind: "faq",
    match: "wie lange habe ich Zeit",
    keyFact: "30 Tage",
    lang: "de",
    baseline: {
      text: "Sie können ungetragene, ungewaschene Artikel mit Etikett innerhalb von 30 Tagen nach der Lieferung zurückschicken. Starten Sie die Rücksendung einfach über Ihre Bestellübersicht; für das Rücksendeetikett ziehen wir 6,95 $ von der Erstattung ab.",
    },
  },
  {
    id: "faq-011",
    kind: "faq",
    match: "pay by invoice instead of card",
    keyFact: "net-30",
    baseline: {
      text: "Yes. Business orders of 50 or more units can be paid by invoice on net-30 terms, and you'll get volume pricing as well. Your account manager can set that up; note that custom-embroidered items are non-returnable.",
    },
  },
  {
    id: "faq-012",
    kind: "faq",
    match: "customs fees when the package arrives",
    keyFact: "at checkout",
    baseline: {
      text: "No. For EU orders, duties and taxes are calculated and paid at checkout, so there's nothing extra to pay when the package arrives. International delivery takes 7–14 business days.",
    },
  },
  {
    id: "faq-013",
    kind: "faq",
    match: "My expedited order showed up two days late",
    keyFact: "shipping charge",
    baseline: {
      text: "When an expedited order arrives late, we refund the shipping charge, so the $12 you paid will come back to you. Send me the order number and I'll get that processed.",
    },
  },
  {
    id: "conv-001",
    kind: "faq",
    match: "where's my order A-70215",
    keyFact: "March 13",
    baseline: {
      text: "Good news: order A-70215 is on its way with UPS. It was last scanned in Reno, NV, and the estimated delivery is Thursday, March 13, so it should arrive before your trip on Saturday.",
    },
  },
];

// ---------------------------------------------------------------- candidate verbosity

const CLOSINGS_EN = [
  "Let me know if there's anything else I can do for you!",
  "Happy trails, and feel free to reach out with any other questions!",
  "Hope that helps. Is there anything else I can do for you today?",
];
const CLOSING_DE = "Kann ich sonst noch etwas für Sie tun?";
const PREAMBLE: Record<string, string> = {
  track_order: "Let me look that up for you.",
  issue_refund: "I'll get that refund started for you right away.",
  escalate_to_human: "I'm bringing in a member of our support team to take it from here.",
  update_address: "I'll update that address for you now.",
};
const PREAMBLE_DE = "Einen Moment, ich kümmere mich darum.";

/** The candidate says the same thing with more words: pretty-printed JSON, a preamble before tool calls, a closing line. */
function candidateAnswer(script: Script, index: number): Answer {
  if (script.candidate) return script.candidate;
  const base = script.baseline;
  if (script.kind === "extraction") return pretty(base);
  if (base.calls && base.calls.length > 0) {
    const first = base.calls[0]?.name ?? "";
    return { text: script.lang === "de" ? PREAMBLE_DE : (PREAMBLE[first] ?? "On it."), calls: base.calls };
  }
  const closing = script.lang === "de" ? CLOSING_DE : CLOSINGS_EN[index % CLOSINGS_EN.length];
  return { text: `${base.text ?? ""} ${closing}` };
}

function answerFor(script: Script, side: "baseline" | "candidate"): Answer {
  return side === "baseline" ? script.baseline : candidateAnswer(script, SCRIPTS.indexOf(script));
}

// ---------------------------------------------------------------- judge

const REFUSAL = /\b(I'm sorry, but|I am sorry, but|I can(?:'|’|no)t help|I(?:'m| am) (?:unable|not able) to (?:help|assist))\b/i;

const normalise = (s: string): string => s.replace(/\\n/g, " ").replace(/\\"/g, '"').replace(/\s+/g, " ").trim();

/** The last fenced block of the prompt (```, ~~~ or <output>…</output>), for outputs the script does not know. */
function lastFenced(prompt: string): string | undefined {
  const blocks = [
    ...[...prompt.matchAll(/^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n\1\s*$/gm)].map((m) => m[2] ?? ""),
    ...[...prompt.matchAll(/<(output|response|answer)[^>]*>([\s\S]*?)<\/\1>/gi)].map((m) => m[2] ?? ""),
  ];
  return blocks.at(-1);
}

function judgeAnswer(request: DemoRequest): Answer {
  const prompt = [request.system ?? "", ...request.messages.map((m) => m.content), request.lastUser].join("\n");
  if (/"winner"/.test(prompt)) {
    return { text: JSON.stringify({ winner: "tie", reason: "Both answers convey the same policy with comparable clarity." }) };
  }
  const hay = normalise(prompt);
  // Find which scripted answer is under test: the longest one that appears in the prompt.
  let found: { script: Script; text: string; length: number } | undefined;
  for (const script of SCRIPTS) {
    for (const side of ["baseline", "candidate"] as const) {
      const text = answerFor(script, side).text;
      if (!text || text.length < 20) continue;
      const n = normalise(text);
      if (hay.includes(n) && (!found || n.length > found.length)) found = { script, text, length: n.length };
    }
  }
  const script = found?.script ?? SCRIPTS.find((s) => hay.includes(normalise(s.match)));
  const output = found?.text ?? lastFenced(prompt) ?? "";
  let score: number;
  let reason: string;
  if (REFUSAL.test(output)) {
    score = 2;
    reason = "Declines a routine policy question the assistant is expected to answer; gives the customer nothing to act on.";
  } else if (!script?.keyFact) {
    score = 4;
    reason = "Relevant, polite and plausible; no clear policy error.";
  } else if (output.toLowerCase().includes(script.keyFact.toLowerCase())) {
    score = 5;
    reason = `Accurate and direct: states the key policy detail (${script.keyFact}) and tells the customer what to do next.`;
  } else {
    score = 3;
    reason = `Friendly and on topic, but misses or contradicts the key policy detail (${script.keyFact}).`;
  }
  return { text: JSON.stringify({ score, reason }) };
}

// ---------------------------------------------------------------- entry point

const tokens = (chars: number): number => Math.max(1, Math.ceil(chars / 4));

export function demoRespond(model: string, request: DemoRequest): DemoReply {
  let answer: Answer;
  if (model === DEMO_MODELS.judge) {
    answer = judgeAnswer(request);
  } else {
    const side = model === DEMO_MODELS.baseline ? "baseline" : model === DEMO_MODELS.candidate ? "candidate" : undefined;
    if (!side) throw new Error(`demoRespond: unknown model "${model}" (expected one of ${Object.values(DEMO_MODELS).join(", ")})`);
    const hits = SCRIPTS.filter((s) => request.lastUser.includes(s.match));
    const script = hits[0];
    if (!script || hits.length > 1) {
      const which = hits.length > 1 ? `several demo cases (${hits.map((s) => s.id).join(", ")})` : "no demo case";
      throw new Error(`demoRespond: ${which} match the last user message: ${JSON.stringify(request.lastUser.slice(0, 120))}`);
    }
    answer = answerFor(script, side);
  }
  const sent =
    (request.system ?? "").length +
    request.messages.reduce((n, m) => n + m.content.length, 0) +
    (request.tools ? JSON.stringify(request.tools).length : 0);
  const received = (answer.text ?? "").length + (answer.calls ? JSON.stringify(answer.calls).length : 0);
  const reply: DemoReply = { usage: { input_tokens: tokens(sent), output_tokens: tokens(received) } };
  if (answer.text !== undefined) reply.text = answer.text;
  if (answer.calls) reply.tool_calls = answer.calls.map((c) => ({ name: c.name, arguments: structuredClone(c.arguments) }));
  return reply;
}

/** The scripted case ids, for a test that wants to check the script and the dataset agree. */
export const DEMO_SCRIPTED_CASE_IDS: readonly string[] = SCRIPTS.map((s) => s.id);
