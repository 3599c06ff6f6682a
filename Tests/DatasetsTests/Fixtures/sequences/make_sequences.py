#!/usr/bin/env python3
"""Writes the load_sequences fixtures with the reference tools (numpy, h5py,
netCDF4) and a tiny PNG writer (zlib). Run from this folder; the outputs are
committed, so the tests never need these packages.

  field: float32 [N=3, T=8, C=2, H=6, W=10], values k/8 - 3 for k = 0, 1, …
  (exact in every type below, so every file holds the same numbers)"""
import struct, zlib, os
import numpy as np
import h5py
import netCDF4

N, T, C, H, W = 3, 8, 2, 6, 10
field = (np.arange(N * T * C * H * W, dtype=np.float64) % 97 / 8 - 3).astype(np.float32).reshape(N, T, C, H, W)

np.save("field_ntchw.npy", field)
np.savez("field.npz", field=field, other=np.zeros(3, np.float32))
np.savez_compressed("field_compressed.npz", field=field)
with h5py.File("field.h5", "w") as f:
    f.create_dataset("/radar/field", data=field, chunks=(1, 4, C, H, W), compression="gzip")
    f.create_dataset("/radar/notes", data=np.zeros(2, np.float32))
with netCDF4.Dataset("field.nc", "w", format="NETCDF4") as d:
    for name, n in zip(("n", "t", "c", "y", "x"), field.shape):
        d.createDimension(name, n)
    v = d.createVariable("field", "f4", ("n", "t", "c", "y", "x"))
    v[:] = field
with netCDF4.Dataset("field_classic.nc", "w", format="NETCDF3_CLASSIC") as d:
    for name, n in zip(("n", "t", "c", "y", "x"), field.shape):
        d.createDimension(name, n)
    d.createVariable("field", "f4", ("n", "t", "c", "y", "x"))[:] = field

# the layouts of docs: TNHW (channel 0), TCHW (series 0), NTHWC
np.save("field_tnhw.npy", np.ascontiguousarray(field[:, :, 0].transpose(1, 0, 2, 3)))
np.save("field_tchw.npy", np.ascontiguousarray(field[0]))
np.save("field_nthwc.npy", np.ascontiguousarray(field.transpose(0, 1, 3, 4, 2)))

# element types: integers 0..96 (field·8 + 24), stored as each type
ints = (field * 8 + 24).astype(np.int64)
for t in ("uint8", "int16", "int32", "float64"):
    np.save(f"ints_{t}.npy", ints.astype(t))
with h5py.File("ints.h5", "w") as f:
    for t in ("uint8", "int16", "int32", "float64"):
        f.create_dataset(t, data=ints.astype(t))
np.save("ints_float32.npy", ints.astype(np.float32))
np.save("ints_int64.npy", ints)                      # refused: int64 is not read

bad = field.copy(); bad[1, 2, 1, 3, 4] = np.nan
np.save("nan.npy", bad)
with open("not_hdf5.h5", "w") as f:
    f.write("this is text, not HDF5\n")

# one long series of 60 frames (window counts: frames 12, stride 6 → 9)
np.save("long_tchw.npy", (np.arange(60 * 1 * 4 * 4) % 13).astype(np.uint8).reshape(60, 1, 4, 4))

def png(path, rows, colour):
    """8-bit PNG: colour 0 (grey, rows of ints) or 2 (RGB, rows of (r, g, b))."""
    h, w = len(rows), len(rows[0])
    raw = b"".join(b"\0" + bytes(v for px in row for v in ((px,) if colour == 0 else px)) for row in rows)
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

os.makedirs("grey_frames", exist_ok=True)
for t in range(3):
    png(f"grey_frames/frame_{t:03d}.png", [[(t * 50 + y * 7 + x) % 256 for x in range(7)] for y in range(5)], 0)
os.makedirs("rgb_frames", exist_ok=True)
for t in range(2):
    png(f"rgb_frames/f{t}.png", [[(t * 10 + x, y * 20, 255 - x - y) for x in range(4)] for y in range(3)], 2)

# split and normalization against numpy: field_ntchw.npy in windows of 4
# frames every 2 (3 series × 3 windows), split train 4, validation 2, test 3:
# train = series 0 windows 0-2 and series 1 window 0; validation's first window
# (series 1, frames 2-5) shares frames with train's and is dropped.
import json
windows = [(n, s) for n in range(3) for s in (0, 2, 4)]
train = np.stack([field[n, s:s + 4] for n, s in windows[:4]]).astype(np.float64)   # [4, 4, C, H, W]
per_channel = train.transpose(2, 0, 1, 3, 4).reshape(C, -1)
stats = {"mean": per_channel.mean(axis=1).tolist(), "std": per_channel.std(axis=1).tolist(),
         "min": per_channel.min(axis=1).tolist(), "max": per_channel.max(axis=1).tolist()}
# the first test value normalized, as float32 (series 2, frame 0, channel 1, y 0, x 0)
v = np.float64(field[2, 0, 1, 0, 0])
stats["test_first_c1_standard"] = float(np.float32((v - stats["mean"][1]) / stats["std"][1]))
stats["test_first_c1_minmax"] = float(np.float32((v - stats["min"][1]) / (stats["max"][1] - stats["min"][1])))
with open("normalization.json", "w") as f:
    json.dump(stats, f, indent=1)

# the end-to-end dataset: 2 channels at 24×40, 4 series of 8 frames, uint8
# (a blob drifting right in channel 0, one drifting down in channel 1)
yy, xx = np.mgrid[0:24, 0:40]
two = np.zeros((4, 8, 2, 24, 40), np.uint8)
for n in range(4):
    for t in range(8):
        b0 = np.exp(-((yy - 8 - 2 * n) ** 2 + (xx - 5 - 3 * t - n) ** 2) / 18.0)
        b1 = np.exp(-((yy - 3 - 2 * t) ** 2 + (xx - 20 + 2 * n) ** 2) / 12.0)
        two[n, t, 0] = np.round(200 * b0); two[n, t, 1] = np.round(250 * b1)
with netCDF4.Dataset("two_channel_24x40.nc", "w", format="NETCDF4") as d:
    for name, n in zip(("n", "t", "c", "y", "x"), two.shape):
        d.createDimension(name, n)
    d.createVariable("field", "u1", ("n", "t", "c", "y", "x"), zlib=True)[:] = two
