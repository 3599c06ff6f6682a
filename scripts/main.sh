#!/usr/bin/env bash
# The main job: setup, release build, then Kymo's engine benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release 2>&1 | tail -n 2
.build/release/kymo bench engine
