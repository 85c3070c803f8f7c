#!/usr/bin/env bash
# Cold start: time from process start to /readyz 200, the first /mutate and /validate right after it, and throughput
# in the first 5 s after ready against the same server warm — with the warm-up (StatefulGuard:WarmupMilliseconds,
# default 1000) and without it (0). Plain HTTP on loopback, no cluster, published ReadyToRun. Not part of CI.
#
#   bench/cold-start.sh            3 starts per setting
#   COLD_SETTINGS="1000 100 1;1500 100 0" bench/cold-start.sh    other warm-up (ms) / call-counting delay (ms) /
#                                                                quick JIT (1 as shipped, the runtime's default; 0 off)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/bench/results/cold-start"
mkdir -p "$work"
. bench/lib.sh
bench_tools hey:hey
bench_publish "$work"
body="$root/bench/requests/create-statefulset.json"
port=18777
ms() { python3 -c "import sys; print(round(float(sys.argv[1]) * 1000, 1))" "$1"; }
rps() { awk '/Requests\/sec:/ {print $2}' "$1"; }

echo "| warm-up | call-counting delay | quick JIT | start to ready | first /mutate | first /validate | req/s first 5 s | req/s warm | first 5 s / warm |"
echo "|---|---|---|---|---|---|---|---|---|"
# As shipped (the runtime's defaults: call counting after 100 ms, quick JIT on), with quick JIT off (tried, not kept:
# see docs/performance.md), and without the warm-up.
IFS=';' read -r -a settings <<< "${COLD_SETTINGS:-1000 100 1;1000 100 0;0 100 1}"
for setting in "${settings[@]}"; do
  read -r warmup delay quickjit <<< "$setting"
  quickjit="${quickjit:-1}"
  for run in 1 2 3; do
    start=$(date +%s.%N)
    DOTNET_TC_CallCountingDelayMs=$delay DOTNET_TC_QuickJit=$quickjit StatefulGuard__Cluster__Source=None StatefulGuard__WarmupMilliseconds=$warmup Serilog__MinimumLevel__Default=Warning \
      "$work/publish/statefulguard" serve --urls "http://127.0.0.1:$port" > "$work/serve.log" 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.02; done
    ready=$(python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$start" "$(date +%s.%N)")
    first_mutate=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' --data-binary "@$body" "http://127.0.0.1:$port/mutate")
    first_validate=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' --data-binary "@$body" "http://127.0.0.1:$port/validate")
    hey -z 5s -c 16 -m POST -T application/json -D "$body" "http://127.0.0.1:$port/mutate" > "$work/first.txt"
    hey -z 10s -c 16 -m POST -T application/json -D "$body" "http://127.0.0.1:$port/mutate" > /dev/null
    hey -z 5s -c 16 -m POST -T application/json -D "$body" "http://127.0.0.1:$port/mutate" > "$work/warm.txt"
    kill $pid; wait $pid 2>/dev/null || true
    first=$(rps "$work/first.txt"); warm=$(rps "$work/warm.txt")
    echo "| ${warmup} ms | ${delay} ms | $([ "$quickjit" = 1 ] && echo on || echo off) | ${ready} ms | $(ms "$first_mutate") ms | $(ms "$first_validate") ms | ${first%.*} | ${warm%.*} | $(python3 -c "print(round(100 * $first / $warm))") % |"
  done
done
