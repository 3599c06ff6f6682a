#!/usr/bin/env bash
# The test command: setup, then the whole suite (debug build; the numeric
# targets are optimized in every configuration) with a fixed thread setting.
# KYMO_FUZZ_LONG=1 runs the language fuzz test with 100,000 inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export KYMO_THREADS=2
swift build --build-tests 2>&1 | tail -n 3
.build/debug/kymo data fetch
swift test 2>&1 | tee .test.log | grep -vE "^(Test Case|\[)" | tail -n 40
# The failing assertions, if any, where a reader of CI's log sees them (the
# tail above shows only the counts).
grep -E "^/.*: error: " .test.log | head -n 40 || true
# The docs' examples (DocExampleTests): how many ran, how many failed.
grep -h "^doc examples:" .test.log || echo "doc examples: not run (DocExampleTests missing from the log)"
grep -qE "Executed [1-9][0-9]* tests?, with 0 failures" .test.log
