"""Writes the golden files DatasetsTests cross-checks against, with numpy and
Python's gzip module (independent of Kymo's own writers). Run from this
folder: `python3 make_fixtures.py` (numpy 2.x; any version writing format 1.0/2.0 works).

- npy_*.npy: arrays of several dtypes, byte orders, format versions.
- idx_images.gz / idx_labels.gz: a 3-digit MNIST IDX pair, gzipped by Python.
- trajectories.json: digit paths computed by the motion loop of Srivastava
  et al.'s reference generator (GetRandomTrajectory, float64 numpy),
  for given start positions and directions.
"""
import gzip, json, struct
import numpy as np

def save(name, a, version=None):
    with open(name, "wb") as f:
        np.lib.format.write_array(f, a, version=version)

save("npy_u8.npy", np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
save("npy_f4.npy", np.array([[0.5, -1.25, 3.0], [1e-3, 0.0, 2.0**-20]], dtype="<f4"))
save("npy_f8.npy", np.array([1.5, -2.25, 1e10], dtype="<f8"))
save("npy_i8.npy", np.array([[-3, 0], [7, 1 << 40]], dtype="<i8"))
save("npy_f4_big.npy", np.array([1.0, -0.5, 256.0], dtype=">f4"))
save("npy_v2.npy", np.arange(6, dtype=np.float32).reshape(3, 2), version=(2, 0))
save("npy_scalar.npy", np.array(4.5, dtype=np.float32))
save("npy_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
# A miniature of mnist_test_seq.npy: [T=3, N=3, 4, 4] (no more frames than sequences: frame-major) uint8, pixel = 10*t + 100*n + k % 16.
seq = np.zeros((3, 3, 4, 4), dtype=np.uint8)
for t in range(3):
    for n in range(3):
        seq[t, n] = (10 * t + 100 * n + np.arange(16) % 16).reshape(4, 4)
save("npy_seq.npy", seq)

rng = np.random.default_rng(0)
pixels = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
labels = np.array([7, 0, 9], dtype=np.uint8)
with open("idx_images.gz", "wb") as f:
    f.write(gzip.compress(struct.pack(">IIII", 2051, 3, 28, 28) + pixels.tobytes(), mtime=0))
with open("idx_labels.gz", "wb") as f:
    f.write(gzip.compress(struct.pack(">II", 2049, 3) + labels.tobytes(), mtime=0))
np.save("idx_pixels.npy", pixels)

def reference_path(y, x, theta, length, step, canvas):
    """GetRandomTrajectory for one digit (Srivastava et al., 2015)."""
    y, x = np.array([y]), np.array([x])
    v_y, v_x = np.sin(np.array([theta])), np.cos(np.array([theta]))
    tops, lefts = [], []
    for _ in range(length):
        y += v_y * step
        x += v_x * step
        if x[0] <= 0: x[0] = 0; v_x[0] = -v_x[0]
        if x[0] >= 1.0: x[0] = 1.0; v_x[0] = -v_x[0]
        if y[0] <= 0: y[0] = 0; v_y[0] = -v_y[0]
        if y[0] >= 1.0: y[0] = 1.0; v_y[0] = -v_y[0]
        tops.append(int((canvas * y).astype(np.int32)[0]))
        lefts.append(int((canvas * x).astype(np.int32)[0]))
    return tops, lefts

cases = []
for (y, x, turns, canvas) in [(0.3, 0.95, 0.1, 36), (0.02, 0.5, 0.6, 36), (0.9, 0.1, 0.375, 36),
                              (0.5, 0.5, 0.0, 36), (0.77, 0.23, 0.91, 100), (0.4, 0.6, 0.25, 4)]:
    tops, lefts = reference_path(y, x, 2 * np.pi * turns, 40, 0.1, canvas)
    cases.append({"y": y, "x": x, "turns": turns, "span": canvas, "top": tops, "left": lefts})
with open("trajectories.json", "w") as f:
    json.dump(cases, f, indent=1)
