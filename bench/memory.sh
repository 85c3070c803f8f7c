#!/usr/bin/env bash
# Memory given back: the published webhook (native unless STATEFULGUARD_BUILD=jit; TLS + HTTP/2 on loopback, no cluster)
# is measured at ready, under and after a sustained load (64 concurrent streams for 10 s), and under and after the
# hostile burst of bench/burst.sh (64 reviews of ~2.9 MB at once, then bodies over the limit), resting 60 s after each.
# Targets: RSS after load <= 100 MB, and back within 20 % of its level at ready 60 s after any load. Not part of CI.
#
#   bench/memory.sh            # the native binary
#   STATEFULGUARD_BUILD=jit bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/bench/results/memory-${STATEFULGUARD_BUILD:-native}"
mkdir -p "$work"
. bench/lib.sh
bench_tools h2load:nghttp2-client hey:hey curl:curl openssl:openssl
bench_publish "$work"
certs/generate.sh --out "$work/certs" >/dev/null 2>&1
body="$root/bench/requests/create-statefulset.json"

bench_burst_bodies "$work"

port=18445
StatefulGuard__Cluster__Source=None StatefulGuard__Tls__CertFile="$work/certs/tls.crt" StatefulGuard__Tls__KeyFile="$work/certs/tls.key" \
  Serilog__MinimumLevel__Default=Warning "$work/publish/statefulguard" serve --urls "https://127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
until curl -ksf "https://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
sleep 2
rss() { bench_rss_mb "$pid"; }
ready=$(rss)

# Samples RSS every half second into $work/peak while a load runs.
sample_peak() { echo 0 > "$work/peak"; ( while kill -0 "$pid" 2>/dev/null; do r=$(rss); [ "$r" -gt "$(cat "$work/peak")" ] && echo "$r" > "$work/peak"; sleep 0.5; done ) & sampler=$!; }
stop_peak() { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; cat "$work/peak"; }
rest() { local a b; sleep 30; a=$(rss); sleep 30; b=$(rss); echo "$a $b"; }

sample_peak
h2load -D 10 -c 8 -m 8 -t 1 -d "$body" -H 'content-type: application/json' "https://127.0.0.1:$port/mutate" > "$work/sustained.txt" 2>&1
sustained_peak=$(stop_peak); sustained_after=$(rss)
read -r sustained_30 sustained_60 <<<"$(rest)"
sustained_rps=$(awk '/finished in/ {gsub(",", "", $4); print $4}' "$work/sustained.txt" | head -n1)

sample_peak
hey -h2 -m POST -T application/json -D "$work/big.json" -c 64 -n 1000 "https://127.0.0.1:$port/mutate" > "$work/burst-big.txt"
hey -h2 -m POST -T application/json -D "$work/huge.json" -c 64 -n 300 "https://127.0.0.1:$port/mutate" > "$work/burst-huge.txt"
burst_peak=$(stop_peak); burst_after=$(rss)
read -r burst_30 burst_60 <<<"$(rest)"

within() { awk -v a="$1" -v r="$ready" 'BEGIN { printf "%+.0f %%", (a - r) * 100 / r }'; }
echo "build: ${STATEFULGUARD_BUILD:-native}; RSS at ready: $ready MB"
echo "| load | peak | right after | +30 s | +60 s | +60 s against ready |"
echo "|---|---|---|---|---|---|"
echo "| sustained: 64 streams, 10 s ($sustained_rps req/s) | $sustained_peak MB | $sustained_after MB | $sustained_30 MB | $sustained_60 MB | $(within "$sustained_60") |"
echo "| burst: 1,000 reviews of 2.9 MB and 300 over the limit, 64 at once | $burst_peak MB | $burst_after MB | $burst_30 MB | $burst_60 MB | $(within "$burst_60") |"
