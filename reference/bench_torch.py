#!/usr/bin/env python3
"""PyTorch timings for `kymo bench`, printed as ONE JSON object on stdout.

Modes:
  engine  median seconds of sgemm (M=256, K=1152, N ∈ {256, 2048, 4096}) and of
          conv2d 3×3 padding 1, w [256, 128, 3, 3], forward and forward+backward
          (input and weight gradients), for x [8, 128, 16, 16] and [8, 128, 64, 64].
  models  median seconds per training step (forward, loss, backward, Adam) for
          each family: (a) predictor, 64×64×1 frames cut into patch-4 16×16×16,
          2 layers of 32, batch 8, 10 → 10 frames, MSE mean; (b) seq2seq,
          32×32×1, 2 layers of 32, batch 4, 10 input frames, BCE sum; SA/SAM
          attention width 8 (notebooks/paper.kymo's). --quick shrinks them as
          Kymo's --quick does (32×32, patch 2, 16 channels, batch 2, 5 → 5).

Usage: python3 reference/bench_torch.py engine|models [--threads N] [--repeats R] [--quick]
Progress goes to stderr; stdout carries only the JSON. Timings use
time.perf_counter after warm-up runs; inputs come from a fixed seed. The JSON
records the load average before and after, so a caller can tell a busy machine.
Not a correctness check: see the golden generators for that.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List

import torch
import torch.nn.functional as F

from kymo_reference.models import FAMILIES, Predictor, Seq2Seq


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(fn: Callable[[], None], warmup: int, repeats: int) -> Dict[str, object]:
    for _ in range(warmup):
        fn()
    times: List[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median_s": statistics.median(times), "min_s": min(times), "times_s": times,
            "warmup": warmup, "repeats": repeats}


def bench_engine(warmup: int, repeats: int) -> List[Dict[str, object]]:
    results: List[Dict[str, object]] = []
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for n in (256, 2048, 4096):
            m, k = 256, 1152
            a = torch.randn(m, k, generator=gen)
            b = torch.randn(k, n, generator=gen)
            out = torch.empty(m, n)
            r = timed(lambda: torch.mm(a, b, out=out), warmup, repeats)
            r.update(name="sgemm", shape={"M": m, "K": k, "N": n},
                     gflops=2 * m * k * n / r["median_s"] / 1e9)
            results.append(r)
            log(f"sgemm N={n}: {r['median_s'] * 1e3:.3f} ms")
    w = torch.randn(256, 128, 3, 3, generator=gen) * 0.03
    for size in (16, 64):
        x = torch.randn(8, 128, size, size, generator=gen)
        flops = 2 * 8 * 256 * 128 * 9 * size * size
        shape = {"x": [8, 128, size, size], "w": [256, 128, 3, 3], "padding": 1}
        with torch.no_grad():
            r = timed(lambda: F.conv2d(x, w, padding=1), warmup, repeats)
        r.update(name="conv2d_forward", shape=shape, gflops=flops / r["median_s"] / 1e9)
        results.append(r)
        log(f"conv2d forward {size}x{size}: {r['median_s'] * 1e3:.2f} ms")

        xg = x.clone().requires_grad_(True)
        wg = w.clone().requires_grad_(True)
        grad_out = torch.randn(8, 256, size, size, generator=gen)

        def fwd_bwd():
            xg.grad = None
            wg.grad = None
            F.conv2d(xg, wg, padding=1).backward(grad_out)

        r = timed(fwd_bwd, warmup, repeats)
        r.update(name="conv2d_forward_backward", shape=shape, gradients=["x", "w"],
                 gflops=3 * flops / r["median_s"] / 1e9)
        results.append(r)
        log(f"conv2d forward+backward {size}x{size}: {r['median_s'] * 1e3:.2f} ms")
    return results


PREDICTOR_CFG = dict(channels=1, hidden=32, layers=2, kernel=3, size=64, patch=4, frames_in=10,
                     frames_out=10, activation="tanh", batch=8, loss="mse", reduction="mean")
SEQ2SEQ_CFG = dict(channels=1, hidden=32, layers=2, kernel=3, size=32, frames_in=10,
                   activation="relu", batch=4, loss="bce", reduction="sum")
QUICK = dict(size=32, hidden=16, frames_in=5, batch=2)


def train_step_fn(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, loss_name: str,
                  reduction: str) -> Callable[[], None]:
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        out = model(x)
        if loss_name == "mse":
            loss = F.mse_loss(out, y, reduction=reduction)
        else:
            loss = F.binary_cross_entropy(out, y, reduction=reduction)
        loss.backward()
        opt.step()

    return step


def bench_models(warmup: int, repeats: int, attention_hidden: int, quick: bool):
    results: List[Dict[str, object]] = []
    skipped: List[Dict[str, str]] = []
    c = dict(PREDICTOR_CFG, **QUICK, patch=2, frames_out=5) if quick else PREDICTOR_CFG
    for family in FAMILIES:
        torch.manual_seed(0)
        model = Predictor(family, c["channels"], c["hidden"], c["layers"], c["kernel"], c["size"],
                          c["patch"], c["frames_in"], c["frames_out"], c["activation"], attention_hidden)
        x = torch.rand(c["batch"], c["frames_in"], c["channels"], c["size"], c["size"])
        y = torch.rand(c["batch"], c["frames_out"], c["channels"], c["size"], c["size"])
        r = timed(train_step_fn(model, x, y, c["loss"], c["reduction"]), warmup, repeats)
        r.update(name=f"predictor_{family}", family=family, mode="predictor",
                 config=dict(c, attention_hidden=attention_hidden if family != "convlstm" else None),
                 parameters=sum(p.numel() for p in model.parameters()))
        results.append(r)
        log(f"predictor {family}: {r['median_s']:.3f} s/step")
    c = dict(SEQ2SEQ_CFG, **QUICK) if quick else SEQ2SEQ_CFG
    for family in FAMILIES:
        torch.manual_seed(0)
        model = Seq2Seq(family, c["channels"], c["hidden"], c["layers"], c["kernel"],
                        (c["size"], c["size"]), c["frames_in"], c["activation"], attention_hidden)
        x = torch.rand(c["batch"], c["channels"], c["frames_in"], c["size"], c["size"])
        y = torch.rand(c["batch"], c["channels"], 1, c["size"], c["size"])
        r = timed(train_step_fn(model, x, y, c["loss"], c["reduction"]), warmup, repeats)
        r.update(name=f"seq2seq_{family}", family=family, mode="seq2seq",
                 config=dict(c, attention_hidden=attention_hidden if family != "convlstm" else None),
                 parameters=sum(p.numel() for p in model.parameters()))
        results.append(r)
        log(f"seq2seq {family}: {r['median_s']:.3f} s/step")
    return results, skipped


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["engine", "models"])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed runs per case (default: engine 10, models 3; --quick: engine 3, models 1)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and warm-up runs")
    parser.add_argument("--attention-hidden", type=int, default=8,
                        help="attention width d of SA/SAM models (default 8)")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error("--threads must be at least 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    warmup = 1 if args.quick else 2
    if args.repeats is not None:
        if args.repeats < 1:
            parser.error("--repeats must be at least 1")
        repeats = args.repeats
    elif args.mode == "engine":
        repeats = 3 if args.quick else 10
    else:
        repeats = 1 if args.quick else 3

    load_before = os.getloadavg()
    started = time.perf_counter()
    report: Dict[str, object] = {
        "tool": "pytorch", "mode": args.mode, "torch": torch.__version__,
        "threads": torch.get_num_threads(), "python": platform.python_version(),
        "cpu": cpu_model(), "cpus": os.cpu_count(),
        "blas": "MKL" if torch.backends.mkl.is_available() else "unknown",
        "quick": args.quick, "warmup": warmup, "repeats": repeats, "unit": "seconds",
    }
    if args.mode == "engine":
        report["results"] = bench_engine(warmup, repeats)
    else:
        results, skipped = bench_models(warmup, repeats, args.attention_hidden, args.quick)
        report["results"] = results
        report["skipped"] = skipped
    report["wall_s"] = time.perf_counter() - started
    report["loadavg_before"] = list(load_before)
    report["loadavg_after"] = list(os.getloadavg())
    json.dump(report, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
