#!/usr/bin/env bash
# The user verbs of `qrt` end to end against a real `qrt serve` (docs/cli.md): backends (table and
# JSON), run (Sampler and Estimator, OpenQASM 3 and 2, --wait, transpiled for a device, refused untranspiled), jobs
# list/show/result/tags/wait/cancel (a job held behind a paused backend), sessions
# create/show/close/cancel, and the exit codes (3 unknown job, 4 bad token, 2 bad file, 5 a
# cancelled job, 6 a --timeout).
#   tests/cli/user_verbs.sh QRT_BINARY
# Needs python3 (to read the JSON answers).
set -euo pipefail

qrt="$1"
here="$(cd "$(dirname "$0")" && pwd)"
bell="$here/bell.qasm"
source "$here/lib.sh"

# py EXPR: evaluates a Python expression with `d` = the JSON in $tmp/out; prints the value.
py() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$tmp/out" "$1"
}

# has FILE TEXT: FILE ($tmp/out or $tmp/err) contains TEXT.
has() {
    grep -qF -- "$2" "$tmp/$1" || fail "$1 lacks '$2': $(cat "$tmp/$1")"
}

start_server
export QRT_URL="$url" QRT_DATA_DIR="$tmp/data"
unset QRT_TOKEN QRT_API_KEY

# --- backends
expect_rc 0 "$qrt" backends
has out "NAME"
grep -qE "^sim_ideal +[0-9]+ +online +[0-9]+ +yes$" "$tmp/out" || fail "backends: $(cat "$tmp/out")"
grep -qE "^emu_small5 +5 +online +[0-9]+ +no$" "$tmp/out" || fail "backends: $(cat "$tmp/out")"
expect_rc 0 "$qrt" backends --json
[[ "$(py '[b["qubits"] for b in d["backends"] if b["name"] == "emu_small5"]')" == "[5]" ]] ||
    fail "backends --json: $(cat "$tmp/out")"

# --- run: Sampler on the ideal simulator, waiting
expect_rc 0 "$qrt" run "$bell" --backend sim_ideal --shots 1000 --wait --tag bell --json
[[ "$(py 'sorted(d["pubs"][0]["counts"]["c"])')" == "['00', '11']" ]] ||
    fail "Bell counts: $(cat "$tmp/out")"
[[ "$(py 'sum(d["pubs"][0]["counts"]["c"].values())')" == "1000" ]] || fail "shots: $(cat "$tmp/out")"
bell_job="$(py 'd["job_id"]')"
has err "DONE"  # the status line

expect_rc 0 "$qrt" run "$here/bell_qasm2.qasm" --backend sim_ideal --shots 100 --wait --json
[[ "$(py 'sorted(d["pubs"][0]["counts"]["c"])')" == "['00', '11']" ]] ||
    fail "Bell counts from OpenQASM 2: $(cat "$tmp/out")"

expect_rc 0 "$qrt" run "$bell" --backend sim_ideal --shots 100 --wait
grep -qE "^(00|11) +[0-9]+ +0\.[0-9]{4} +█" "$tmp/out" || fail "counts table: $(cat "$tmp/out")"
has out "2 outcomes, 100 shots"

# On a terminal the status line is rewritten in place: "\r" ... "clear to end of line".
if command -v script >/dev/null; then
    script -qec "\"$qrt\" run \"$bell\" --backend sim_ideal --shots 10 --wait" /dev/null \
        >"$tmp/tty" </dev/null || fail "run --wait on a terminal: $(cat "$tmp/tty")"
    grep -q $'\rDONE · [0-9]*s\e\[K' "$tmp/tty" ||
        fail "no status line rewritten in place: $(cat -A "$tmp/tty")"
fi

# --- run: Estimator (final measurements are dropped); <ZZ> of a Bell state is 1
expect_rc 0 "$qrt" run "$bell" --backend sim_ideal --observable ZZ --observable "0.5*XX - IZ" \
    --wait --json
[[ "$(py 'round(d["pubs"][0]["evs"][0], 6)')" == "1.0" ]] || fail "<ZZ>: $(cat "$tmp/out")"
[[ "$(py 'round(d["pubs"][0]["evs"][1], 6)')" == "0.5" ]] || fail "<0.5 XX - IZ>: $(cat "$tmp/out")"
expect_rc 0 "$qrt" run "$bell" --backend sim_ideal --observable ZZ --wait
grep -qE "^ZZ +1\.000000 +± 0\.000000$" "$tmp/out" || fail "evs table: $(cat "$tmp/out")"

# --- run on a device: transpiled by default; the device refuses the circuit untranspiled
expect_rc 0 "$qrt" run "$bell" --backend emu_small5 --shots 200 --wait --json
[[ "$(py 'sum(d["pubs"][0]["counts"]["c"].values())')" == "200" ]] ||
    fail "emu_small5 counts: $(cat "$tmp/out")"
[[ "$(py 'd["pubs"][0]["counts"]["c"].get("00", 0) + d["pubs"][0]["counts"]["c"].get("11", 0) > 150')" == "True" ]] ||
    fail "emu_small5 is not mostly 00/11: $(cat "$tmp/out")"
expect_rc 2 "$qrt" run "$bell" --backend emu_small5 --no-transpile
expect_rc 0 "$qrt" run "$bell" --least-busy --shots 10 --wait

# --- run without --wait: the job id, then the jobs verbs
expect_rc 0 "$qrt" run "$bell" --backend sim_ideal --shots 50
job="$(cat "$tmp/out")"
[[ "$job" == job_* ]] || fail "run printed '$job', not a job id"
expect_rc 0 "$qrt" jobs wait "$job"
has out "50 shots"
expect_rc 0 "$qrt" jobs list --limit 100 --json
[[ "$(py "'$job' in [j['id'] for j in d['jobs']]")" == "True" ]] || fail "jobs list lacks $job"
expect_rc 0 "$qrt" jobs list --tag bell
has out "$bell_job"
[[ "$(grep -c '^job_' "$tmp/out")" == "1" ]] || fail "jobs list --tag bell: $(cat "$tmp/out")"
expect_rc 0 "$qrt" jobs list --status done --backend sim_ideal
has out "$job"
expect_rc 0 "$qrt" jobs show "$job"
has out "status:    DONE"
expect_rc 0 "$qrt" jobs result "$job" --json
[[ "$(py 'sum(d["pubs"][0]["counts"]["c"].values())')" == "50" ]] || fail "jobs result: $(cat "$tmp/out")"
expect_rc 0 "$qrt" jobs tags "$job" alpha beta
expect_rc 0 "$qrt" jobs show "$job" --json
[[ "$(py 'd["tags"]')" == "['alpha', 'beta']" ]] || fail "tags: $(cat "$tmp/out")"

# --- a job held behind a paused backend: the status line says why; --timeout; cancel
expect_rc 0 "$qrt" admin backends pause emu_small5
expect_rc 0 "$qrt" run "$bell" --backend emu_small5 --shots 10
held="$(cat "$tmp/out")"
expect_rc 0 "$qrt" jobs show "$held"
has out "status:   QUEUED"
has out "paused"
expect_rc 6 "$qrt" jobs wait "$held" --timeout 1s
has err "QUEUED"
has err "paused"
has err "still QUEUED after 1s"
expect_rc 0 "$qrt" jobs cancel "$held"
expect_rc 5 "$qrt" jobs wait "$held"
has err "CANCELLED"
expect_rc 5 "$qrt" jobs result "$held"
expect_rc 0 "$qrt" admin backends resume emu_small5

# --- sessions
expect_rc 0 "$qrt" sessions create --backend sim_ideal --max-time 10m
session="$(cat "$tmp/out")"
[[ -n "$session" ]] || fail "sessions create printed no id"
expect_rc 0 "$qrt" run "$bell" --session "$session" --shots 20 --wait --json
expect_rc 0 "$qrt" jobs list --session "$session" --json
[[ "$(py 'len(d["jobs"])')" == "1" ]] || fail "jobs list --session: $(cat "$tmp/out")"
expect_rc 0 "$qrt" sessions show "$session" --json
[[ "$(py 'd["mode"], d["backend"], d["max_time_s"], d["accepting_jobs"]')" == "('dedicated', 'sim_ideal', 600.0, True)" ]] ||
    fail "sessions show: $(cat "$tmp/out")"
expect_rc 0 "$qrt" sessions close "$session"
expect_rc 0 "$qrt" sessions show "$session"
has out "accepting jobs:"
grep -q "accepting jobs: *no" "$tmp/out" || fail "a closed session accepts jobs: $(cat "$tmp/out")"
expect_rc 2 "$qrt" run "$bell" --session "$session" --shots 20
expect_rc 0 "$qrt" sessions create --backend sim_ideal --batch --json
batch="$(py 'd["id"]')"
[[ "$(py 'd["mode"]')" == "batch" ]] || fail "sessions create --batch: $(cat "$tmp/out")"
expect_rc 0 "$qrt" sessions cancel "$batch"
expect_rc 0 "$qrt" sessions show "$batch" --json
[[ "$(py 'd["state"]')" == "closed" ]] || fail "a cancelled batch: $(cat "$tmp/out")"

# --- exit codes
expect_rc 3 "$qrt" jobs show job_0000000000000000000000000000000
expect_rc 3 "$qrt" sessions show no_such_session
expect_rc 4 "$qrt" backends --token not-a-key
expect_rc 2 "$qrt" run "$tmp/missing.qasm" --backend sim_ideal
has err "qrt run: "
expect_rc 2 "$qrt" run "$here/bad.qasm" --backend sim_ideal
expect_rc 2 "$qrt" run "$bell"
has err "choose a backend"
expect_rc 2 "$qrt" run "$bell" --backend sim_ideal --least-busy
expect_rc 2 "$qrt" run "$bell" --backend sim_ideal --observable ZZZ
expect_rc 1 "$qrt" backends --url http://127.0.0.1:1 --token x
expect_rc 0 "$qrt" jobs list --instance local --tag bell
has out "$bell_job"
expect_rc 4 "$qrt" jobs list --instance nope
has err "may not use instance"
for verb in "backends" "run" "jobs list" "jobs show" "jobs result" "jobs cancel" "jobs tags" \
    "jobs wait" "sessions create" "sessions show" "sessions close" "sessions cancel"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$qrt" $verb --help
    has out "--url"
done

kill -TERM "$pid"
wait "$pid" || fail "the server exited with $? after SIGTERM"
pid=""
echo "ok"
