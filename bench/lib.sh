# Shared by the benchmark scripts: source it after `cd` to the repository root.

# As the image and the Deployment run it: gen0 at 16 MiB (hex), not sized from the L3 cache (docs/performance.md).
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-1000000}"

# Installs what is missing of the given commands from the distribution (command:package pairs), so a fresh machine
# needs nothing by hand.
bench_tools() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# Publishes statefulguard into $1/publish (an empty directory, because publishing copies a package's file only when it
# is newer than the one already there): the native binary, as the Dockerfile ships it, or with STATEFULGUARD_BUILD=jit
# the JIT build (ReadyToRun, framework-dependent) for comparison. Either way $1/publish/statefulguard runs it.
# STATEFULGUARD_PUBLISH_ARGS adds MSBuild properties (the native build's settings, for instance).
bench_publish() {
  rm -rf "$1/publish"
  mkdir -p "$1"
  local out; out="$(cd "$1" && pwd)/publish"
  if [ "${STATEFULGUARD_BUILD:-native}" = jit ]; then
    # Another package graph than the lock files' (no native compiler): published from a copy of the sources, whose
    # lock files the restore may rewrite, so the working tree's stay untouched.
    local tree; tree="$(mktemp -d)"
    tar -c --exclude=bin --exclude=obj Directory.Build.props Directory.Packages.props .editorconfig .config src | tar -x -C "$tree"
    # shellcheck disable=SC2086
    (cd "$tree" && dotnet publish src/StatefulGuard -c Release -r linux-x64 -p:PublishAot=false --self-contained false \
       -p:PublishReadyToRun=true ${STATEFULGUARD_PUBLISH_ARGS:-} -nologo -v q -o "$out" >/dev/null)
    rm -rf "$tree"
  else
    bench_tools clang:clang
    [ -e /usr/include/zlib.h ] || bench_tools zlib-headers-missing:zlib1g-dev
    # shellcheck disable=SC2086
    dotnet publish src/StatefulGuard -c Release -r linux-x64 ${STATEFULGUARD_PUBLISH_ARGS:-} -nologo -v q -o "$out" >/dev/null
  fi
}

# Builds the benchmark tool, publishes statefulguard into $1/publish and makes a serving certificate in $1/certs.
bench_build() {
  echo "building (Release; statefulguard published ${STATEFULGUARD_BUILD:-native})" >&2
  dotnet build -c Release -nologo -v q bench/StatefulGuard.Bench >/dev/null
  bench_publish "$1"
  certs/generate.sh --out "$1/certs" >/dev/null 2>&1
}

# Starts the fake apiserver (extra arguments seed it) and waits for the kubeconfig it writes to $1; sets api_pid and api.
bench_apiserver() {
  local kubeconfig="$1"; shift
  rm -f "$kubeconfig"
  dotnet bench/StatefulGuard.Bench/bin/Release/net10.0/StatefulGuard.Bench.dll fake-apiserver --kubeconfig "$kubeconfig" "$@" \
    > "${kubeconfig}.log" 2>&1 &
  api_pid=$!
  local _
  for _ in $(seq 3000); do [ -s "$kubeconfig" ] && break; sleep 0.1; done
  api=$(awk '/server:/ {print $2; exit}' "$kubeconfig")
}

# Writes the hostile burst's bodies into $1, from the benchmark review: big.json, the largest review the webhook takes
# (MaxRequestBodyBytes is 3 MiB: a 2.8 MB annotation), and huge.json, over the limit.
bench_burst_bodies() {
  python3 - "bench/requests/create-statefulset.json" "$1" <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
for name, size in (("big", 2_800_000), ("huge", 5_000_000)):
    body = json.loads(json.dumps(review))
    body["request"]["object"]["metadata"].setdefault("annotations", {})["bulk"] = "x" * size
    json.dump(body, open(f"{sys.argv[2]}/{name}.json", "w"))
PY
}

# The resident memory of process $1, in MB (rounded).
bench_rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
