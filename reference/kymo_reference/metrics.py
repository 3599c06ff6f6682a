"""Per-frame prediction metrics as MODELS.md defines them, for frames with pixels in [0, 1].

MSE and MAE are sums over a frame's pixels (the "per frame" numbers the
ConvLSTM / PredRNN / OpenSTL papers report); PSNR uses the per-pixel mean
squared error with data range 1; SSIM is scikit-image's
structural_similarity with the Wang et al. (2004) Gaussian definition:

* window: separable Gaussian, σ = 1.5, truncated at 3.5σ → radius 5, 11 taps,
  each 1-D kernel normalised to sum 1;
* borders: the filter reads outside the frame by reflection, scipy's
  mode='reflect' (half-sample symmetric: … c b a | a b c …);
* population (co)variances (use_sample_covariance=False);
* C1 = (0.01·1)², C2 = (0.03·1)²;
* the frame's SSIM is the mean of the SSIM map with a 5-pixel strip cropped
  from every edge (so a 16×16 frame averages its central 6×6 values).

Everything is computed in float64. Not a training metric: no gradients.
"""

from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity

SSIM_ARGS = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)


def frame_mse(pred: np.ndarray, true: np.ndarray) -> float:
    """Sum over the frame's pixels of the squared error."""
    return float(np.sum((pred.astype(np.float64) - true.astype(np.float64)) ** 2))


def frame_mae(pred: np.ndarray, true: np.ndarray) -> float:
    """Sum over the frame's pixels of the absolute error."""
    return float(np.sum(np.abs(pred.astype(np.float64) - true.astype(np.float64))))


def frame_psnr(pred: np.ndarray, true: np.ndarray) -> float:
    """10·log10(1 / mean squared error per pixel); data range 1."""
    mse = np.mean((pred.astype(np.float64) - true.astype(np.float64)) ** 2)
    return float(10.0 * np.log10(1.0 / mse))


def frame_ssim(pred: np.ndarray, true: np.ndarray, full: bool = False):
    """SSIM of one [H, W] frame pair (see the module note); with full, also the uncropped map."""
    return structural_similarity(true.astype(np.float64), pred.astype(np.float64), full=full, **SSIM_ARGS)
