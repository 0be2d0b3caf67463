#!/usr/bin/env bash
# End-to-end check of `jllm serve` as built (target/jllm.jar through ./jllm): makes a tiny random GPT-2 model, serves
# it on a free port with an API key (JLLM_API_KEY), and runs the real clients against it: the openai npm package and
# the chat page in headless Chromium; then stops it with SIGTERM. Needs node + `npm ci` here, and Chromium (/usr/bin/chromium or $CHROMIUM). Screenshot: target/e2e/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node is not installed"
command -v curl >/dev/null || fail "curl is not installed"
[ -d "$here/node_modules/openai" ] && [ -d "$here/node_modules/playwright-core" ] || fail "run 'npm ci' in tools/e2e first"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"

work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$root/target/e2e"

"$root/jllm" init --config custom --emb 32 --layers 2 --heads 2 --context 256 --seed 1 --out "$work/tiny" >/dev/null \
  || fail "jllm init could not make the test model"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
key="e2e-$RANDOM$RANDOM"
JLLM_API_KEY="$key" "$root/jllm" serve --model "$work/tiny" --port "$port" --max-concurrent 2 >"$root/target/e2e/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || fail "jllm serve exited: $(tail -5 "$root/target/e2e/serve.log")"
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || fail "jllm serve did not answer /health within 60 s"

node "$here/openai-client.mjs" "http://127.0.0.1:$port/v1" tiny "$key"
node "$here/chat-page.mjs" "http://127.0.0.1:$port/" "$root/target/e2e/chat-page.png" --api-key "$key"
# SIGTERM: the server drains and exits (143 = ended by the signal, as the JVM reports it)
kill -TERM "$server"
for _ in $(seq 1 60); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
kill -0 "$server" 2>/dev/null && fail "jllm serve did not stop within 30 s of SIGTERM"
rc=0; wait "$server" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 143 ] || fail "jllm serve exited with $rc after SIGTERM: $(tail -5 "$root/target/e2e/serve.log")"
server=""
echo "e2e: OK (screenshot: target/e2e/chat-page.png)"
