#!/usr/bin/env bash
# Slow clients against admission: 1,000 TLS connections (BENCH_CONNECTIONS) from 40 addresses (BENCH_SOURCES), each declaring a 1 MB body and sending it
# at 6 KB/s, just above Kestrel's minimum data rate, reconnecting whenever answered; meanwhile real reviews over HTTP/2
# at 100 a second for 30 s. The target: real reviews keep p99 < 50 ms, none later than 10 s, none refused.
# Run once with the shipped settings, and (BENCH_BEFORE=REV) against an earlier revision for comparison. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
results="$root/bench/results/slow-clients"
mkdir -p "$results"
connections="${BENCH_CONNECTIONS:-1000}"
seconds="${BENCH_SECONDS:-30}"
# From 40 addresses, as pods would attack: one address may open only a quarter of the new connections a second.
sources="${BENCH_SOURCES:-40}"

. bench/lib.sh
bench_tools openssl:openssl curl:curl
bench_build "$results"
bench_dll="$root/bench/StatefulGuard.Bench/bin/Release/net10.0/StatefulGuard.Bench.dll"
body="$root/bench/requests/create-statefulset.json"
port=18453
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is already in use (a server from an earlier run?): stop it first" >&2
  exit 1
fi
# Each trickling connection is a file descriptor on both sides.
ulimit -n $((connections * 4 + 1024)) 2>/dev/null || true

# The attacker and the measuring client are on other machines in a cluster: here they get a core of their own and the
# webhook the other one (half of what the other benchmarks give it), so their TLS work is not counted as the webhook's.
server_cpu=""; client_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then server_cpu="taskset -c 0"; client_cpu="taskset -c 1-$(($(nproc) - 1))"; fi
StatefulGuard__Tls__CertFile="$results/certs/tls.crt" StatefulGuard__Tls__KeyFile="$results/certs/tls.key" \
StatefulGuard__Cluster__Source=None StatefulGuard__LogFormat=Json \
  $server_cpu "$results/publish/statefulguard" serve --urls "https://127.0.0.1:$port" > "$results/statefulguard.log" 2>&1 &
guard=$!
trap 'kill $guard 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -skf "https://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

# The hostile clients and the measured reviews run as processes of their own: in one process, the 1,000 trickling
# tasks would delay the measuring client's own work and count it as the webhook's latency.
# The measuring client connects first, as the apiserver has its connections open before anyone attacks the webhook.
rm -f "$results/go"
$client_cpu dotnet "$bench_dll" slow-clients measure --url "https://127.0.0.1:$port" --ca "$results/certs/ca.crt" --body "$body" \
  --seconds "$seconds" --rate 100 --start-after "$results/go" > "$results/summary.json" 2> "$results/measure.log" &
measure=$!
for _ in $(seq 600); do grep -q '^warm' "$results/measure.log" && break; sleep 0.1; done
$client_cpu dotnet "$bench_dll" slow-clients trickle --url "https://127.0.0.1:$port" --ca "$results/certs/ca.crt" \
  --connections "$connections" --sources "$sources" --trickle-bytes 6144 > "$results/trickle.log" 2>&1 &
trickle=$!
trap 'kill $trickle $measure $guard 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1200); do grep -q '^open' "$results/trickle.log" && break; sleep 0.1; done
grep -q '^open' "$results/trickle.log" || { echo "the trickling clients did not all connect" >&2; exit 1; }
echo "rss_mb_under_attack_before $(bench_rss_mb $guard)"
touch "$results/go"
wait $measure
cat "$results/summary.json"
tail -n 1 "$results/trickle.log"
echo "rss_mb $(bench_rss_mb $guard)" | tee -a "$results/summary.json"
dropped=$(curl -sk "https://127.0.0.1:$port/metrics" | grep -E '^statefulguard_admission_dropped_total|^system_runtime_dotnet_gc_pause_time|^system_runtime_dotnet_gc_collections|^system_runtime_dotnet_gc_heap_total_allocated' || true)
echo "$dropped" | tee -a "$results/summary.json"
