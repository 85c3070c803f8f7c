#!/usr/bin/env bash
# Long fuzz campaigns, the same checks as the suite's fuzz tests with many more seeds. Not part of CI.
#
#   bench/fuzz.sh                         100,000 hostile AdmissionReviews, 1,000 hostile files
#   FUZZ_REVIEWS=20000 FUZZ_FILES=200 FUZZ_SEED=500000 bench/fuzz.sh
#
# Reviews (tests/StatefulGuard.Tests/Admission/HostileReviewFuzzTests.cs): POSTed to /validate and /mutate of the
# real webhook host; no 5xx, answers that pass the apiserver's checks, no rule that fails to evaluate, patches that
# apply to the object as sent (an independent RFC 6902 implementation), keep every user value, and re-mutate to
# nothing. Files (tests/StatefulGuard.Tests/Commands/CliFuzzTests.cs): audit and mutate of each, exit 0/1/2 only,
# never a stack trace, each run under 20 s and 1 GB allocated.
set -euo pipefail
cd "$(dirname "$0")/.."
results="bench/results"
mkdir -p "$results"

dotnet build -nologo -v q tests/StatefulGuard.Tests >/dev/null

run() {
  local filter="$1" log="$2"
  shift 2
  env "$@" dotnet test --no-build tests/StatefulGuard.Tests --filter "FullyQualifiedName~$filter" \
    --logger "console;verbosity=detailed" > "$log" 2>&1 || true
  grep -a -E "cases from seed|files × audit|^\s+(Passed|Failed) StatefulGuard|: [0-9]+, e\.g\." "$log" | sed 's/^ *//' || true
}

echo "## hostile AdmissionReviews" 
run Hostile_reviews_get_well_formed "$results/fuzz-reviews.log" \
  STATEFULGUARD_FUZZ_CASES="${FUZZ_REVIEWS:-100000}" STATEFULGUARD_FUZZ_SEED="${FUZZ_SEED:-0}"
echo "## hostile manifest files"
run Hostile_files_give_exit_codes "$results/fuzz-files.log" STATEFULGUARD_CLI_FUZZ_CASES="${FUZZ_FILES:-1000}"
