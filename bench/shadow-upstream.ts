/**
 * The shadow bench's upstreams, in their own process: a minimal Chat Completions server per
 * `--server name=latency` (`fast=0`, `slow=2000`, `hang=-1` never answers), each on its own port.
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
  const [name, latencyText] = spec.split("=");
  const latency = Number(latencyText);
  const body = Buffer.from(reply(String(name)));
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (latency < 0) return; // hang: never answer, keep the socket
      const send = () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
        res.end(body);
      };
      if (latency === 0) send();
      else setTimeout(send, latency);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`URL ${name} http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
}

process.once("SIGTERM", () => process.exit(0));
