#!/usr/bin/env bash
# Load benchmark: StatefulGuard against a do-nothing ASP.NET webhook (the floor), both on this machine in
# the same run, over TLS + HTTP/2 as the apiserver calls them, with a realistic defaulted StatefulSet.
# Prints a Markdown table (also written to bench/results/summary.md). Not part of CI.
#
#   bench/run.sh                 full run (about 9 minutes on 2 cores, micro-benchmarks included)
#   BENCH_QUICK=1 bench/run.sh   shorter phases, for a smoke run
#   BENCH_MICRO=0 bench/run.sh   skip the BenchmarkDotNet micro-benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
results="$root/bench/results"
mkdir -p "$results"

quick="${BENCH_QUICK:-0}"
requests=$([ "$quick" = 1 ] && echo 20000 || echo 100000)
latency_time=$([ "$quick" = 1 ] && echo 5s || echo 20s)
warmup_time=$([ "$quick" = 1 ] && echo 10 || echo 20)

. bench/lib.sh
bench_tools h2load:nghttp2-client hey:hey curl:curl openssl:openssl
bench_build "$results"
guard_bin="$results/publish/statefulguard"
bench_dll="$root/bench/StatefulGuard.Bench/bin/Release/net10.0/StatefulGuard.Bench.dll"
body="$root/bench/requests/create-statefulset.json"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The fake apiserver listens on a new port each time: wait for its own kubeconfig, not one left by an earlier run.
bench_apiserver "$results/kubeconfig"
pids+=($api_pid)

# A real apiserver is not a freshly started process: serve each list once before timing StatefulGuard's start.
for path in /version /api/v1/namespaces /api/v1/services /api/v1/services /apis/apps/v1/statefulsets \
            /apis/policy/v1/poddisruptionbudgets /apis/storage.k8s.io/v1/storageclasses; do
  curl -sf -H 'Authorization: Bearer fake-token' "$api$path" >/dev/null || true
done

guard_port=18443; floor_port=18444
# A server left over from another run on these ports would be measured instead of this build's.
for port in $guard_port $floor_port; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use (a server from an earlier run?): stop it first" >&2
    exit 1
  fi
done
start_guard() {
  StatefulGuard__Tls__CertFile="$results/certs/tls.crt" StatefulGuard__Tls__KeyFile="$results/certs/tls.key" \
  StatefulGuard__Cluster__Source=Kubeconfig StatefulGuard__Cluster__Kubeconfig="$results/kubeconfig" \
  StatefulGuard__LogFormat=Json \
    "$guard_bin" serve --urls "https://127.0.0.1:$guard_port" > "$results/statefulguard.log" 2>&1 &
  guard_pid=$!
}
h2() { # port path amount (-n requests, or -D seconds) -> requests/s; 16 connections of 8 streams each
  h2load $3 -c 16 -m 8 -t 1 -d "$body" -H 'content-type: application/json' "https://127.0.0.1:$1$2" 2>&1 |
    tee -a "$results/h2load.log" | awk '/finished in/ {gsub(",", "", $4); print $4}' | head -n1
}
first() { # port path -> ms from the TLS connection made to the whole answer read
  curl -ks --http2 -o /dev/null -w '%{time_pretransfer} %{time_total}\n' -H 'content-type: application/json' --data-binary "@$body" \
    "https://127.0.0.1:$1$2" | awk '{printf "%.1f", ($2 - $1) * 1000}'
}
# Start to ready (process start to /readyz 200, every cache listed): the median of three starts.
starts=(); first_mutate=(); first_validate=(); first5_all=()
for attempt in 1 2 3; do
  start_ns=$(date +%s%N)
  start_guard
  until curl -ksf "https://127.0.0.1:$guard_port/readyz" >/dev/null 2>&1; do sleep 0.01; done
  starts+=($(( ($(date +%s%N) - start_ns) / 1000000 )))
  # Cold start, as a new replica meets the apiserver: the first /mutate and /validate right after ready (from the TLS
  # connection made to the answer read: the request and its answer, not the handshake), then throughput in the first 5 s.
  first_mutate+=($(first "$guard_port" /mutate)); first_validate+=($(first "$guard_port" /validate))
  first5_all+=($(h2 "$guard_port" /mutate "-D 5"))
  if [ "$attempt" -lt 3 ]; then kill "$guard_pid"; wait "$guard_pid" 2>/dev/null || true; fi
done
pids+=($guard_pid)
ready_ms=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 2p)

dotnet "$bench_dll" floor --urls "https://127.0.0.1:$floor_port" --cert "$results/certs/tls.crt" --key "$results/certs/tls.key" > "$results/floor.log" 2>&1 &
floor_pid=$!; pids+=($floor_pid)
until curl -ksf "https://127.0.0.1:$floor_port/readyz" >/dev/null 2>&1; do sleep 0.05; done

latency() { # port path -> "p50 p99" in ms at 800 req/s (8 workers x 100 req/s)
  hey -h2 -z "$latency_time" -c 8 -q 100 -m POST -T application/json -D "$body" "https://127.0.0.1:$1$2" 2>&1 |
    tee -a "$results/hey.log" |
    awk '/ 50% in/ {p50=$3*1000} / 99% in/ {p99=$3*1000} END {printf "%.2f %.2f", p50, p99}'
}

# Warm-up by time, not by count: both servers must reach their fully optimised code (tiered compilation
# with dynamic PGO takes several seconds of load) before anything is measured, or the ratio flatters StatefulGuard.
warm() { h2 "$1" "$2" "-D $warmup_time" >/dev/null; }
echo "warming up (${warmup_time}s per endpoint)" >&2
warm "$floor_port" /mutate; warm "$guard_port" /mutate; warm "$guard_port" /validate
: > "$results/h2load.log"; : > "$results/hey.log"

# Three rounds, floor and StatefulGuard in turn within each, and the median of each measure: the load
# generator shares the two cores with the servers, and a single run swings by several points.
rounds=3
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
floor_rps_all=(); mutate_rps_all=(); validate_rps_all=()
echo "throughput ($rounds rounds of $requests requests each)" >&2
for _ in $(seq $rounds); do
  floor_rps_all+=("$(h2 "$floor_port" /mutate "-n $requests")")
  mutate_rps_all+=("$(h2 "$guard_port" /mutate "-n $requests")")
  validate_rps_all+=("$(h2 "$guard_port" /validate "-n $requests")")
done
failures=$(grep -Eo '[0-9]+ failed' "$results/h2load.log" | awk '{s+=$1} END {print s+0}')
floor_rps=$(median "${floor_rps_all[@]}"); mutate_rps=$(median "${mutate_rps_all[@]}"); validate_rps=$(median "${validate_rps_all[@]}")

echo "latency at 800 req/s ($rounds rounds of $latency_time each)" >&2
floor_p50s=(); floor_p99s=(); mutate_p50s=(); mutate_p99s=(); validate_p50s=(); validate_p99s=()
for _ in $(seq $rounds); do
  read -r a b <<<"$(latency "$floor_port" /mutate)"; floor_p50s+=("$a"); floor_p99s+=("$b")
  read -r a b <<<"$(latency "$guard_port" /mutate)"; mutate_p50s+=("$a"); mutate_p99s+=("$b")
  read -r a b <<<"$(latency "$guard_port" /validate)"; validate_p50s+=("$a"); validate_p99s+=("$b")
done
floor_p50=$(median "${floor_p50s[@]}"); floor_p99=$(median "${floor_p99s[@]}")
mutate_p50=$(median "${mutate_p50s[@]}"); mutate_p99=$(median "${mutate_p99s[@]}")
validate_p50=$(median "${validate_p50s[@]}"); validate_p99=$(median "${validate_p99s[@]}")
guard_rss=$(bench_rss_mb "$guard_pid"); floor_rss=$(bench_rss_mb "$floor_pid")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f %%", 100*a/b}'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a/b}'; }
{
  echo "| measure | floor | /validate | /mutate | target |"
  echo "|---|---|---|---|---|"
  printf "| throughput (req/s, h2load -c 16 -m 8, median) | %.0f | %.0f (%s) | %.0f (%s) | /mutate ≥ 60 %% of floor |\n" \
    "$floor_rps" "$validate_rps" "$(ratio "$validate_rps" "$floor_rps")" "$mutate_rps" "$(ratio "$mutate_rps" "$floor_rps")"
  echo "| p50 at 800 req/s (ms, median) | $floor_p50 | $validate_p50 | $mutate_p50 | |"
  echo "| p99 at 800 req/s (ms, median) | $floor_p99 | $validate_p99 ($(times "$validate_p99" "$floor_p99")) | $mutate_p99 ($(times "$mutate_p99" "$floor_p99")) | ≤ 1.5× floor |"
  echo "| RSS after load (MB) | $floor_rss | $guard_rss | | < 150 MB |"
  echo "| start to ready (ms, median of ${starts[*]}) | | $ready_ms | | < 2000 ms |"
  echo "| first admission after ready (ms, each start) | | ${first_validate[*]} | ${first_mutate[*]} | ≤ 10 ms |"
  echo "| /mutate in the first 5 s after ready (req/s, each start; of the warm median) | | | ${first5_all[*]} ($(ratio "$(median "${first5_all[@]}")" "$mutate_rps") of warm) | ≥ 60 % of warm |"
  echo "| failed requests | | $failures | | 0 |"
  echo
  echo "Medians of $rounds rounds. Rounds, req/s: floor ${floor_rps_all[*]}; /validate ${validate_rps_all[*]}; /mutate ${mutate_rps_all[*]}."
  echo "Rounds, p99 ms: floor ${floor_p99s[*]}; /validate ${validate_p99s[*]}; /mutate ${mutate_p99s[*]}."
} | tee "$results/summary.md"

if [ "${BENCH_MICRO:-1}" = 1 ]; then
  echo "micro-benchmarks (BenchmarkDotNet, short job)" >&2
  (cd "$results" && STATEFULGUARD_BENCH_REQUEST="$body" dotnet "$bench_dll" micro --filter '*' --job short --artifacts "$results/micro" 2>&1 |
     grep -E '^\|' | tee "$results/micro.md")
fi
