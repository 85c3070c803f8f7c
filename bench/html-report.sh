#!/usr/bin/env bash
# The HTML report at scale: `audit --format html` over N StatefulSets (each denied: its Service is missing; warned: no
# budget, no requests; every third on :latest), the page's size, and what headless Chromium takes to show it
# (DOMContentLoaded, load, first paint, a full layout, a namespace filter), with and without the one rendering
# trick the page uses (content-visibility on each StatefulSet's section). Not part of CI.
#
#   bench/html-report.sh              N = 1000 5000
#   BENCH_SIZES="5000" BENCH_RUNS=9 bench/html-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/bench/results/html-report"
mkdir -p "$work"
sizes="${BENCH_SIZES:-1000 5000}"
runs="${BENCH_RUNS:-5}"

. bench/lib.sh
bench_tools /usr/bin/time:time chromium:chromium

echo "building (Release)" >&2
dotnet build -c Release -nologo -v q bench/StatefulGuard.Bench >/dev/null
bench_publish "$work"
guard="$work/publish/statefulguard"
tool="bench/StatefulGuard.Bench/bin/Release/net10.0/StatefulGuard.Bench.dll"

for n in $sizes; do
  input="$work/many-$n.yaml"
  python3 - "$n" > "$input" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    tag = "latest" if i % 3 == 0 else "1.4.2"
    print(f"""---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db-{i}, namespace: team-{i % 10}}}
spec:
  serviceName: db-{i}-hs
  replicas: 3
  selector: {{matchLabels: {{app: db-{i}}}}}
  template:
    metadata: {{labels: {{app: db-{i}}}}}
    spec:
      containers:
        - name: db
          image: registry.example.com/db:{tag}
          ports: [{{name: sql, containerPort: 5432}}]""")
PY
  report="$work/report-$n.html"
  set +e
  /usr/bin/time -f "%e s, peak RSS %M KB" -o "$work/time-$n.txt" "$guard" audit --format html "$input" > "$report"
  set -e
  echo "== $n StatefulSets: audit --format html $(cat "$work/time-$n.txt"), page $(du -k "$report" | cut -f1) KB"
  dotnet "$tool" html-render --file "$report" --runs "$runs"
  dotnet "$tool" html-render --file "$report" --runs "$runs" --without " content-visibility: auto; contain-intrinsic-size: auto 220px;"
done
