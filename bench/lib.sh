# Shared by the benchmark scripts: source it after `cd` to the repository root.

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
  local build=(-p:PublishAot=true)
  if [ "${STATEFULGUARD_BUILD:-native}" = jit ]; then
    # Another package graph than the lock files' (no native compiler): restored without them, which stay untouched.
    build=(-p:PublishAot=false --self-contained false -p:PublishReadyToRun=true -p:RestorePackagesWithLockFile=false)
  else
    bench_tools clang:clang
    [ -e /usr/include/zlib.h ] || bench_tools zlib-headers-missing:zlib1g-dev
  fi
  # shellcheck disable=SC2086
  dotnet publish src/StatefulGuard -c Release -r linux-x64 "${build[@]}" ${STATEFULGUARD_PUBLISH_ARGS:-} -nologo -v q -o "$1/publish" >/dev/null
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

# The resident memory of process $1, in MB (rounded).
bench_rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
