#!/usr/bin/env bash
# Policy reports at scale: the published webhook against the fake apiserver (a process of its own) holding
# 10,000 StatefulSets in 1,000 namespaces (each with its headless Service and a PodDisruptionBudget). Measures
# the time from start to the last report written, the write rate, the time from a change to the reports that
# reflect it, whether a resync of the unchanged cluster writes anything, and RSS. Not part of CI.
#
#   bench/reports.sh                                   10,000 StatefulSets, 1,000 namespaces, 500 writes/s
#   REPORTS_STATEFULSETS=2000 REPORTS_NAMESPACES=200 bench/reports.sh
#   REPORTS_WRITES_PER_SECOND=20 bench/reports.sh     the default rate (10,000 reports then take ~8 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
results="$root/bench/results"
mkdir -p "$results"
count="${REPORTS_STATEFULSETS:-10000}"
namespaces="${REPORTS_NAMESPACES:-1000}"
rate="${REPORTS_WRITES_PER_SECOND:-500}"

. bench/lib.sh
bench_tools curl:curl openssl:openssl
bench_build "$results"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "seeding the fake apiserver: $count StatefulSets in $namespaces namespaces" >&2
bench_apiserver "$results/reports-kubeconfig" --statefulsets "$count" --namespaces "$namespaces"
pids+=($api_pid)

port=18453
start_ns=$(date +%s%N)
StatefulGuard__Tls__CertFile="$results/certs/tls.crt" StatefulGuard__Tls__KeyFile="$results/certs/tls.key" \
StatefulGuard__Cluster__Source=Kubeconfig StatefulGuard__Cluster__Kubeconfig="$results/reports-kubeconfig" \
StatefulGuard__LogFormat=Json StatefulGuard__Reports__WritesPerSecond="$rate" StatefulGuard__Reports__LeaseNamespace=statefulguard \
  "$results/publish/statefulguard" serve --urls "https://127.0.0.1:$port" > "$results/reports-statefulguard.log" 2>&1 &
guard=$!; pids+=($guard)
until curl -ksf "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

metric() { # name and labels regex -> summed value
  curl -ks "https://127.0.0.1:$port/metrics" | awk -v re="^$1" '$0 ~ re {s += $NF} END {printf "%d", s}'
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

first_ms=""
while true; do
  created=$(metric 'statefulguard_report_writes_total\{format="OpenReports",verb="create"\}')
  if [ -z "$first_ms" ] && [ "$created" -gt 0 ]; then first_ms=$(ms_since "$start_ns"); fi
  [ "$created" -ge "$count" ] && break
  sleep 0.2
done
last_ms=$(ms_since "$start_ns")
rss_after_reports=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$guard/status")
writes_per_s=$(awk -v n="$count" -v a="$first_ms" -v b="$last_ms" 'BEGIN {printf "%.0f", n / ((b - a) / 1000)}')

# A change at scale: namespace db-0's Service made non-headless; its StatefulSets' reports must say fail.
in_ns=$(( (count + namespaces - 1) / namespaces ))
before=$(metric 'statefulguard_report_writes_total\{format="OpenReports",verb="update"\}')
change_ns=$(date +%s%N)
curl -sf -X PUT -H 'Content-Type: application/json' -H 'Authorization: Bearer fake-token' "$api/api/v1/namespaces/db-0/services/nginx" \
  -d '{"apiVersion":"v1","kind":"Service","metadata":{"name":"nginx","namespace":"db-0"},"spec":{"clusterIP":"10.96.0.10","type":"ClusterIP","selector":{"app.kubernetes.io/name":"web"},"ports":[{"port":80}]}}' >/dev/null
until [ "$(metric 'statefulguard_report_writes_total\{format="OpenReports",verb="update"\}')" -ge $(( before + in_ns )) ]; do sleep 0.05; done
change_ms=$(ms_since "$change_ns")

# An unchanged cluster: the initial pass is over; nothing more may be written while it stays unchanged.
writes_before=$(metric 'statefulguard_report_writes_total')
sleep 10
idle_writes=$(( $(metric 'statefulguard_report_writes_total') - writes_before ))
rss_end=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$guard/status")
peak=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$guard/status")

{
  echo "| policy reports: $count StatefulSets, $namespaces namespaces, WritesPerSecond $rate | |"
  echo "|---|---|"
  echo "| start to ready | ${ready_ms} ms |"
  echo "| start to the first report | ${first_ms} ms |"
  echo "| start to the last report | ${last_ms} ms |"
  echo "| writes per second (first to last report) | ${writes_per_s} |"
  echo "| a Service made non-headless to its $in_ns StatefulSets' reports updated | ${change_ms} ms |"
  echo "| writes in 10 s of an unchanged cluster | ${idle_writes} |"
  echo "| RSS after the last report / at the end / peak | ${rss_after_reports} / ${rss_end} / ${peak} MB |"
} | tee "$results/reports.md"
