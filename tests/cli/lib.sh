# Shared by the shell tests of `qrt` (source it after `set -euo pipefail`; $qrt is the binary):
# a temporary directory removed at exit, a server started on a free port, and checks.
#
#   tmp          the temporary directory          start_server [ARGS...]  qrt serve on $tmp/data;
#   fail MSG     print MSG (+ server log), exit 1                           sets pid, port, url
#   expect_rc CODE CMD...   run CMD (stdout $tmp/out, stderr $tmp/err), check its exit code

tmp="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [[ -f "$tmp/serve.log" ]]; then
        echo "--- server log:" >&2
        tail -n 40 "$tmp/serve.log" >&2
    fi
    exit 1
}

start_server() {
    rm -f "$tmp/port"
    "$qrt" serve --data-dir "$tmp/data" --port 0 --port-file "$tmp/port" "$@" 2>"$tmp/serve.log" &
    pid=$!
    for _ in $(seq 1 600); do
        [[ -s "$tmp/port" ]] && break
        kill -0 "$pid" 2>/dev/null || fail "the server exited before listening"
        sleep 0.1
    done
    [[ -s "$tmp/port" ]] || fail "no port file after 60 s"
    port="$(cat "$tmp/port")"
    url="http://127.0.0.1:$port"
}

expect_rc() {
    local want="$1"
    shift
    local rc=0
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [[ $rc -eq $want ]] || fail "exit $rc (wanted $want) from: $* : $(cat "$tmp/out" "$tmp/err")"
}
