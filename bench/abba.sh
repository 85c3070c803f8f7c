#!/usr/bin/env bash
# Paired comparison of two builds of StatefulGuard: does a change pay? Each build is a git revision (a branch, a
# commit, or WORKTREE for the working tree), published as shipped (native), or as BENCH_A_BUILD / BENCH_B_BUILD say
# (native or jit), with BENCH_A_ARGS / BENCH_B_ARGS added to its publish (MSBuild properties: to compare settings of one
# revision, name it twice). The servers run one at a time, in the
# order A B B A (repeated BENCH_PAIRS times, default 2), each started fresh, warmed, then measured on /mutate and
# /validate: throughput (h2load), server CPU per admission (utime + stime from /proc) and RSS after the load.
# Alternating cancels the drift of a shared 2-core machine. Prints a Markdown table per build (medians). Not CI.
#
#   bench/abba.sh main my-branch          A = main, B = my-branch
#   BENCH_PAIRS=3 bench/abba.sh HEAD~1 WORKTREE
#   BENCH_A_BUILD=jit bench/abba.sh HEAD HEAD                      the JIT build against the native one
#   BENCH_B_ARGS=-p:IlcInstructionSet=x86-64-v3 bench/abba.sh HEAD HEAD
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
[ $# -eq 2 ] || { echo "usage: bench/abba.sh REV_A REV_B (WORKTREE = the working tree)" >&2; exit 2; }
results="$root/bench/results/abba"
mkdir -p "$results"
pairs="${BENCH_PAIRS:-2}"
requests="${BENCH_REQUESTS:-100000}"
body="$root/bench/requests/create-statefulset.json"

. bench/lib.sh
bench_tools h2load:nghttp2-client curl:curl openssl:openssl
echo "building the fake apiserver and both revisions" >&2
dotnet build -c Release -nologo -v q bench/StatefulGuard.Bench >/dev/null
certs/generate.sh --out "$results/certs" >/dev/null 2>&1

publish_rev() { # rev label
  local rev="$1" label="$2" tree="$results/tree-$2" build_var="BENCH_$2_BUILD" args_var="BENCH_$2_ARGS"
  export STATEFULGUARD_BUILD="${!build_var:-native}" STATEFULGUARD_PUBLISH_ARGS="${!args_var:-}"
  if [ "$rev" = WORKTREE ]; then
    (bench_publish "$results/$label")
  else
    rm -rf "$tree"; git worktree prune
    git worktree add -q --detach "$tree" "$rev"
    (cd "$tree" && bench_publish "$results/$label")
    git worktree remove --force "$tree"
  fi
  if [ "$rev" = WORKTREE ]; then echo "$(git rev-parse --short HEAD)+worktree"; else git rev-parse --short "$rev"; fi > "$results/$label/REVISION"
  echo "$STATEFULGUARD_BUILD $STATEFULGUARD_PUBLISH_ARGS" >> "$results/$label/REVISION"
}
publish_rev "$1" A
publish_rev "$2" B

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
bench_apiserver "$results/kubeconfig"
pids+=($api_pid)

port=18453
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
h2() { h2load -n "$requests" -c 16 -m 8 -t 1 -d "$body" -H 'content-type: application/json' "https://127.0.0.1:$port$1" 2>&1; }

: > "$results/rounds.tsv"
run() { # label
  StatefulGuard__Tls__CertFile="$results/certs/tls.crt" StatefulGuard__Tls__KeyFile="$results/certs/tls.key" \
  StatefulGuard__Cluster__Source=Kubeconfig StatefulGuard__Cluster__Kubeconfig="$results/kubeconfig" \
  StatefulGuard__LogFormat=Json \
    "$results/$1/publish/statefulguard" serve --urls "https://127.0.0.1:$port" > "$results/$1.log" 2>&1 &
  local pid=$!; pids+=($pid)
  until curl -ksf "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "build $1 exited before it was ready: see $results/$1.log" >&2; exit 1; }
    sleep 0.05
  done
  h2load -D 15 -c 16 -m 8 -t 1 -d "$body" -H 'content-type: application/json' "https://127.0.0.1:$port/mutate" >/dev/null 2>&1
  h2load -D 5 -c 16 -m 8 -t 1 -d "$body" -H 'content-type: application/json' "https://127.0.0.1:$port/validate" >/dev/null 2>&1
  local path line ticks rps
  for path in /mutate /validate; do
    ticks=$(cpu_ticks "$pid")
    line=$(h2 "$path")
    rps=$(awk '/finished in/ {gsub(",", "", $4); print $4}' <<<"$line" | head -n1)
    ticks=$(( $(cpu_ticks "$pid") - ticks ))
    grep -q " 0 failed" <<<"$line" || { echo "$1 $path: failed requests" >&2; echo "$line" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\n' "$1" "$path" "$rps" \
      "$(awk -v t="$ticks" -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", 1e6 * t / hz / n}')" >> "$results/rounds.tsv"
  done
  printf '%s\trss\t%s\t\n' "$1" "$(bench_rss_mb "$pid")" >> "$results/rounds.tsv"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for _ in $(seq "$pairs"); do
  for label in A B B A; do echo "round: $label" >&2; run "$label"; done
done

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
col() { awk -F'\t' -v l="$1" -v p="$2" -v c="$3" '$1 == l && $2 == p {print $c}' "$results/rounds.tsv"; }
{
  echo "| build | /mutate req/s | /mutate CPU µs | /validate req/s | /validate CPU µs | RSS after load (MB) |"
  echo "|---|---|---|---|---|---|"
  for label in A B; do
    printf '| %s %s | %s | %s | %s | %s | %s |\n' "$label" "$(tr '\n' ' ' < "$results/$label/REVISION")" \
      "$(col $label /mutate 3 | median)" "$(col $label /mutate 4 | median)" \
      "$(col $label /validate 3 | median)" "$(col $label /validate 4 | median)" "$(col $label rss 3 | median)"
  done
  echo
  echo "Medians of $(( pairs * 2 )) runs each, order A B B A × $pairs; every run in bench/results/abba/rounds.tsv."
} | tee "$results/summary.md"
