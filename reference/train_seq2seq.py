#!/usr/bin/env python3
"""Trains the reference PyTorch seq2seq SAM-ConvLSTM briefly and writes the
checkpoint that notebooks/weights.kymo loads into Kymo.

What it is: the "I trained it in PyTorch" side of the weights notebook. It
builds `Seq2Seq("sam_convlstm", …)` from kymo_reference/models.py (the
reference repository's layout: 2 SAM-ConvLSTM layers of 16 channels, kernel 3,
relu, attention width 4, each layer followed by LayerNorm[C, T, H, W], then a
3×3×3 Conv3d and a sigmoid), trains it on Moving MNIST generated here in
Python for next-frame prediction (10 frames in, BCE, Adam lr 1e-3, a few
hundred steps on one CPU thread, torch.manual_seed fixed) and writes

  notebooks/weights/sam_seq2seq.safetensors        the state_dict, exactly its names, F32
  notebooks/weights/sam_seq2seq_check.safetensors  a fixed sequence and PyTorch's answers:
      input      [1, 10, 1, H, W]   10 frames, Kymo's layout [B, T, C, H, W]
      truth      [1, 10, 1, H, W]   the 10 true frames that follow
      output     [1, 1, 1, H, W]    the model's next frame for `input`
      rollout    [1, 10, 1, H, W]   10 frames rolled out by feeding predictions back
      attention  [10, H, W]         layer 2's attention row of the query pixel
                                    (H/2, W/2) at every step (A_h of the SAM module)

Frame size (a choice the brief left open): 24×24 canvas with two digits each
cut down to 12×12 (the 28×28 MNIST image loses its 2-pixel border, almost
always blank, and is averaged over 2×2 blocks). Why not 32×32: a seq2seq
model's LayerNorms span [hidden, frames_in, H, W], so at hidden 16 they alone
hold 4·16·10·H·W floats — 2.6 MB at 32×32, 1.5 MB at 24×24 — and the two files
must stay under 2 MB together.

Digits: data/mnist_5k.csv.gz (784 pixels then the label per line, sorted by
label); training sequences use rows i % 5 != 4, the check sequence and the
held-out loss use rows i % 5 == 4 (Kymo's split). Moving MNIST as in
Srivastava et al.: each digit starts at a random position with a random
direction and a speed of 1–2 pixels per frame, bounces off the edges, and
overlapping digits combine by maximum. Pixels in [0, 1].

The check outputs (`output`, `rollout`, `attention`) are computed in float64
from the stored float32 weights and input and rounded once when stored, so
they are the correctly rounded answer; PyTorch's own float32 run is compared
with them and the difference is printed and kept in the metadata. Losses
(per-pixel mean BCE) are printed while training and stored in the metadata.

Rerun: python3 reference/train_seq2seq.py   (from the repository root; 300
steps took 413 s here, one thread on a busy 2-core machine). Every random draw
comes from torch.manual_seed or a seeded NumPy generator, so a rerun on the same
machine and torch should give the same tensors (not checked: one run was made);
the metadata records the wall time, so the files' bytes differ in that field.
Deliberately not: a benchmark or a faithful long training run — the model is
trained just enough that its attention is no longer uniform.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import sys
import time
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kymo_reference.goldens import f32, read_back, write  # noqa: E402
from kymo_reference.models import Seq2Seq, expected_seq2seq_names  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS = os.path.join(ROOT, "data", "mnist_5k.csv.gz")
OUT_DIR = os.path.join(ROOT, "notebooks", "weights")
SCRIPT = "train_seq2seq.py"

CONFIG = dict(family="sam_convlstm", channels=1, hidden=16, layers=2, kernel=3, size=24,
              frames_in=10, activation="relu", attention_hidden=4)
DIGIT = 12                  # digit side on the canvas (28×28 → crop 24×24 → 2×2 mean)
DIGITS_PER_FRAME = 2
STEPS = 300
BATCH = 8
LR = 1e-3
SEED = 0
LOG_EVERY = 25
HELD_OUT = 32               # held-out sequences for the loss before/after
MAX_TOTAL_BYTES = 2_000_000


def load_digits() -> Tuple[np.ndarray, np.ndarray]:
    """All digits as float32 [n, DIGIT, DIGIT] in [0, 1], and their labels."""
    with gzip.open(DIGITS, "rt") as fh:
        rows = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    if rows.ndim != 2 or rows.shape[1] != 785:
        raise ValueError(f"{DIGITS}: expected lines of 784 pixels and a label, got shape {rows.shape}")
    images = rows[:, :784].reshape(-1, 28, 28).astype(np.float32) / 255.0
    cropped = images[:, 2:26, 2:26]                                      # [n, 24, 24]
    small = cropped.reshape(-1, DIGIT, 2, DIGIT, 2).mean(axis=(2, 4))    # [n, 12, 12]
    return small.astype(np.float32), rows[:, 784]


def moving_mnist(digits: np.ndarray, count: int, frames: int, rng: np.random.Generator) -> np.ndarray:
    """count sequences [count, frames, 1, S, S] of DIGITS_PER_FRAME bouncing digits."""
    s = CONFIG["size"]
    room = s - DIGIT
    out = np.zeros((count, frames, 1, s, s), dtype=np.float32)
    for n in range(count):
        for _ in range(DIGITS_PER_FRAME):
            img = digits[rng.integers(len(digits))]
            y, x = rng.uniform(0, room, size=2)
            theta = rng.uniform(0, 2 * np.pi)
            speed = rng.uniform(1.0, 2.0)
            vy, vx = speed * np.sin(theta), speed * np.cos(theta)
            for t in range(frames):
                iy, ix = int(round(y)), int(round(x))
                patch = out[n, t, 0, iy:iy + DIGIT, ix:ix + DIGIT]
                np.maximum(patch, img, out=patch)
                y, x = y + vy, x + vx
                if y < 0:
                    y, vy = -y, -vy
                if y > room:
                    y, vy = 2 * room - y, -vy
                if x < 0:
                    x, vx = -x, -vx
                if x > room:
                    x, vx = 2 * room - x, -vx
    return out


def to_reference(x: torch.Tensor) -> torch.Tensor:
    """Kymo's [B, T, C, H, W] → the reference model's [B, C, T, H, W]."""
    return x.permute(0, 2, 1, 3, 4)


def build() -> Seq2Seq:
    c = CONFIG
    return Seq2Seq(c["family"], c["channels"], c["hidden"], c["layers"], c["kernel"],
                   (c["size"], c["size"]), c["frames_in"], c["activation"], c["attention_hidden"])


def next_frame_loss(model: Seq2Seq, seqs: torch.Tensor) -> torch.Tensor:
    """Mean BCE of the predicted frame frames_in against the true one; seqs [B, T ≥ 11, 1, H, W]."""
    t = CONFIG["frames_in"]
    out = model(to_reference(seqs[:, :t]))                              # [B, 1, 1, H, W]
    return F.binary_cross_entropy(out, to_reference(seqs[:, t:t + 1]))


def rollout(model: Seq2Seq, x: torch.Tensor, frames: int) -> torch.Tensor:
    """Feeds predictions back, as Kymo's predict does: x [B, T, C, H, W] → [B, frames, C, H, W]."""
    window, outs = x, []
    for _ in range(frames):
        nxt = model(to_reference(window)).permute(0, 2, 1, 3, 4)        # [B, 1, C, H, W]
        outs.append(nxt)
        window = torch.cat([window[:, 1:], nxt], dim=1)
    return torch.cat(outs, dim=1)


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    digits, _ = load_digits()
    index = np.arange(len(digits))
    train_digits, test_digits = digits[index % 5 != 4], digits[index % 5 == 4]
    print(f"digits: {len(train_digits)} for training, {len(test_digits)} held out; "
          f"{DIGIT}×{DIGIT} on a {CONFIG['size']}×{CONFIG['size']} canvas", flush=True)

    model = build()
    names = list(model.state_dict())
    if names != expected_seq2seq_names("sam_convlstm", CONFIG["layers"]):
        raise RuntimeError("state_dict names differ from MODELS.md's table")
    held_rng = np.random.default_rng(SEED + 1)
    held = torch.from_numpy(moving_mnist(test_digits, HELD_OUT, CONFIG["frames_in"] + 1, held_rng))

    def held_out_loss() -> float:
        with torch.no_grad():
            return next_frame_loss(model, held).item()

    opt = torch.optim.Adam(model.parameters(), lr=LR)
    initial = held_out_loss()
    print(f"held-out loss before training: {initial:.5f}", flush=True)
    losses: List[float] = []
    log: List[dict] = []
    start = time.perf_counter()
    for step in range(1, STEPS + 1):
        batch = torch.from_numpy(moving_mnist(train_digits, BATCH, CONFIG["frames_in"] + 1, rng))
        opt.zero_grad(set_to_none=True)
        loss = next_frame_loss(model, batch)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % LOG_EVERY == 0 or step == 1:
            window = losses[-LOG_EVERY:]
            mean = sum(window) / len(window)
            log.append({"step": step, "train_loss_mean": round(mean, 6)})
            print(f"step {step:4d}  train BCE (mean of last {len(window)}) {mean:.5f}  "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
    final = held_out_loss()
    print(f"held-out loss after training:  {final:.5f}", flush=True)

    # The fixed check sequence: held-out digits, its own seed.
    seq = torch.from_numpy(moving_mnist(test_digits, 1, 2 * CONFIG["frames_in"], np.random.default_rng(SEED + 2)))
    x = seq[:, :CONFIG["frames_in"]].contiguous()                       # [1, 10, 1, H, W]
    truth = seq[:, CONFIG["frames_in"]:].contiguous()                   # [1, 10, 1, H, W]

    # Answers in float64 from the stored float32 weights and input.
    model64 = copy.deepcopy(model).double().eval()
    layer2 = model64.recurrent_layers()[1]
    layer2.keep_attention = True
    s = CONFIG["size"]
    qy, qx = s // 2, s // 2
    with torch.no_grad():
        out64 = model64(to_reference(x.double())).permute(0, 2, 1, 3, 4)     # [1, 1, 1, H, W]
        att64 = layer2.attention_maps[0, :, qy * s + qx].reshape(-1, s, s)  # [10, H, W]
        layer2.keep_attention = False
        roll64 = rollout(model64, x.double(), CONFIG["frames_in"])          # [1, 10, 1, H, W]
        out32 = model(to_reference(x)).permute(0, 2, 1, 3, 4)
    f32_gap = (out32.double() - out64).abs().max().item()
    print(f"PyTorch float32 vs float64 output: largest |difference| {f32_gap:.3e}", flush=True)
    print(f"attention row sums (should be 1): {[round(v, 6) for v in att64.sum(dim=(1, 2)).tolist()]}")
    print(f"attention row max per step: {[round(v, 4) for v in att64.amax(dim=(1, 2)).tolist()]} "
          f"(uniform would be {1 / (s * s):.4f})")

    config_note = dict(CONFIG, frames_out=CONFIG["frames_in"], mode="seq2seq")
    training = {"steps": STEPS, "batch": BATCH, "lr": LR, "optimizer": "adam", "loss": "bce (mean per pixel)",
                "seed": SEED, "digits": f"{DIGIT}x{DIGIT} (28x28 cropped to 24x24, 2x2 mean), "
                                        f"{DIGITS_PER_FRAME} per frame, rows i % 5 != 4",
                "held_out_loss_before": initial, "held_out_loss_after": final,
                "train_loss_first": losses[0], "train_loss_last_25_mean": sum(losses[-25:]) / 25,
                "log": log, "seconds": round(time.perf_counter() - start, 1)}
    state = {k: v for k, v in model.state_dict().items()}
    weights_path = os.path.join(OUT_DIR, "sam_seq2seq.safetensors")
    size_w = write(weights_path, state, {"format": "pt", "model": config_note, "training": training}, SCRIPT)
    read_back(weights_path, state)

    check = {"input": x, "truth": truth, "output": out64, "rollout": roll64, "attention": att64}
    check_path = os.path.join(OUT_DIR, "sam_seq2seq_check.safetensors")
    size_c = write(check_path, check,
                   {"model": config_note, "query": [qy, qx], "attention_layer": 2,
                    "computed": "float64 from the stored float32 weights and input, rounded once",
                    "pytorch_float32_max_abs_diff": f32_gap}, SCRIPT)
    read_back(check_path, check)
    total = size_w + size_c
    print(f"wrote {weights_path} ({size_w} bytes) and {check_path} ({size_c} bytes); total {total} bytes")
    if total >= MAX_TOTAL_BYTES:
        raise RuntimeError(f"the two files take {total} bytes, over the {MAX_TOTAL_BYTES} allowed")


if __name__ == "__main__":
    main()
