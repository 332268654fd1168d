/**
 * The shadow bench's upstreams, in their own process: a minimal Chat Completions server per
 * `--server name=latency[+jitter]` (`fast=0`, `slow=2000`, `hang=-1` never answers, `baseline=40+20`: 40–60 ms), each on its own port.
 * Prints `URL <name> <url>` per server once listening; exits on SIGTERM.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { server: { type: "string", multiple: true, default: [] } } });

const reply = (model: string) =>
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: "A short answer of about a hundred characters, as a support reply might start." },
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 },
  });

for (const spec of values.server) {
  const [name, latencyText = "0"] = spec.split("=");
  // `50+20`: 50 ms plus up to 20 ms uniformly at random.
  const [latency, jitter] = latencyText.split("+").map(Number) as [number, number | undefined];
  const body = Buffer.from(reply(String(name)));
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (latency < 0) return; // hang: never answer, keep the socket
      const send = () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
        res.end(body);
      };
      const wait = latency + (jitter ? Math.random() * jitter : 0);
      if (wait === 0) send();
      else setTimeout(send, wait);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`URL ${name} http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
}

process.once("SIGTERM", () => process.exit(0));
