#!/usr/bin/env python3
"""Reads files written by Kymo's save_sequences with the reference tools
(numpy for .npy/.npz, h5py for .h5, netCDF4 for .nc) and checks that they hold
the same float32 array, bit for bit, and, with --expect, the array of a
reference .npy (a layout given with --transpose, e.g. 0,1,3,4,2 for NTHWC).

  python3 scripts/check_saved_sequences.py out.npy out.npz out.h5 out.nc \
      [--variable sequences] [--expect data.npy --transpose 0,1,2,3,4]

Needs numpy, h5py and netCDF4 (pip install h5py netCDF4); not run by CI."""
import argparse, sys
import numpy as np

def read(path, variable):
    if path.endswith(".npy"):
        return np.load(path)
    if path.endswith(".npz"):
        with np.load(path) as z:
            return z[variable]
    if path.endswith((".h5", ".hdf5")):
        import h5py
        with h5py.File(path, "r") as f:
            return f[variable][()]
    if path.endswith(".nc"):
        import netCDF4
        with netCDF4.Dataset(path) as d:
            v = d[variable]
            v.set_auto_maskandscale(False)
            return np.asarray(v[:])
    sys.exit(f"{path}: not .npy, .npz, .h5 or .nc")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--variable", default="sequences")
    ap.add_argument("--expect")
    ap.add_argument("--transpose")
    a = ap.parse_args()
    arrays = [(p, read(p, a.variable)) for p in a.files]
    want = arrays[0][1]
    if a.expect:
        want = np.load(a.expect).astype(np.float32)
        if a.transpose:
            want = np.ascontiguousarray(want.transpose([int(x) for x in a.transpose.split(",")]))
    ok = True
    for p, x in arrays:
        same = x.dtype == np.float32 and x.shape == want.shape and np.array_equal(x.view(np.uint32), want.view(np.uint32))
        print(f"{p}: {x.dtype} {list(x.shape)} {'same bits' if same else 'DIFFERS'}")
        ok &= same
    sys.exit(0 if ok else 1)

main()
