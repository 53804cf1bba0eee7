#!/usr/bin/env bash
# Runs every example against a real server: starts `qrt serve` on a fresh data directory and a
# free port with examples/examples.toml (emu_small5 takes half its modelled QPU time), points the
# examples at it (QRT_URL, QRT_TOKEN = the admin key the server wrote), runs each one, and fails if
# any exits non-zero. Each example checks its own physics.
#   examples/run_examples.sh QRT_BINARY EXAMPLE_BINARY...
set -euo pipefail

qrt="$1"
shift
tmp="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

"$qrt" serve --data-dir "$tmp/data" --port 0 --port-file "$tmp/port" --log-level warn \
    --config "$(dirname "${BASH_SOURCE[0]}")/examples.toml" 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 1 600); do
    [[ -s "$tmp/port" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; echo "FAIL: the server exited" >&2; exit 1; }
    sleep 0.1
done
[[ -s "$tmp/port" ]] || { echo "FAIL: no port file after 60 s" >&2; exit 1; }
export QRT_URL="http://127.0.0.1:$(cat "$tmp/port")"
export QRT_TOKEN="$(head -n1 "$tmp/data/admin.key")"

failed=()
for example in "$@"; do
    name="$(basename "$example")"
    echo "=== $name"
    start=$SECONDS
    if "$example"; then
        echo "=== $name: ok ($((SECONDS - start)) s)"
    else
        echo "=== $name: FAILED (exit $?, $((SECONDS - start)) s)"
        failed+=("$name")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "--- server log:" >&2
    tail -n 50 "$tmp/serve.log" >&2
    echo "FAIL: ${failed[*]}" >&2
    exit 1
fi
echo "all ${#} examples ok"
