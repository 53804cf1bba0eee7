#!/usr/bin/env bash
# Builds qrt in Release and times `qrt simulate examples/workloads/million_jobs.json`
# (about a million plain jobs on 10 backends and 300 instances, plus sessions, batches and
# calibration). Goal: under 20 s of wall time on a 2-core machine.
#
#     bench/simulate_million.sh [BUILD_DIR]     (default: build/release)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${root}/build/release}"
workload="${root}/examples/workloads/million_jobs.json"

cmake -S "${root}" -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "${build}" --target qrt >/dev/null

report="$(mktemp)"
trap 'rm -f "${report}"' EXIT
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "${report}.rss" "${build}/src/cli/qrt" simulate "${workload}" \
    --format json --out "${report}" >/dev/null
end=$(date +%s.%N)
rss_kb=$(cat "${report}.rss")
rm -f "${report}.rss"

python3 - "${report}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
j = r["jobs"]
print(f"jobs: {j['submitted']} submitted, {j['completed']} completed, "
      f"{j['cancelled']} cancelled, {j['queued_at_end'] + j['running_at_end']} unfinished; "
      f"{r['events']} driver events")
PY
echo "peak RSS: $((rss_kb / 1024)) MiB"
awk -v s="${start}" -v e="${end}" 'BEGIN { printf "wall time: %.2f s (goal: < 20 s)\n", e - s }'
