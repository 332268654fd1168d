/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`, or `npm run bench -- --cpu-prof DIR`): where the
 * CPU time went by file/package, the top functions by self time, and the top modelgate (dist/) functions by
 * inclusive time.
 *
 *   node --import tsx bench/profile-summary.ts PROFILE.cpuprofile [--top 25]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" } } });
const file = positionals[0];
if (!file) throw new Error("usage: profile-summary.ts PROFILE.cpuprofile [--top N]");
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/**
 * The pipeline stage a sample belongs to: the nearest frame (leaf to root) that names one. Node internals
 * (streams, timers, abort signals) and natives are attributed to whoever called them.
 */
function stageOf(leaf: ProfileNode): string {
  const special = leaf.callFrame.functionName;
  if (leaf.callFrame.url === "" && ["(garbage collector)", "(idle)", "(program)"].includes(special)) return special;
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const url = byId.get(id)?.callFrame.url ?? "";
    if (/node_modules\/openai\//.test(url) || url.startsWith("node:internal/deps/undici")) return "HTTP client (openai SDK + undici fetch)";
    if (/node_modules\/ajv/.test(url)) return "ajv";
    if (url.startsWith("node:internal/modules")) return "module loading";
    const dist = /\/dist\/([^/]+)(\/[^/]+)?\.js$/.exec(url);
    if (dist && !url.includes("node_modules")) return dist[2] === undefined ? `src/${dist[1]}` : `src/${dist[1]}/`;
  }
  return "node internals without a JS caller (sockets, timers)";
}

/** `node_modules/openai/...` → `openai`; `node:internal/deps/undici/...` → `node:undici`; dist/x/y.js → src/x/y.ts. */
function groupOf(url: string, name: string): string {
  if (url === "") return name.startsWith("(") ? name : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] as string;
  const dist = /\/dist\/(.+)\.js$/.exec(url);
  if (dist) return `src/${dist[1]}.ts`;
  if (url.startsWith("node:internal/deps/undici")) return "node:undici (fetch)";
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/").slice(0, 2).join("/")}`;
  return url;
}

function labelOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === "" ? "" : ` ${url.replace(/^.*\/(node_modules|dist)\//, "$1/")}:${lineNumber + 1}`;
  return `${functionName || "(anonymous)"}${where}`;
}

const self = new Map<string, number>();
const groups = new Map<string, number>();
const inclusive = new Map<string, number>();
const stages = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  const node = byId.get(profile.samples[i] as number);
  if (!node) continue;
  total += dt;
  const label = labelOf(node);
  self.set(label, (self.get(label) ?? 0) + dt);
  const stage = stageOf(node);
  stages.set(stage, (stages.get(stage) ?? 0) + dt);
  const group = groupOf(node.callFrame.url, node.callFrame.functionName);
  groups.set(group, (groups.get(group) ?? 0) + dt);
  // Inclusive time of our own functions: each distinct frame on the stack counts once per sample.
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id);
    if (!frame?.callFrame.url.includes("/dist/") || frame.callFrame.url.includes("node_modules")) continue;
    const frameLabel = labelOf(frame);
    if (seen.has(frameLabel)) continue;
    seen.add(frameLabel);
    inclusive.set(frameLabel, (inclusive.get(frameLabel) ?? 0) + dt);
  }
}

function print(title: string, entries: Map<string, number>, count: number): void {
  console.log(`\n${title}`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
}

console.log(`${file}: ${total.toFixed(0)} ms sampled`);
print("by stage (nearest caller that names one)", stages, top);
print("self time by file / package", groups, top);
print("top functions by self time", self, top);
print("modelgate functions by inclusive time", inclusive, top);
