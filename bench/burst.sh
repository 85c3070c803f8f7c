#!/usr/bin/env bash
# RSS after a hostile burst: the published webhook (plain HTTP on loopback, no cluster) takes a warm-up of normal
# reviews, then a burst of the largest reviews it accepts (about 2.9 MB each, 64 at once) and of bodies over the limit
# (413), then rests. Prints RSS at rest before, at the peak, and 30 s and 60 s after the burst. Not part of CI.
#
#   bench/burst.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/bench/results/burst"
mkdir -p "$work"
. bench/lib.sh
bench_tools hey:hey
bench_publish "$work"

port=18443
bench_burst_bodies "$work"

StatefulGuard__Cluster__Source=None Serilog__MinimumLevel__Default=Warning \
  "$work/publish/statefulguard" serve --urls "http://127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.2; done

rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status"; }
post() { hey -m POST -T application/json -D "$1" -c "$2" -n "$3" "http://127.0.0.1:$port/mutate" > "$work/hey-$(basename "$1")-$3.txt"; }

post "$root/bench/requests/create-statefulset.json" 16 20000
sleep 10
before=$(rss)
peak=$before
( while kill -0 $pid 2>/dev/null; do r=$(rss); [ "$r" -gt "$(cat "$work/peak" 2>/dev/null || echo 0)" ] && echo "$r" > "$work/peak"; sleep 0.5; done ) &
sampler=$!
post "$work/big.json" 64 2000
post "$work/huge.json" 64 500
sleep 1
kill $sampler 2>/dev/null || true
peak=$(cat "$work/peak"); rm -f "$work/peak"
after0=$(rss)
sleep 30
after30=$(rss)
sleep 30
after60=$(rss)
sleep 60
after120=$(rss)
codes=$(grep -h -A3 "Status code distribution" "$work"/hey-big.json-2000.txt "$work"/hey-huge.json-500.txt | grep -o '\[[0-9]*\][^r]*responses' | tr '\n' ' ')
echo "| RSS at rest before | peak during the burst | right after | +30 s | +60 s | +120 s | answers in the burst |"
echo "|---|---|---|---|---|---|---|"
echo "| $before MB | $peak MB | $after0 MB | $after30 MB | $after60 MB | $after120 MB | $codes |"
