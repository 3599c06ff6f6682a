#!/usr/bin/env bash
# The test command: setup, then the whole suite with a fixed thread setting.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export KYMO_THREADS=2
swift build --build-tests 2>&1 | tail -n 3
swift test 2>&1 | tee .test.log | grep -vE "^(Test Case|\[)" | tail -n 40
grep -qE "with 0 failures|Executed 0 tests" .test.log && ! grep -qE "error:|failed" .test.log
