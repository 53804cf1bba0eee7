#!/usr/bin/env bash
# `qrt serve` end to end: first start (admin key printed once, saved with mode 0600), the port
# file, /health and an authenticated API call, the admin verbs against the live server (users,
# keys, instances, backends, exit codes), SIGTERM with a clean exit, and a restart on the same
# data directory (same admin key, none printed).
#   tests/cli/serve_smoke.sh QRT_BINARY
# Needs python3 (for HTTP calls; curl may be missing).
set -euo pipefail

qrt="$1"
source "$(dirname "$0")/lib.sh"

# http METHOD URL [AUTHORIZATION]: prints "STATUS BODY".
http() {
    python3 - "$@" <<'EOF'
import sys, urllib.request, urllib.error
method, url = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url, method=method)
if len(sys.argv) > 3:
    req.add_header("Authorization", sys.argv[3])
try:
    with urllib.request.urlopen(req, timeout=30) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
EOF
}

# json_field FIELD: reads JSON on stdin, prints one top-level field.
json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

stop_server() {
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    pid=""
    [[ $rc -eq 0 ]] || fail "the server exited with $rc after SIGTERM"
    grep -q "qrt: stopped" "$tmp/serve.log" || fail "no 'stopped' line after SIGTERM"
    [[ ! -e "$tmp/port" ]] || fail "the port file is left behind"
}

# --- first start
start_server --log-level info
key_file="$tmp/data/admin.key"
[[ -f "$key_file" ]] || fail "no admin.key in the data directory"
[[ "$(stat -c %a "$key_file")" == "600" ]] || fail "admin.key has mode $(stat -c %a "$key_file")"
[[ "$(stat -c %a "$tmp/data")" == "700" ]] || fail "the data directory has mode $(stat -c %a "$tmp/data")"
admin_key="$(head -n1 "$key_file")"
[[ -n "$admin_key" ]] || fail "admin.key is empty"
grep -qF "qrt: admin API key: $admin_key (saved in $tmp/data/admin.key)" "$tmp/serve.log" ||
    fail "the first start did not print the admin key"
grep -qF "qrt: listening on $url" "$tmp/serve.log" || fail "no 'listening on $url' line"

read -r status body < <(http GET "$url/health")
[[ "$status" == "200" ]] || fail "GET /health: $status $body"

read -r status body < <(http GET "$url/api/v1/backends")
[[ "$status" == "401" ]] || fail "GET /api/v1/backends without credentials: $status"

read -r status body < <(http GET "$url/api/v1/backends" "apikey $admin_key")
[[ "$status" == "200" ]] || fail "GET /api/v1/backends: $status $body"
for name in emu_small5 emu_falcon27 emu_eagle127 emu_heron133 sim_ideal; do
    grep -q "$name" <<<"$body" || fail "GET /api/v1/backends lacks $name: $body"
done

# --- admin verbs (URL from QRT_URL, the key from the data directory)
export QRT_URL="$url" QRT_DATA_DIR="$tmp/data"
unset QRT_TOKEN

expect_rc 0 "$qrt" admin users create alice --json
alice_id="$(json_field id <"$tmp/out")"
[[ "$alice_id" == usr_* ]] || fail "users create: id '$alice_id'"

expect_rc 0 "$qrt" admin users list
grep -q "alice" "$tmp/out" || fail "users list lacks alice: $(cat "$tmp/out")"

expect_rc 0 "$qrt" admin keys create alice --label smoke --json
alice_key="$(json_field api_key <"$tmp/out")"
alice_key_id="$(json_field id <"$tmp/out")"
[[ -n "$alice_key" ]] || fail "keys create printed no api_key"

read -r status body < <(http GET "$url/api/v1/backends" "apikey $alice_key")
[[ "$status" == "200" ]] || fail "alice's key: GET /api/v1/backends: $status $body"
# Not an admin: exit 4.
expect_rc 4 "$qrt" admin users list --token "$alice_key"

expect_rc 0 "$qrt" admin instances set lab --plan open --share 2 --hard-limit 2h
expect_rc 0 "$qrt" admin instances list
grep -q "^lab .*open" "$tmp/out" || fail "instances list lacks lab: $(cat "$tmp/out")"

expect_rc 0 "$qrt" admin backends pause emu_small5
expect_rc 0 "$qrt" admin backends resume emu_small5
expect_rc 3 "$qrt" admin backends pause no_such_backend
expect_rc 3 "$qrt" admin keys create nobody

expect_rc 0 "$qrt" admin keys revoke "$alice_key_id"
read -r status body < <(http GET "$url/api/v1/backends" "apikey $alice_key")
[[ "$status" == "401" ]] || fail "a revoked key still works: $status"

expect_rc 4 "$qrt" admin users list --token not-a-key

stop_server

# --- restart: the same admin key, not printed again; alice is still there
start_server --log-level info
grep -q "admin API key" "$tmp/serve.log" && fail "a restart printed the admin key again"
[[ "$(head -n1 "$key_file")" == "$admin_key" ]] || fail "the admin key changed on restart"
export QRT_URL="$url"
expect_rc 0 "$qrt" admin users list
grep -q "alice" "$tmp/out" || fail "alice is gone after a restart"
stop_server

echo "ok"
