#!/usr/bin/env bash
# The main job: setup (apt packages), a release build, kymo installed on the
# PATH (a symlink /usr/local/bin/kymo → .build/release/kymo; ~/.local/bin/kymo
# when /usr/local/bin is not writable), the MNIST digits fetched into the
# user's data folder (`kymo data fetch`), then the quickstart notebook — the
# three model families trained, evaluated and drawn under figures/quickstart/,
# recorded under notebooks/runs/. Also the man page (man kymo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product kymo 2>&1 | tail -n 2
bin=/usr/local/bin
if ! { [ -w "$bin" ] || mkdir -p "$bin" 2>/dev/null && [ -w "$bin" ]; }; then bin="$HOME/.local/bin"; mkdir -p "$bin"; fi
ln -sf "$PWD/.build/release/kymo" "$bin/kymo"
echo "main: kymo installed as $bin/kymo ($("$bin/kymo" --version | head -n 1))"
# The man page, generated from the commands' help by swift-argument-parser's
# generate-manual plugin (offline: the package's own checkout), installed
# where `man kymo` finds it (beside the binary's prefix).
man1="$(dirname "$bin")/share/man/man1"
if swift package plugin generate-manual --configuration release >/dev/null 2>&1 \
    && mkdir -p "$man1" && install -m 644 .build/plugins/GenerateManual/outputs/kymo/kymo.1 "$man1/kymo.1"; then
  echo "main: man page installed as $man1/kymo.1 (man kymo)"
else
  echo "main: the man page could not be generated (swift package plugin generate-manual); kymo --help has the same text"
fi
case ":$PATH:" in *":$bin:"*) ;; *) echo "main: add $bin to your PATH";; esac
"$bin/kymo" data fetch
"$bin/kymo" run notebooks/quickstart.kymo "$@"
