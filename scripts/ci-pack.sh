#!/usr/bin/env bash
# CI: install modelgate exactly as README's "Use it in your project" says, and run its first gate.
# `npm pack` the checkout, copy the tarball into a fresh project's vendor/, `npm install --save-dev` it
# (--prefer-offline: `npm ci` caches `diff`'s tarball, the tarball's only dependency, but not always the
# registry's metadata that resolving `diff@^8` needs; on a fresh machine that one request goes out), then
# `./node_modules/.bin/modelgate init` and the replayed eval init prints. The eval must exit 1 (init's
# candidate regresses on purpose) and write its reports. Everything lives in a temp folder, removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
step() { echo "ci-pack: $* (+$((SECONDS - t0))s)"; }

[ -f dist/bin.js ] || npm run build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "npm pack"
tarball=$(npm pack --silent --ignore-scripts --pack-destination "$tmp")   # dist/ is built already
mkdir -p "$tmp/project/vendor"
mv "$tmp/$tarball" "$tmp/project/vendor/"
cd "$tmp/project"
npm init -y >/dev/null

step "npm install --save-dev ./vendor/$tarball"
npm install --save-dev --prefer-offline --no-audit --no-fund --silent "./vendor/$tarball"
# What a registry release would ship: the bundle, the judge prompts, licences; no sources or tests.
pkg=node_modules/modelgate
for wanted in dist/bin.js src/judge/prompts/pointwise.md LICENSE README.md dist/THIRD-PARTY-LICENSES.txt; do
  [ -f "$pkg/$wanted" ] || { echo "ci-pack: the tarball lacks $wanted" >&2; exit 1; }
done
if [ -n "$(find "$pkg" -path "$pkg/node_modules" -prune -o \( -name '*.ts' -o -name '*.map' -o -name '*.test.*' \) -print | head -1)" ]; then
  echo "ci-pack: the tarball ships dev-only files (sources, maps or tests)" >&2
  exit 1
fi

step "./node_modules/.bin/modelgate init"
./node_modules/.bin/modelgate init >init.txt
grep -q './node_modules/.bin/modelgate eval' init.txt || { echo "ci-pack: init did not print the installed bin:" >&2; cat init.txt >&2; exit 1; }

step "./node_modules/.bin/modelgate eval (replayed, offline)"
set +e
env -u OPENAI_BASE_URL -u ANTHROPIC_BASE_URL ./node_modules/.bin/modelgate eval --quiet --baseline current --candidate next \
  --replay datasets/example.cassette.jsonl --format table,json,md,html --out reports/first-run >eval.txt 2>&1
code=$?
set -e
[ "$code" -eq 1 ] || { echo "ci-pack: the installed demo exited $code, expected 1 (the planted regression)" >&2; cat eval.txt >&2; exit 1; }
for file in report.json report.md report.html; do
  [ -s "reports/first-run/$file" ] || { echo "ci-pack: no reports/first-run/$file" >&2; exit 1; }
done
step "ok: the packed install gates init's project and writes its reports"
