#!/usr/bin/env python3
"""Golden per-frame metrics (MSE, MAE, SSIM, PSNR) for Kymo's evaluation code.

Writes Tests/ModelsTests/Goldens/metrics.safetensors:

  pred, true      [2, 3, 16, 16]  two sequences of three frames, pixels in [0, 1]
  mse, mae        [2, 3]          per frame, sums over the 256 pixels
  ssim, psnr      [2, 3]          per frame
  pred64, true64  [64, 64]        one larger pair
  mse64, mae64, ssim64, psnr64    []  its metrics
  ssim_map64      [64, 64]        the full (uncropped) SSIM map of that pair
  mean.mse, mean.mae, mean.ssim, mean.psnr  []  the 16×16 metrics averaged over frames and sequences

Truths are smooth random fields (plus a bright square in the 64×64 frame) and
predictions blurred and noisy copies whose error grows with the frame index, so
the numbers look like a forecast's. Metrics are computed in float64 from the
stored float32 pixels (see kymo_reference/metrics.py for the exact SSIM).

Rerun: python3 reference/gen_metric_goldens.py   (from the repository root)
"""

from __future__ import annotations

import os
import sys

import numpy as np
import torch
from scipy.ndimage import gaussian_filter

from kymo_reference.goldens import read_back, write
from kymo_reference.metrics import SSIM_ARGS, frame_mae, frame_mse, frame_psnr, frame_ssim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ModelsTests", "Goldens", "metrics.safetensors")
SCRIPT = "gen_metric_goldens.py"
SEED = 3001


def normalise(a: np.ndarray) -> np.ndarray:
    return (a - a.min()) / (a.max() - a.min())


def make_pair(rng: np.random.Generator, size: int, step: int, square: bool):
    truth = normalise(gaussian_filter(rng.random((size, size)), sigma=size / 10))
    if square:
        truth[size // 4: size // 4 + size // 5, size // 2: size // 2 + size // 5] = 1.0
    blur = gaussian_filter(truth, sigma=0.5 + 0.5 * step)
    pred = np.clip(blur + (0.03 + 0.03 * step) * rng.standard_normal((size, size)), 0.0, 1.0)
    return pred.astype(np.float32), truth.astype(np.float32)


def main() -> int:
    rng = np.random.default_rng(SEED)
    pred = np.zeros((2, 3, 16, 16), np.float32)
    true = np.zeros((2, 3, 16, 16), np.float32)
    for s in range(2):
        for t in range(3):
            pred[s, t], true[s, t] = make_pair(rng, 16, t, square=False)
    metrics = {k: np.zeros((2, 3)) for k in ("mse", "mae", "ssim", "psnr")}
    for s in range(2):
        for t in range(3):
            p, q = pred[s, t], true[s, t]
            metrics["mse"][s, t] = frame_mse(p, q)
            metrics["mae"][s, t] = frame_mae(p, q)
            metrics["ssim"][s, t] = frame_ssim(p, q)
            metrics["psnr"][s, t] = frame_psnr(p, q)
    pred64, true64 = make_pair(rng, 64, 1, square=True)
    ssim64, map64 = frame_ssim(pred64, true64, full=True)

    t = torch.from_numpy
    tensors = {"pred": t(pred), "true": t(true),
               "pred64": t(pred64), "true64": t(true64),
               "mse64": torch.tensor(frame_mse(pred64, true64)),
               "mae64": torch.tensor(frame_mae(pred64, true64)),
               "ssim64": torch.tensor(float(ssim64)),
               "psnr64": torch.tensor(frame_psnr(pred64, true64)),
               "ssim_map64": t(np.asarray(map64))}
    for k, v in metrics.items():
        tensors[k] = t(v)
        tensors[f"mean.{k}"] = torch.tensor(float(v.mean()))
    meta = {"layout": "pred/true [sequence, frame, H, W]; metrics [sequence, frame]",
            "mse": "sum over pixels of squared error", "mae": "sum over pixels of absolute error",
            "psnr": "10 log10(1 / per-pixel mean squared error)",
            "ssim": "skimage.metrics.structural_similarity(true, pred, "
                    + ", ".join(f"{k}={v}" for k, v in SSIM_ARGS.items())
                    + "): Gaussian 11 taps sigma 1.5, reflect borders, population covariance, "
                      "C1=0.01^2, C2=0.03^2, mean over the map cropped by 5 pixels per edge",
            "seed": str(SEED)}
    size = write(OUT, tensors, meta, SCRIPT)
    read_back(OUT, tensors)
    print(f"metrics.safetensors {size} B")
    for k in ("mse", "mae", "ssim", "psnr"):
        print(f"  {k:5s} {np.array2string(metrics[k], precision=5)}")
    print(f"  64x64: mse {float(tensors['mse64']):.5f} mae {float(tensors['mae64']):.5f} "
          f"ssim {float(ssim64):.6f} psnr {float(tensors['psnr64']):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
