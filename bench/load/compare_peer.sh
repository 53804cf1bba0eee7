#!/usr/bin/env bash
# The load benchmark's client workload against gyu-don/qiskit-runtime-server (a Python FastAPI
# emulator of the same REST API, executing with Qiskit Aer), for comparison with bench/load/run.sh.
#   bench/load/compare_peer.sh PEER_CHECKOUT PEER_PYTHON [--duration S] [--connections C] [--out FILE]
# PEER_CHECKOUT: a checkout of https://github.com/gyu-don/qiskit-runtime-server (not part of qrt;
#   nothing of it is committed here). PEER_PYTHON: a Python with it installed, e.g.
#     git clone https://github.com/gyu-don/qiskit-runtime-server /tmp/peer
#     python3 -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install /tmp/peer
#     bench/load/compare_peer.sh /tmp/peer /tmp/peer-venv/bin/python
# The peer is started as its README says (uvicorn app:app, app.py = the CPU part of its
# app.example.py: one Aer executor), one worker (its job and session state is in-process memory), on loopback.
# The peer's pinned dependencies (its uv.lock: qiskit 2.2.3, qiskit-ibm-runtime 0.43.1, qiskit-aer
# 0.17.2, fastapi 0.123.8, uvicorn 0.38.0) are needed: it does not start with qiskit-ibm-runtime
# 0.51 (RuntimeEncoder moved), and its Qiskit 2.2 reads QPY <= 16 while the 0.51 client sends 17.
# So the job bodies and the official-client run against the peer use PEER_PYTHON (client 0.43.1).
# Workload, as in run.sh (same wrk scripts, same raw client, bodies made by the official client):
#   GET /v1/jobs/{id}; POST /v1/jobs of a Bell sampler job to statevector_simulator@aer (the peer
#   cannot pause a backend: its worker executes the jobs during the load; its store is memory,
#   not durable); latency of a Bell job in a dedicated session on fake_manila@aer (5 qubits),
#   raw HTTP with tight polling, and through the official client with the peer's own connection
#   helper (examples/local_service_helper.py, which monkey-patches the client).
# The peer accepts any credentials; no auth header is sent. Its Aer executor simulates every
# backend ideally (AerSimulator(method="statevector") with no noise model, whatever fake device
# is named), so its latency compares with qrt's sim_ideal line, not with the noisy emu_small5.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

[[ $# -ge 2 ]] || { sed -n 2,20p "$0" >&2; exit 2; }
peer=$(cd "$1" && pwd)
peer_python=$2
shift 2
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
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
PYTHON=${PYTHON:-.venv/bin/python}
CLIENT="$PYTHON bench/load/loadclient.py"

work=$(mktemp -d /tmp/peer-load.XXXXXX)
server_pid=""
cleanup() {
    if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
start_peer() {
    # app.example.py's CPU part (its cuStateVec part needs cuQuantum and a GPU).
    cat >"$work/app.py" <<'PY'
from qiskit_runtime_server import create_app
from qiskit_runtime_server.executors import AerExecutor

app = create_app(executors={"aer": AerExecutor(shots=1024, seed_simulator=None,
                                               max_parallel_threads=0)})
PY
    "$peer_python" -m uvicorn app:app --app-dir "$work" --host 127.0.0.1 --port "$port" \
        --log-level warning >"$work/peer.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 600); do
        curl -sf "$url/" >/dev/null 2>&1 && return
        sleep 0.1
    done
    cat "$work/peer.log" >&2
    exit 1
}
stop_peer() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
}
wrk_line() { grep -E '^(LOAD|Requests/sec)' | tr '\n' ' '; }

PEER_CLIENT="$peer_python bench/load/loadclient.py"
$PEER_CLIENT payloads --peer --out "$work/payloads" >/dev/null
$PEER_CLIENT payloads --peer --out "$work/payloads4096" --shots 4096 >/dev/null

start_peer
job_id=$($CLIENT wait-job --url "$url" --prefix /v1 --body "$work/payloads/sim.json")
get=$(JOB_PATH="/v1/jobs/$job_id" AUTH="" \
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s bench/load/get_job.lua "$url" | wrk_line)
stop_peer

start_peer
post=$(JOBS_PATH=/v1/jobs BODY_FILE="$work/payloads/sim.json" AUTH="" \
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s bench/load/post_job.lua "$url" | wrk_line)
stop_peer

start_peer
latency_raw=$($CLIENT latency --url "$url" --prefix /v1 --body "$work/payloads/device.json" \
    --session fake_manila@aer -n 100 | grep '^latency')
latency_raw4096=$($CLIENT latency --url "$url" --prefix /v1 --body "$work/payloads4096/device.json" \
    --session fake_manila@aer -n 50 | grep '^latency')
latency_client=$($PEER_CLIENT client-latency --peer-helper "$peer/examples/local_service_helper.py" \
    --url "$url" --backend fake_manila@aer -n 30 2>/dev/null | grep '^latency' || echo "failed")
stop_peer

report=$work/report.md
{
    echo "## Peer: gyu-don/qiskit-runtime-server $(git -C "$peer" rev-parse --short HEAD 2>/dev/null || echo '(no git)') ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t$wrk_threads -c$connections -d${duration}s)"
    echo
    echo "- GET /v1/jobs/{id}: $get"
    echo "- POST /v1/jobs (statevector_simulator@aer, executing, in memory): $post"
    echo "- latency in a session on fake_manila@aer, 128 shots, $latency_raw"
    echo "- latency in a session on fake_manila@aer, 4096 shots, $latency_raw4096"
    echo "- latency, 128 shots, $latency_client"
} >"$report"
cat "$report"
if [[ -n $out ]]; then cp "$report" "$out"; fi
