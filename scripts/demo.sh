#!/bin/sh
# `npm run demo`: gate the bundled demo offline from its cassette (no key, no network). The candidate
# regresses on purpose, so modelgate exits 1; the demo succeeds when the gate catches it, and fails
# when anything else happens (0 would mean the regressions slipped through, 2/3 a broken setup).
# Base-URL variables are unset: the cassette was recorded against the providers' default endpoints.
env -u OPENAI_BASE_URL -u ANTHROPIC_BASE_URL node dist/bin.js eval --config modelgate.config.yaml \
  --baseline stable --candidate canary --replay datasets/demo.cassette.jsonl \
  --format table,json,md,html --out reports/demo "$@"
code=$?
if [ "$code" -eq 1 ]; then
  echo "demo: modelgate exited 1 — the gate caught the planted regressions, as it should (open the report.html named above)" >&2
  exit 0
fi
exit "$code"
