#!/bin/sh
# OpenAPI conformance: schemathesis (PyPI) against `custos serve` on loopback, driven by the committed
# document (Sources/CustosServer/openapi.yaml, served at /v1/openapi.yaml). Bounded: examples per
# operation and total time are capped. Exits non-zero on any failure.
#
# Usage: scripts/api-conformance.sh [max-examples (default 15)] [max-seconds (default 240)]
set -eu
EXAMPLES=${1:-15}
SECONDS_CAP=${2:-240}
cd "$(dirname "$0")/.."
command -v schemathesis >/dev/null || python3 -m pip install --quiet schemathesis
if [ -z "${CUSTOS_BIN:-}" ]; then
    swift build --product custos >/dev/null
    CUSTOS_BIN=$(swift build --show-bin-path)/custos
fi
BIN=$CUSTOS_BIN
WORK=$(mktemp -d)
PORT=${CUSTOS_CONFORMANCE_PORT:-18431}
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

"$BIN" init --workspace "$WORK/ws" --officer-key "$WORK/officer.pem" > "$WORK/init.txt"
token() { awk -v who="$1" '$1 == who { print $NF }' "$WORK/init.txt"; }
"$BIN" serve --workspace "$WORK/ws" --listen "127.0.0.1:$PORT" --rate-limit 100000 --burst 100000 --max-jobs 64 \
    --max-jobs-per-principal 64 2> "$WORK/serve.log" &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

status=0
# An analyst and the compliance officer: the same document must hold for both (their refusals are
# problems the document declares). ignored_auth checks that no operation works without the token.
for who in alice dana; do
    echo "== schemathesis as $who =="
    schemathesis run "http://127.0.0.1:$PORT/v1/openapi.yaml" --url "http://127.0.0.1:$PORT" \
        -H "Authorization: Bearer $(token "$who")" \
        --checks all --exclude-checks positive_data_acceptance \
        --max-examples "$EXAMPLES" --max-time "$SECONDS_CAP" --seed 7 --workers 2 \
        --suppress-health-check all --request-timeout 30 || status=1
done
if grep -q '"status":500\|status=500' "$WORK/serve.log"; then echo "the service answered 500 during the run"; status=1; fi
exit $status
