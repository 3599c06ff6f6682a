#!/usr/bin/env python3
"""A stand-in for your own data: a small synthetic rain-rate field written as
NetCDF (rain.nc), for notebooks/your-data.kymo. In each of 4 independent
events, Gaussian rain cells are born at random places, drift with the
event's wind, grow and decay:

  rain(n, t, y, x) = Σ_cells A·g(t)·exp(−|p − c(t)|² / 2σ²)   [mm/h]
  c(t) = c0 + (t − t0)·(v, u),  g(t) = sin(π (t − t0) / life) for t0 ≤ t < t0 + life

4 events of 40 frames of 24 × 40 pixels, float32 rounded to 0.1 mm/h,
variable "rain" with dimensions (event, time, y, x). Run from this folder:
  python3 make_rain.py       (needs numpy and netCDF4)"""
import numpy as np
import netCDF4

N, T, H, W = 4, 40, 24, 40
rng = np.random.default_rng(2024)
yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
rain = np.zeros((N, T, H, W))
for n in range(N):
    u, v = rng.uniform(0.5, 1.2), rng.uniform(-0.4, 0.4)     # wind, pixels per frame (x, y)
    for _ in range(10):
        t0 = rng.integers(-10, T)
        life = rng.integers(12, 30)
        c0 = np.array([rng.uniform(0, H), rng.uniform(-15, W - 10)])
        amp, sigma = rng.uniform(4, 25), rng.uniform(1.8, 3.5)
        for t in range(max(0, t0), min(T, t0 + life)):
            g = np.sin(np.pi * (t - t0) / life)
            cy, cx = c0 + (t - t0) * np.array([v, u])
            rain[n, t] += amp * g * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma ** 2))
rain = np.round(rain, 1).astype(np.float32)

with netCDF4.Dataset("rain.nc", "w", format="NETCDF4") as d:
    d.title = "synthetic advected, decaying Gaussian rain cells (Kymo's your-data example)"
    for name, n in zip(("event", "time", "y", "x"), rain.shape):
        d.createDimension(name, n)
    r = d.createVariable("rain", "f4", ("event", "time", "y", "x"), zlib=True, shuffle=True, complevel=9)
    r.units = "mm/h"
    r[:] = rain
print("rain.nc:", rain.shape, "max %.1f mm/h, %.1f %% of pixels ≥ 0.5 mm/h" % (rain.max(), 100 * (rain >= 0.5).mean()))
