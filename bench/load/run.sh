#!/usr/bin/env bash
# The load benchmark: a release `qrt serve` on loopback, driven by wrk and a raw-HTTP Python client.
#   bench/load/run.sh [--duration S] [--connections C] [--wrk-threads T] [--out FILE]
# Environment: QRT_BIN (default build/release/src/cli/qrt; build it with scripts/build release),
# PYTHON (default .venv/bin/python, with qiskit and qiskit-ibm-runtime: scripts/test-python makes it).
# Needs wrk (Debian package `wrk`).
#
# Measures, each phase on a fresh data directory (bench/load/bench.toml):
#   1. GET /api/v1/jobs/{id}?exclude_params=true of one completed job, requests/s
#      (Authorization: Bearer <JWT>, as the client sends it; and once with `apikey <key>`).
#   2. POST /api/v1/jobs: durable submissions/s of a small sampler job (a Bell circuit as QPY, as
#      SamplerV2 sends it) to sim_ideal while sim_ideal is PAUSED (admin route), so that the
#      measured path is decode + validate + store + acknowledge, and the queued jobs do not compete
#      for the CPU; then the same with the backend running (jobs execute during the load).
#   3. End-to-end latency of a 2-qubit Sampler job inside an active session on emu_small5 (noisy):
#      a raw HTTP client submits and polls GET /jobs/{id} without pause until Completed
#      (p50/p90/p99), at 128 and 4096 shots; the same on sim_ideal (ideal, as the peer's Aer
#      backends are); and the official client (SamplerV2(mode=session).run().result(), 0.1 s poll
#      interval).
# Prints a Markdown report (and writes it to --out if given). Client and server share the
# machine's cores; `nproc` is in the report.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration=10
connections=64
wrk_threads=2
out=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --wrk-threads) wrk_threads=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "usage: $0 [--duration S] [--connections C] [--wrk-threads T] [--out FILE]" >&2; exit 2 ;;
    esac
done

QRT_BIN=${QRT_BIN:-build/release/src/cli/qrt}
PYTHON=${PYTHON:-.venv/bin/python}
[[ -x $QRT_BIN ]] || { echo "no $QRT_BIN (scripts/build release)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
CLIENT="$PYTHON bench/load/loadclient.py"

work=$(mktemp -d /tmp/qrt-load.XXXXXX)
server_pid=""
cleanup() {
    if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

start_server() {  # start_server <name>: sets url, key
    local dir=$work/$1
    mkdir -p "$dir"
    "$QRT_BIN" serve --data-dir "$dir/data" --port 0 --port-file "$dir/port" \
        --config bench/load/bench.toml >"$dir/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do
        [[ -s $dir/port ]] && break
        sleep 0.05
    done
    [[ -s $dir/port ]] || { cat "$dir/server.log" >&2; exit 1; }
    url="http://127.0.0.1:$(cat "$dir/port")"
    key=$(cat "$dir/data/admin.key")
}

stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
}

admin() {  # admin <method> <path>
    curl -sS -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: apikey $key" "$url/api/v1$2"
}

wrk_line() {  # the LOAD line and Requests/sec of a wrk run
    grep -E '^(LOAD|Requests/sec)' | tr '\n' ' '
}

report=$work/report.md
{
    echo "## Load benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t$wrk_threads -c$connections -d${duration}s)"
    echo
    echo "Server: \`$QRT_BIN serve --config bench/load/bench.toml\` (qrt $("$QRT_BIN" --version 2>/dev/null | head -1 || echo '?'))."
    echo
} >"$report"

# --- 1. GET /jobs/{id}
start_server get
$CLIENT payloads --url "$url" --key "$key" --out "$work/payloads" >/dev/null
job_id=$($CLIENT wait-job --url "$url" --auth "apikey $key" --body "$work/payloads/sim.json")
token=$(curl -sS -X POST "$url/identity/token" \
    --data-urlencode "grant_type=urn:ibm:params:oauth:grant-type:apikey" --data-urlencode "apikey=$key" |
    "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
get_bearer=$(JOB_PATH="/api/v1/jobs/$job_id?exclude_params=true" AUTH="Bearer $token" \
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s bench/load/get_job.lua "$url" | wrk_line)
get_apikey=$(JOB_PATH="/api/v1/jobs/$job_id?exclude_params=true" AUTH="apikey $key" \
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s bench/load/get_job.lua "$url" | wrk_line)
stop_server
{
    echo "### GET /api/v1/jobs/{id} (goal >= 20 000 req/s)"
    echo
    echo "- Bearer JWT: $get_bearer"
    echo "- apikey:     $get_apikey"
    echo
} >>"$report"

# --- 2. POST /jobs, backend paused, then running
start_server post-paused
$CLIENT payloads --url "$url" --key "$key" --out "$work/payloads" >/dev/null
[[ $(admin POST /admin/backends/sim_ideal/pause) == 204 ]] || { echo "pause failed" >&2; exit 1; }
post_paused=$(JOBS_PATH=/api/v1/jobs BODY_FILE="$work/payloads/sim.json" AUTH="Bearer $(
    curl -sS -X POST "$url/identity/token" --data-urlencode "grant_type=urn:ibm:params:oauth:grant-type:apikey" \
        --data-urlencode "apikey=$key" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')" \
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s bench/load/post_job.lua "$url" | wrk_line)
stored=$(curl -sS -H "Authorization: apikey $key" "$url/api/v1/jobs?limit=1" |
    "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["count"])')
db_size=$(du -sh "$work/post-paused/data" | cut -f1)
stop_server
start_server post-running
$CLIENT payloads --url "$url" --key "$key" --out "$work/payloads" >/dev/null
post_running=$(JOBS_PATH=/api/v1/jobs BODY_FILE="$work/payloads/sim.json" AUTH="apikey $key" \
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s bench/load/post_job.lua "$url" | wrk_line)
stop_server
{
    echo "### POST /api/v1/jobs, durable submissions (goal >= 1 000 /s)"
    echo
    echo "Body: SamplerV2 Bell circuit (QPY), 128 shots, $(wc -c <"$work/payloads/sim.json") bytes."
    echo
    echo "- sim_ideal paused: $post_paused; jobs stored afterwards: $stored; data dir $db_size"
    echo "- sim_ideal running: $post_running"
    echo
} >>"$report"

# --- 3. End-to-end latency in a session
start_server latency
$CLIENT payloads --url "$url" --key "$key" --out "$work/payloads" >/dev/null
latency_raw=$($CLIENT latency --url "$url" --auth "apikey $key" --body "$work/payloads/device.json" \
    --session emu_small5 -n 300 | grep '^latency')
$CLIENT payloads --url "$url" --key "$key" --out "$work/payloads4096" --shots 4096 >/dev/null
latency_ideal=$($CLIENT latency --url "$url" --auth "apikey $key" --body "$work/payloads/sim.json" \
    --session sim_ideal -n 300 | grep '^latency')
latency_raw4096=$($CLIENT latency --url "$url" --auth "apikey $key" --body "$work/payloads4096/device.json" \
    --session emu_small5 -n 100 | grep '^latency')
latency_client=$($CLIENT client-latency --url "$url" --key "$key" --backend emu_small5 -n 30 2>/dev/null |
    grep '^latency')
stop_server
{
    echo "### End-to-end latency, 2-qubit Sampler job in an active session on emu_small5 (goal p50 < 5 ms)"
    echo
    echo "- 128 shots, $latency_raw"
    echo "- 128 shots, ideal (sim_ideal, session opened over REST; what the peer's backends do), $latency_ideal"
    echo "- 4096 shots, $latency_raw4096"
    echo "- 128 shots, $latency_client"
    echo
} >>"$report"

cat "$report"
if [[ -n $out ]]; then cp "$report" "$out"; fi
