#!/usr/bin/env python3
"""Golden values for TensorEngine's primitive ops, written by PyTorch.

Writes one small F32 safetensors file per case to
Tests/TensorEngineTests/Goldens/ (inputs, `out`, a fixed upstream gradient
`grad_out`, and the input gradients `grad_<input>`), the op's arguments in the
safetensors metadata (`op`, `args`), and manifest.json listing every case.
Values are computed in float64 from float32 inputs, then stored as float32.

Rerun: python3 reference/gen_engine_goldens.py   (from the repository root)
Not a test: it checks only that every file loads back and stays small.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List

import torch
import torch.nn.functional as F

from kymo_reference.goldens import f32, read_back, write

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Tests", "TensorEngineTests", "Goldens")
SCRIPT = "gen_engine_goldens.py"
MAX_FILE = 200 * 1024
MAX_TOTAL = 2 * 1024 * 1024


@dataclass
class Case:
    name: str
    seed: int
    op: str
    inputs: Dict[str, Callable[[], torch.Tensor]]   # name → float32 sampler (called in order)
    fn: Callable[..., torch.Tensor]                 # float64 inputs (by name) → output
    args: Dict[str, object]
    no_grad: List[str] = field(default_factory=list)  # inputs without a stored gradient


def randn(*shape, scale=1.0, shift=0.0):
    return lambda: torch.randn(*shape) * scale + shift


def uniform(*shape, low=0.0, high=1.0):
    return lambda: torch.rand(*shape) * (high - low) + low


def conv2d_case(name, seed, w_shape, padding):
    return Case(name, seed, "conv2d",
                {"x": randn(2, 3, 6, 7), "w": randn(*w_shape, scale=0.3), "b": randn(w_shape[0], scale=0.1)},
                lambda x, w, b: F.conv2d(x, w, b, padding=padding),
                {"padding": [padding, padding], "stride": [1, 1], "dilation": [1, 1],
                 "layout": "x [B, Cin, H, W], w [Cout, Cin, kH, kW], b [Cout], out [B, Cout, H', W']"})


def loss_case(name, seed, kind, reduction):
    if kind == "mse":
        inputs = {"x": randn(2, 3, 4), "target": randn(2, 3, 4)}
        fn = lambda x, target: F.mse_loss(x, target, reduction=reduction)
        note = "x is the prediction"
    else:
        # Probabilities kept inside [0.02, 0.98] so torch's log clamp at -100 never acts.
        inputs = {"x": uniform(2, 3, 4, low=0.02, high=0.98), "target": uniform(2, 3, 4)}
        fn = lambda x, target: F.binary_cross_entropy(x, target, reduction=reduction)
        note = "x holds probabilities (after a sigmoid); target in [0, 1] (soft labels)"
    return Case(name, seed, kind, inputs, fn,
                {"reduction": reduction, "note": note + "; out and grad_out are scalars (shape [])"},
                no_grad=["target"])


def unary_case(name, seed, op, fn, scale=1.0, extra=None):
    args = {"layout": "elementwise, x [2, 3, 4, 5]"}
    args.update(extra or {})
    return Case(name, seed, op, {"x": randn(2, 3, 4, 5, scale=scale)}, fn, args)


CASES: List[Case] = [
    conv2d_case("conv2d_3x3_same", 101, (4, 3, 3, 3), 1),
    conv2d_case("conv2d_5x5_pad1", 102, (4, 3, 5, 5), 1),
    conv2d_case("conv2d_1x1", 103, (4, 3, 1, 1), 0),
    Case("conv3d_3x3x3_pad1", 104, "conv3d",
         {"x": randn(2, 3, 4, 5, 5), "w": randn(2, 3, 3, 3, 3, scale=0.3), "b": randn(2, scale=0.1)},
         lambda x, w, b: F.conv3d(x, w, b, padding=1),
         {"padding": [1, 1, 1], "stride": [1, 1, 1],
          "layout": "x [B, Cin, D, H, W], w [Cout, Cin, kD, kH, kW], b [Cout], out [B, Cout, D, H, W]"}),
    Case("matmul_batched", 105, "matmul",
         {"x": randn(3, 4, 5), "w": randn(3, 5, 6)},
         lambda x, w: torch.bmm(x, w),
         {"layout": "out[b] = x[b] @ w[b]; x [3, 4, 5], w [3, 5, 6], out [3, 4, 6]"}),
    Case("softmax_last", 106, "softmax", {"x": randn(3, 4, 5, scale=2.0)},
         lambda x: torch.softmax(x, dim=-1), {"axis": 2}),
    Case("softmax_axis1", 107, "softmax", {"x": randn(3, 4, 5, scale=2.0)},
         lambda x: torch.softmax(x, dim=1), {"axis": 1}),
    Case("layer_norm", 108, "layer_norm",
         {"x": randn(2, 3, 4, 5, scale=2.0, shift=0.5), "w": randn(3, 4, 5, scale=0.2, shift=1.0),
          "b": randn(3, 4, 5, scale=0.2)},
         lambda x, w, b: F.layer_norm(x, (3, 4, 5), w, b, eps=1e-5),
         {"normalized_shape": [3, 4, 5], "eps": 1e-5,
          "note": "normalised over the trailing 3 axes with the biased variance; w, b elementwise of that shape"}),
    loss_case("mse_mean", 109, "mse", "mean"),
    loss_case("mse_sum", 110, "mse", "sum"),
    loss_case("bce_mean", 111, "bce", "mean"),
    loss_case("bce_sum", 112, "bce", "sum"),
    unary_case("sigmoid", 113, "sigmoid", torch.sigmoid, scale=3.0),
    unary_case("tanh", 114, "tanh", torch.tanh, scale=2.0),
    unary_case("relu", 115, "relu", torch.relu, extra={"note": "relu'(0) = 0 (no input is 0 here)"}),
    unary_case("leaky_relu", 116, "leaky_relu", lambda x: F.leaky_relu(x, 0.01),
               extra={"negative_slope": 0.01}),
    Case("pixel_unshuffle_2", 117, "pixel_unshuffle", {"x": randn(2, 3, 6, 8)},
         lambda x: F.pixel_unshuffle(x, 2),
         {"factor": 2, "layout": "x [B, C, H, W] → out [B, C·4, H/2, W/2]; "
          "out[b, c·4 + dy·2 + dx, Y, X] = x[b, c, 2Y + dy, 2X + dx]"}),
    Case("pixel_shuffle_2", 118, "pixel_shuffle", {"x": randn(2, 12, 3, 4)},
         lambda x: F.pixel_shuffle(x, 2),
         {"factor": 2, "layout": "x [B, C·4, H, W] → out [B, C, 2H, 2W]; "
          "out[b, c, 2Y + dy, 2X + dx] = x[b, c·4 + dy·2 + dx, Y, X]"}),
]


def run_case(case: Case):
    torch.manual_seed(case.seed)
    inputs32 = {name: sampler().to(torch.float32) for name, sampler in case.inputs.items()}
    inputs64 = {name: t.to(torch.float64).requires_grad_(name not in case.no_grad)
                for name, t in inputs32.items()}
    out = case.fn(**inputs64)
    grad_out32 = torch.randn(out.shape).to(torch.float32)
    out.backward(grad_out32.to(torch.float64))

    tensors = dict(inputs32)
    tensors["out"] = out
    tensors["grad_out"] = grad_out32
    for name, t in inputs64.items():
        if name not in case.no_grad:
            tensors[f"grad_{name}"] = t.grad

    # The same computation in float32, to state how far a float32 evaluation lands.
    inputs_f = {name: t.clone().requires_grad_(name not in case.no_grad) for name, t in inputs32.items()}
    out_f = case.fn(**inputs_f)
    out_f.backward(grad_out32)
    worst = 0.0
    pairs = [("out", out_f)] + [(f"grad_{n}", t.grad) for n, t in inputs_f.items() if n not in case.no_grad]
    for name, value in pairs:
        ref = tensors[name].detach().to(torch.float64)
        err = (value.detach().to(torch.float64) - ref).abs().max().item()
        worst = max(worst, err / max(ref.abs().max().item(), 1e-30))
    return tensors, worst


def main() -> int:
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    manifest = []
    total = 0
    for case in CASES:
        tensors, worst = run_case(case)
        path = os.path.join(OUT_DIR, f"{case.name}.safetensors")
        size = write(path, tensors, {"op": case.op, "case": case.name, "args": case.args,
                                     "seed": str(case.seed)}, SCRIPT)
        read_back(path, tensors)
        if size > MAX_FILE:
            raise RuntimeError(f"{path} is {size} bytes, over {MAX_FILE}")
        total += size
        manifest.append({"file": f"{case.name}.safetensors", "op": case.op, "args": case.args,
                         "seed": case.seed,
                         "tensors": {n: list(t.shape) for n, t in tensors.items()},
                         "f32_err_over_max_abs": float(f"{worst:.3g}")})
        print(f"{case.name:22s} {size:7d} B  float32-vs-float64 max rel err {worst:.2e}")
    with open(os.path.join(OUT_DIR, "manifest.json"), "w") as fh:
        json.dump({"generator": SCRIPT, "torch": torch.__version__, "cases": manifest}, fh, indent=1)
        fh.write("\n")
    if total > MAX_TOTAL:
        raise RuntimeError(f"engine goldens total {total} bytes, over {MAX_TOTAL}")
    print(f"{len(CASES)} files, {total} bytes in {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
