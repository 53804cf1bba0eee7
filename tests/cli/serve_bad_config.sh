#!/usr/bin/env bash
# `qrt serve` with a bad configuration file exits with 2, names FILE:LINE and the key, and does
# not create the data directory.
#   tests/cli/serve_bad_config.sh QRT_BINARY
set -uo pipefail
qrt="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

out="$("$qrt" serve --config "$here/bad_port.toml" --data-dir "$tmp/data" 2>&1)"
rc=$?
echo "$out"
[[ $rc -eq 2 ]] || { echo "FAIL: exit code $rc, expected 2"; exit 1; }
grep -q 'bad_port.toml:3: server.port: must be in 0..65535, got 70000' <<<"$out" ||
    { echo "FAIL: the message does not name file:line and the key"; exit 1; }
[[ ! -e "$tmp/data" ]] || { echo "FAIL: the data directory was created"; exit 1; }

out="$("$qrt" serve --config "$tmp/missing.toml" 2>&1)"
rc=$?
echo "$out"
[[ $rc -eq 2 ]] || { echo "FAIL: missing file: exit code $rc, expected 2"; exit 1; }
grep -q 'missing.toml: no such file' <<<"$out" || { echo "FAIL: missing file not named"; exit 1; }
echo "ok"
