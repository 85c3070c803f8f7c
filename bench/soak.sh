#!/usr/bin/env bash
# Soak: 100,000 /mutate and /validate requests over TLS + HTTP/2; RSS after 50,000 and after 100,000 must be
# within 10 % of each other (no leak). Not part of CI. Reuses what bench/run.sh builds.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"; results="$root/bench/results"; mkdir -p "$results"
. bench/lib.sh
bench_tools h2load:nghttp2-client

bench_build "$results"
body="$root/bench/requests/create-statefulset.json"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
# The fake apiserver listens on a new port each time: wait for its own kubeconfig, not one left by an earlier run.
rm -f "$results/soak-kubeconfig"
dotnet bench/StatefulGuard.Bench/bin/Release/net10.0/StatefulGuard.Bench.dll fake-apiserver --kubeconfig "$results/soak-kubeconfig" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$results/soak-kubeconfig" ] && break; sleep 0.1; done
port=18543
StatefulGuard__Tls__CertFile="$results/certs/tls.crt" StatefulGuard__Tls__KeyFile="$results/certs/tls.key" \
StatefulGuard__Cluster__Source=Kubeconfig StatefulGuard__Cluster__Kubeconfig="$results/soak-kubeconfig" StatefulGuard__LogFormat=Json \
  "$results/publish/statefulguard" serve --urls "https://127.0.0.1:$port" > "$results/soak.log" 2>&1 &
pid=$!; pids+=($pid)
until curl -ksf "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done

batch() { # 50,000 requests, alternating endpoints
  for path in /mutate /validate; do
    h2load -n 25000 -c 16 -m 8 -t 1 -d "$body" -H 'content-type: application/json' "https://127.0.0.1:$port$path" |
      awk '/requests:/ {print "  " $0}'
  done
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
batch; first=$(rss)
batch; second=$(rss)
awk -v a="$first" -v b="$second" 'BEGIN {
  d = (b - a) / a * 100; printf "RSS after 50,000: %.0f MB, after 100,000: %.0f MB (%+.1f %%)\n", a/1024, b/1024, d
  exit (d > 10 || d < -10) }'
