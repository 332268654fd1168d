/**
 * The bench's model server, in its own process so its CPU and memory are not counted as the tool's:
 * `node --import tsx bench/server.ts --latency 50 [--output-chars 500]`.
 * Prints `URL <url>` on stdout once listening; on SIGTERM prints `STATS <json>` and exits.
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { type FakeReply, type FakeRequest, startFakeLlmServer } from "../test/support/fake-llm-server.js";

const { values } = parseArgs({
  options: {
    latency: { type: "string", default: "0" },
    "output-chars": { type: "string", default: "500" },
  },
});
const latencyMs = Number(values.latency);
const outputChars = Number(values["output-chars"]);

const filler =
  "Thanks for reaching out. I checked the account history, the order timeline and the policy that applies to this request. " +
  "Here is what happens next, step by step, and what you can expect from us over the coming days. ";
const topics = ["billing", "shipping", "returns", "account", "product"] as const;

/** A stable pseudo-random number in [0, 1) from a string (so replies do not depend on arrival order). */
function unit(text: string): number {
  return createHash("sha1").update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * A JSON reply of about `outputChars` characters that passes the bench rubric (schema + key fact), except
 * for a few deterministic misses: the candidate drops the key fact a little more often than the baseline.
 */
function respond(req: FakeRequest): FakeReply {
  const id = /case (\S+)/.exec(req.lastUser)?.[1] ?? "unknown";
  const fact = /fact (\S+)/.exec(req.lastUser)?.[1] ?? "none";
  const candidate = req.model.includes("cand");
  const roll = unit(`${req.model}\n${id}`);
  const missFact = roll < (candidate ? 0.04 : 0.03);
  const badSchema = roll > (candidate ? 0.985 : 0.99);
  const head = missFact ? "The reference could not be found." : `The reference is ${fact}.`;
  const reply = {
    answer: "",
    category: badSchema ? "other" : topics[Math.floor(roll * 1000) % topics.length],
    confidence: Math.round(roll * 100) / 100,
  };
  // The answer fills the reply to `outputChars` characters (the filler needs no JSON escaping).
  const room = Math.max(40, outputChars - JSON.stringify(reply).length);
  reply.answer = `${head} ${filler.repeat(Math.ceil(outputChars / filler.length))}`.slice(0, room);
  return { text: JSON.stringify(reply) };
}

const server = await startFakeLlmServer({ respond, latencyMs });

// The fake server keeps every request for tests; a benchmark of 200,000 requests must not.
const trim = setInterval(() => {
  server.stats.log.length = 0;
}, 200);

process.stdout.write(`URL ${server.url}\n`);

process.once("SIGTERM", () => {
  clearInterval(trim);
  const { requests, maxInFlight } = server.stats;
  process.stdout.write(`STATS ${JSON.stringify({ requests, maxInFlight })}\n`, () => {
    void server.close().then(() => process.exit(0));
  });
});
