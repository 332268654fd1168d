// Builds dist/: the CLI as one esbuild bundle of src/ and the libraries it uses (the official openai and
// Anthropic SDKs, ajv, yaml, commander, …, at the versions the lock file pins), split at the CLI's lazy
// imports so `--version` loads only what it needs. One bundle instead of ~270 modules cuts ~150 ms of
// CPU from every run (module resolution and compilation; `npm run bench`). Type checking is
// `npm run check` (tsc); this only transpiles.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const common = { platform: "node", format: "esm", target: "node20", logLevel: "warning" };
// CommonJS libraries (ajv, cli-table3, …) call require() for Node's built-ins; an ES module has none.
const requireBanner = {
  js: 'import { createRequire as __modelgateCreateRequire } from "node:module"; const require = __modelgateCreateRequire(import.meta.url);',
};

{
  rmSync("dist", { recursive: true, force: true });
  const result = await build({
    ...common,
    // The shadow proxy's copy side runs in a worker thread, from its own entry (src/shadow/copy-side.ts finds it beside the chunks).
    entryPoints: { bin: "src/bin.ts", "shadow-worker": "src/shadow/copy-worker.ts" },
    outdir: "dist",
    bundle: true,
    splitting: true,
    banner: requireBanner,
    // `node --enable-source-maps dist/bin.js` maps stack traces back to src/; the maps name sources but do not carry them.
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    plugins: [yamlAsModules()],
  });
  writeThirdPartyLicenses(Object.keys(result.metafile.inputs));
}

/** dist/THIRD-PARTY-LICENSES.txt: the licence of every package whose code is in the bundle (their terms ask for it). */
function writeThirdPartyLicenses(inputs) {
  const packages = new Set();
  for (const input of inputs) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]);
  }
  const sections = [...packages].sort().map((name) => {
    const dir = join("node_modules", name);
    const { version, license } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((entry) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(entry));
    const text = file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8").trim() : `License: ${license}`;
    return `${name}@${version} (${license})\n\n${text}\n`;
  });
  writeFileSync(
    join("dist", "THIRD-PARTY-LICENSES.txt"),
    `dist/ bundles code from these packages, under these licences.\n\n${sections.join(`\n${"-".repeat(72)}\n\n`)}`,
  );
}

/**
 * yaml's ES module build (its "browser" entry: the same code; its warnings go to console.warn, and we
 * parse with `logLevel: "error"`) instead of its CommonJS one: esbuild then keeps only what the CLI
 * uses, and the CLI does not run every CommonJS module body of the library at start-up.
 */
function yamlAsModules() {
  return {
    name: "yaml-as-modules",
    setup(build) {
      build.onResolve({ filter: /^yaml$/ }, () => ({ path: resolve("node_modules", "yaml", "browser", "index.js") }));
    },
  };
}
