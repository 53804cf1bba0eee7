#!/usr/bin/env bash
# Follows README.md literally: takes the commands of its "A five-line tour" block from the README
# itself and runs them, one by one in one shell, in a fresh copy of the repository (its tracked
# files) with a fresh HOME, so the server's data directory, admin key and port are the README's
# defaults (~/.local/share/qrt, 127.0.0.1:8000). Checks that each command succeeds and prints what
# its README comment promises. Also checks that the two commands of "Two commands" are intact.
#
# Two mappings keep it fast, both things a real user has after `scripts/bootstrap && scripts/run`:
# QRT_BIN (scripts/run then starts that binary instead of building) and build/release/src/cli/qrt
# are the qrt CTest built; .venv is a view of the source tree's venv (scripts/venv finds it
# complete and runs no pip).
# It runs in a private network namespace when it can (unshare), so port 8000 is its own.
#   tests/readme/readme_tour.sh SOURCE_DIR QRT_BINARY
set -euo pipefail

src="$(cd "$1" && pwd)"
qrt_bin="$(realpath "$2")"

if [[ -z "${QRT_README_INNER:-}" ]]; then
    export QRT_README_INNER=1
    for ns in "unshare -n" "unshare -rn"; do
        if $ns sh -c 'ip link set lo up' 2>/dev/null; then
            exec $ns "$0" "$@"
        fi
    done
    echo "note: no private network namespace; using the host's port 8000" >&2
elif command -v ip >/dev/null; then
    ip link set lo up
fi

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/out.*; do
        [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
    done
    exit 1
}

readme="$src/README.md"
grep -qF 'scripts/bootstrap && scripts/run' "$readme" || fail "README lost 'scripts/bootstrap && scripts/run'"
grep -qE '^scripts/test( |$)' "$readme" || fail "README lost 'scripts/test'"

# The tour: the first ```sh block after the "## A five-line tour" heading.
mapfile -t tour < <(awk '
    /^## A five-line tour/ { section = 1; next }
    section && /^```sh/ { inside = 1; next }
    inside && /^```/ { exit }
    inside && NF { print }' "$readme")
[[ ${#tour[@]} -ge 4 && ${#tour[@]} -le 6 ]] || fail "the tour has ${#tour[@]} lines, not about five"

# A fresh copy of the repository: the tracked files as they are in the working tree.
mkdir -p "$tmp/repo" "$tmp/home"
git -C "$src" ls-files -z | (cd "$src" && tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
    tar -C "$tmp/repo" -xf -
[[ -f "$tmp/repo/README.md" ]] || fail "copying the repository failed"
mkdir -p "$tmp/repo/build/release/src/cli"
ln -s "$qrt_bin" "$tmp/repo/build/release/src/cli/qrt"
# The venv: a view of the source tree's (its interpreter and packages) with scripts/venv's stamp,
# so `scripts/venv` finds it complete and never runs pip (no network, and the shared venv is left
# alone). Without a venv in the source tree (scripts/venv never ran) the test is skipped.
if [[ ! -x "$src/.venv/bin/python" ]]; then
    echo "SKIP: no $src/.venv (run scripts/venv)"
    exit 77
fi
mkdir -p "$tmp/repo/.venv/bin"
cp "$src/.venv/pyvenv.cfg" "$tmp/repo/.venv/"
for d in lib lib64; do [[ -e "$src/.venv/$d" ]] && ln -s "$src/.venv/$d" "$tmp/repo/.venv/$d"; done
ln -s "$src/.venv/bin/python" "$tmp/repo/.venv/bin/python"
(cd "$tmp/repo" && cat python/requirements-test.txt python/pyproject.toml | sha256sum | cut -d' ' -f1) \
    >"$tmp/repo/.venv/.qrt-test-requirements"

cd "$tmp/repo"
export HOME="$tmp/home" QRT_BIN="$qrt_bin"
unset QRT_URL QRT_TOKEN QRT_API_KEY QRT_DATA_DIR

i=0
for line in "${tour[@]}"; do
    i=$((i + 1))
    out="$tmp/out.$i"
    echo "\$ $line"
    if [[ "$line" =~ \&[[:space:]]*(#.*)?$ ]]; then
        # A background command: the server. Wait for its "listening" line, as the README says.
        eval "$line" >"$out" 2>&1
        server_pid=$!
        for _ in $(seq 1 600); do
            grep -q "qrt: listening on http://127.0.0.1:8000" "$out" && break
            kill -0 "$server_pid" 2>/dev/null || fail "line $i: the server exited: $line"
            sleep 0.1
        done
        grep -q "qrt: listening on http://127.0.0.1:8000" "$out" || fail "line $i: not listening after 60 s"
        grep -q "qrt: admin API key: " "$out" || fail "line $i: the first start printed no admin key"
        [[ -s "$HOME/.local/share/qrt/admin.key" ]] || fail "line $i: no ~/.local/share/qrt/admin.key"
        continue
    fi
    rc=0
    eval "$line" >"$out" 2>&1 || rc=$?
    sed 's/^/    /' "$out" | tail -n 12
    [[ $rc -eq 0 ]] || fail "line $i exited with $rc: $line"
    # What each kind of line promises (its README comment).
    case "$line" in
        "qrt backends"*)
            for name in emu_small5 sim_ideal; do grep -q "$name" "$out" || fail "line $i: no $name"; done ;;
        "qrt run examples/bell.qasm"*)
            grep -qE '^00 ' "$out" && grep -qE '^11 ' "$out" || fail "line $i: no 00 and 11 counts"
            python3 - "$out" <<'PY' || fail "line $i: not a Bell pair"
import re, sys
counts = dict(re.findall(r"^([01]{2})\s+(\d+)", open(sys.argv[1]).read(), re.M))
counts = {k: int(v) for k, v in counts.items()}
total = sum(counts.values())
good = counts.get("00", 0) + counts.get("11", 0)
assert total > 0 and good >= 0.85 * total, counts
assert min(counts.get("00", 0), counts.get("11", 0)) >= 0.35 * total, counts
PY
            ;;
        *"qrt.connect()"*)
            for name in emu_small5 sim_ideal; do grep -q "'$name'" "$out" || fail "line $i: no $name"; done ;;
        export*) ;;
        *) fail "line $i: the test does not know what to check for: $line" ;;
    esac
done
[[ -n "$server_pid" ]] || fail "the tour started no server"
echo "ok: the README tour ran as written (${#tour[@]} lines)"
