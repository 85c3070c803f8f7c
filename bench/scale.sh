#!/usr/bin/env bash
# Lean at cluster scale: the published webhook's time to ready and RSS against the fake apiserver (a process of
# its own, paged lists of 500 as the real apiserver serves them) holding 0 / 10k / 50k / 100k cached objects, and
# admission latency at the largest. Policy reports are off here: this measures the watch caches (bench/reports.sh
# measures the reports). Not part of CI.
#
#   bench/scale.sh                   the four sizes (about 6 minutes)
#   SCALE_SIZES="0 10000" bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
results="$root/bench/results"
mkdir -p "$results"
sizes="${SCALE_SIZES:-0 10000 50000 100000}"

. bench/lib.sh
bench_tools curl:curl hey:hey openssl:openssl
bench_build "$results"
body="$root/bench/requests/create-statefulset.json"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
port=18463

table="$results/scale.md"
{
  echo "| Services / StatefulSets / PDBs cached | start to ready | RSS at ready | RSS idle 20 s later | RSS after 20 s at 800 req/s | /validate p50 / p99 at 800 req/s |"
  echo "|---|---|---|---|---|---|"
} > "$table"

for services in $sizes; do
  statefulsets=$(( services / 5 )); budgets=$(( services / 5 )); namespaces=$(( services > 0 ? services / 100 : 1 ))
  echo "seeding: $services Services, $statefulsets StatefulSets, $budgets PodDisruptionBudgets" >&2
  bench_apiserver "$results/scale-kubeconfig" --services "$services" --statefulsets "$statefulsets" --budgets "$budgets" --namespaces "$namespaces"
  pids+=($api_pid)
  # A real apiserver is not a freshly started process: serve each list once before timing the start.
  for path in /api/v1/services /apis/apps/v1/statefulsets /apis/policy/v1/poddisruptionbudgets /api/v1/namespaces; do
    curl -sf "$api$path?limit=500" >/dev/null || true
  done

  start_ns=$(date +%s%N)
  StatefulGuard__Tls__CertFile="$results/certs/tls.crt" StatefulGuard__Tls__KeyFile="$results/certs/tls.key" \
  StatefulGuard__Cluster__Source=Kubeconfig StatefulGuard__Cluster__Kubeconfig="$results/scale-kubeconfig" \
  StatefulGuard__LogFormat=Json StatefulGuard__Reports__Format=Off \
    "$results/publish/statefulguard" serve --urls "https://127.0.0.1:$port" > "$results/scale-statefulguard.log" 2>&1 &
  guard=$!; pids+=($guard)
  until curl -ksf "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.02; done
  ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  at_ready=$(bench_rss_mb "$guard")
  sleep 20
  idle=$(bench_rss_mb "$guard")
  lat=$(hey -h2 -z 20s -c 8 -q 100 -m POST -T application/json -D "$body" "https://127.0.0.1:$port/validate" 2>&1 |
    awk '/ 50% in/ {p50=$3*1000} / 99% in/ {p99=$3*1000} END {printf "%.2f / %.2f ms", p50, p99}')
  loaded=$(bench_rss_mb "$guard")
  echo "| $services / $statefulsets / $budgets | ${ready_ms} ms | ${at_ready} MB | ${idle} MB | ${loaded} MB | $lat |" | tee -a "$table"
  kill "$guard" "$api_pid"; wait "$guard" "$api_pid" 2>/dev/null || true
done
cat "$table"
