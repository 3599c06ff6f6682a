#!/usr/bin/env bash
# The main job: setup (apt packages), a release build, kymo installed on the
# PATH (a symlink /usr/local/bin/kymo → .build/release/kymo; ~/.local/bin/kymo
# when /usr/local/bin is not writable), the MNIST digits fetched into the
# user's data folder (`kymo data fetch`), then the quickstart notebook — the
# three model families trained, evaluated and drawn under figures/quickstart/,
# recorded under notebooks/runs/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product kymo 2>&1 | tail -n 2
bin=/usr/local/bin
if ! { [ -w "$bin" ] || mkdir -p "$bin" 2>/dev/null && [ -w "$bin" ]; }; then bin="$HOME/.local/bin"; mkdir -p "$bin"; fi
ln -sf "$PWD/.build/release/kymo" "$bin/kymo"
echo "main: kymo installed as $bin/kymo ($("$bin/kymo" --version | head -n 1))"
case ":$PATH:" in *":$bin:"*) ;; *) echo "main: add $bin to your PATH";; esac
"$bin/kymo" data fetch
"$bin/kymo" run notebooks/quickstart.kymo "$@"
