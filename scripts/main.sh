#!/usr/bin/env bash
# The main job: setup (apt packages, MNIST digits), a release build, then the
# quickstart notebook — the three model families trained, evaluated and drawn
# under figures/quickstart/, recorded under notebooks/runs/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product kymo 2>&1 | tail -n 2
.build/release/kymo run notebooks/quickstart.kymo "$@"
