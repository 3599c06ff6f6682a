#!/usr/bin/env python3
"""Golden forward values and parameter gradients of the three model families.

For each family (convlstm, sa_convlstm, sam_convlstm) and each assembly
(seq2seq, predictor) it writes to Tests/ModelsTests/Goldens/:

  <mode>_<family>.weights.safetensors  the state_dict, exactly its names
                                       (what Kymo's `load(model, path)` reads)
  <mode>_<family>.data.safetensors     input, target, output, loss, grad_input,
                                       grad.<state_dict name>, trace.*

Values are computed in float64 from the stored float32 weights and inputs and
rounded to float32 when stored. MODEL_GOLDENS.md (hand-written, next to the
files) describes layouts; the config of each case is in the metadata.

Rerun: python3 reference/gen_model_goldens.py   (from the repository root)
Not a test of the reference itself; see reference/tests/ for that.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F

from kymo_reference.goldens import f32, read_back, write
from kymo_reference.models import (FAMILIES, ConvLSTMCell, Predictor, Seq2Seq,
                                   expected_predictor_names, expected_seq2seq_names)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Tests", "ModelsTests", "Goldens")
SCRIPT = "gen_model_goldens.py"
MAX_FILE = 200 * 1024
BATCH = 2
# A relu input closer to zero than this could change side between float32 and
# float64 evaluation (float32 error on these sums is about 1e-6) and flip a
# gradient term; such a seed is rejected and the next candidate tried.
RELU_MARGIN = 2e-5
# A seed is also rejected when PyTorch's own float32 run misses a golden tensor
# by more than this (relative to the tensor's largest magnitude): some seeds
# leave an attention gradient tiny and made of cancelling terms, which no
# float32 implementation reproduces closely; the goldens avoid them so that one
# tolerance fits every tensor.
F32_LIMIT = 1e-4
SEED_TRIES = 50

SEQ2SEQ = dict(channels=1, hidden=4, layers=2, kernel=3, size=8, frames_in=3,
               activation="relu", attention_hidden=2)
PREDICTOR = dict(channels=1, hidden=4, layers=2, kernel=3, size=8, patch=2, frames_in=3,
                 frames_out=2, activation="tanh", attention_hidden=2)
# First seed tried per case. These are the seeds the search settled on here
# (it began at 2001, 2002, 2003 for seq2seq); on another machine or torch the
# float32 check may move on to a later seed and say so.
SEEDS = {("seq2seq", "convlstm"): 2003, ("seq2seq", "sa_convlstm"): 2016,
         ("seq2seq", "sam_convlstm"): 2008, ("predictor", "convlstm"): 2101,
         ("predictor", "sa_convlstm"): 2102, ("predictor", "sam_convlstm"): 2103}
QUERY = (4, 4)
ATTENTION_SHARPEN = 12.0   # the query pixel of the stored attention rows


def perturb(model: torch.nn.Module) -> None:
    """Move parameters off their zero/one initial values so every path carries
    gradient: peepholes U(-0.5, 0.5) (the reference initialises them to zero),
    LayerNorm weight 1 + 0.1·N(0,1) and bias 0.1·N(0,1); the query and key
    convolutions (query_h, key_h, key_m) scaled by ATTENTION_SHARPEN so that
    attention rows are far from uniform (with the default initialisation they
    are uniform to 3 digits and the attention path gets almost no gradient) —
    except over a 1-channel input, whose default weights (bound 1) are already
    large enough and, scaled, saturate the softmax.
    Other convolutions keep PyTorch's default initialisation. Draws from the
    global seeded generator."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if leaf in ("W_ci", "W_cf", "W_co"):
                p.copy_(torch.rand(p.shape) - 0.5)
            elif ".layernorm" in "." + name and leaf == "weight":
                p.copy_(1 + 0.1 * torch.randn(p.shape))
            elif ".layernorm" in "." + name and leaf == "bias":
                p.copy_(0.1 * torch.randn(p.shape))
        for name, m in model.named_modules():
            if name.rsplit(".", 1)[-1] in ("query_h", "key_h", "key_m") and m.in_channels > 1:
                m.weight.mul_(ATTENTION_SHARPEN)
                m.bias.mul_(ATTENTION_SHARPEN)


class ReluWatch:
    """Wraps the cells' activation to record the smallest non-zero |input| to relu."""

    def __init__(self, model: torch.nn.Module) -> None:
        self.smallest = float("inf")
        for m in model.modules():
            if isinstance(m, ConvLSTMCell) and m.activation == "relu":
                m.act = self.relu

    def relu(self, x: torch.Tensor) -> torch.Tensor:
        mags = x.detach().abs()
        mags = mags[mags > 0]
        if mags.numel():
            self.smallest = min(self.smallest, mags.min().item())
        return torch.relu(x)


def build(mode: str, family: str) -> torch.nn.Module:
    if mode == "seq2seq":
        c = SEQ2SEQ
        return Seq2Seq(family, c["channels"], c["hidden"], c["layers"], c["kernel"],
                       (c["size"], c["size"]), c["frames_in"], c["activation"], c["attention_hidden"])
    c = PREDICTOR
    return Predictor(family, c["channels"], c["hidden"], c["layers"], c["kernel"], c["size"],
                     c["patch"], c["frames_in"], c["frames_out"], c["activation"], c["attention_hidden"])


def sample_data(mode: str) -> Tuple[torch.Tensor, torch.Tensor]:
    if mode == "seq2seq":
        c = SEQ2SEQ
        x = torch.rand(BATCH, c["channels"], c["frames_in"], c["size"], c["size"])    # [B, C, T, H, W]
        y = torch.rand(BATCH, c["channels"], 1, c["size"], c["size"])                 # [B, C, 1, H, W]
    else:
        c = PREDICTOR
        x = torch.rand(BATCH, c["frames_in"], c["channels"], c["size"], c["size"])    # [B, T, C, H, W]
        y = torch.rand(BATCH, c["frames_out"], c["channels"], c["size"], c["size"])   # [B, T', C, H, W]
    return x, y


def loss_fn(mode: str, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if mode == "seq2seq":
        return F.binary_cross_entropy(out, target, reduction="sum")
    return F.mse_loss(out, target, reduction="mean")


def evaluate(mode: str, model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor):
    """Forward, loss, backward; returns (output, loss, grad_input, traces)."""
    traces: Dict[str, torch.Tensor] = {}
    hooks = []
    if mode == "seq2seq":
        for layer in model.recurrent_layers():
            layer.keep_attention = True
        for name, child in model.sequential.named_children():
            hooks.append(child.register_forward_hook(
                lambda _m, _i, o, name=name: traces.__setitem__(f"trace.{name}", o)))
    else:
        model.keep_trace = True
    x = x.clone().requires_grad_(True)
    out = model(x)
    loss = loss_fn(mode, out, target)
    loss.backward()
    for h in hooks:
        h.remove()
    qy, qx = QUERY
    if mode == "seq2seq":
        n = 0
        for layer in model.recurrent_layers():
            n += 1
            if layer.attention_maps is not None:                      # [B, T, N, N]
                a = layer.attention_maps
                traces[f"trace.attention{n}"] = a[0, -1]              # batch 0, last step: [N, N]
                size = SEQ2SEQ["size"]
                traces[f"trace.attention{n}.row"] = a[:, :, qy * size + qx].reshape(
                    a.shape[0], a.shape[1], size, size)               # [B, T, H, W]
    else:
        for key, value in model.trace.items():
            traces[f"trace.{key}"] = value      # h{n} [B, S, Ch, h, w]; attention{n} [B, S, N, N]
    return out, loss, x.grad, traces


def make_case(mode: str, family: str) -> Tuple[Dict, Dict, Dict]:
    """Try seeds base, base + 1, … until the relu margin and F32_LIMIT hold (deterministic)."""
    base = SEEDS[(mode, family)]
    for seed in range(base, base + SEED_TRIES):
        case = make_case_with_seed(mode, family, seed)
        if case is not None:
            return case
    raise RuntimeError(f"{mode}_{family}: no seed in {base}..{base + SEED_TRIES - 1} keeps relu inputs "
                       f"{RELU_MARGIN} away from zero and float32 within {F32_LIMIT}")


def make_case_with_seed(mode: str, family: str, seed: int):
    torch.manual_seed(seed)
    model32 = build(mode, family)
    perturb(model32)
    x32, target32 = sample_data(mode)

    model64 = copy.deepcopy(model32).double()
    watch = ReluWatch(model64)
    out, loss, grad_x, traces = evaluate(mode, model64, x32.double(), target32.double())
    if watch.smallest < RELU_MARGIN:
        print(f"  {mode}_{family} seed {seed}: a relu input is {watch.smallest:.2e} from zero; next seed")
        return None

    weights = {k: v for k, v in model32.state_dict().items()}
    expected = (expected_seq2seq_names(family, SEQ2SEQ["layers"]) if mode == "seq2seq"
                else expected_predictor_names(family, PREDICTOR["layers"]))
    if list(weights) != expected:
        raise RuntimeError(f"{mode}_{family}: state_dict names differ from MODELS.md: {list(weights)}")

    data: Dict[str, torch.Tensor] = {"input": x32, "target": target32, "output": out, "loss": loss,
                                     "grad_input": grad_x}
    if mode == "seq2seq":
        # Kymo's layout [B, T, C, H, W]; with C = 1 the bytes equal those of `input`.
        data["input_btchw"] = x32.permute(0, 2, 1, 3, 4)
    else:
        data["sequence"] = torch.cat([x32, target32], dim=1)           # [B, T+T', C, H, W]
    for name, p in model64.named_parameters():
        data[f"grad.{name}"] = p.grad
    data.update(traces)

    # Softmax rows are invariant to adding the same number to every logit, so
    # the key biases get no gradient: their goldens are float64 round-off.
    zero = [n for n in weights if n.endswith(("key_h.bias", "key_m.bias"))]
    for n in zero:
        if data[f"grad.{n}"].abs().max().item() > 1e-12:
            raise RuntimeError(f"{mode}_{family}: grad.{n} should vanish")

    # The same step in float32, to state how close a float32 evaluation lands
    # (per tensor: max |error| / max |golden|).
    out_f, loss_f, grad_x_f, _ = evaluate(mode, model32, x32, target32)
    errors: Dict[str, float] = {}
    pairs = [("output", out_f), ("loss", loss_f), ("grad_input", grad_x_f)] + \
            [(f"grad.{n}", p.grad) for n, p in model32.named_parameters() if n not in zero]
    for name, value in pairs:
        ref = data[name].detach().double()
        err = (value.detach().double() - ref).abs().max().item()
        errors[name] = float(f"{err / max(ref.abs().max().item(), 1e-30):.3g}")
    worst = max(errors.values())
    if worst > F32_LIMIT:
        print(f"  {mode}_{family} seed {seed}: float32 run misses a golden by {worst:.2e}; next seed")
        return None

    config = dict(SEQ2SEQ if mode == "seq2seq" else PREDICTOR)
    config.update(family=family, mode=mode)
    meta = {"config": config, "seed": str(seed),
            "loss": "bce, reduction sum" if mode == "seq2seq" else "mse, reduction mean",
            "f32_err_over_max_abs": f"{worst:.3g}", "f32_errors": errors, "zero_gradients": zero,
            "relu_margin": "n/a" if watch.smallest == float("inf") else f"{watch.smallest:.3g}",
            "query": list(QUERY) if mode == "seq2seq" else "n/a",
            "parameters": list(weights)}
    return weights, data, meta


def main() -> int:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    index: List[Dict] = []
    total = 0
    for mode in ("seq2seq", "predictor"):
        for family in FAMILIES:
            weights, data, meta = make_case(mode, family)
            stem = f"{mode}_{family}"
            for kind, tensors in (("weights", weights), ("data", data)):
                path = os.path.join(OUT_DIR, f"{stem}.{kind}.safetensors")
                file_meta = {"case": stem, "kind": kind, "config": meta["config"], "seed": meta["seed"]}
                if kind == "data":
                    file_meta.update({k: meta[k] for k in ("loss", "f32_err_over_max_abs", "relu_margin",
                                                           "query", "zero_gradients")})
                size = write(path, tensors, file_meta, SCRIPT)
                read_back(path, tensors)
                if size > MAX_FILE:
                    raise RuntimeError(f"{path} is {size} bytes, over {MAX_FILE}")
                total += size
                print(f"{stem + '.' + kind:34s} {size:7d} B")
            index.append({"case": stem, "config": meta["config"], "loss": meta["loss"],
                          "seed": int(meta["seed"]), "parameters": meta["parameters"],
                          "data": {k: list(v.shape) for k, v in data.items()},
                          "f32_err_over_max_abs": float(meta["f32_err_over_max_abs"]),
                          "f32_errors": meta["f32_errors"], "zero_gradients": meta["zero_gradients"],
                          "relu_margin": meta["relu_margin"]})
            print(f"  float32-vs-float64 max err / max |value|: {meta['f32_err_over_max_abs']}, "
                  f"smallest relu input: {meta['relu_margin']}")
    with open(os.path.join(OUT_DIR, "models_manifest.json"), "w") as fh:
        json.dump({"generator": SCRIPT, "torch": torch.__version__, "cases": index}, fh, indent=1)
        fh.write("\n")
    print(f"{total} bytes of model goldens in {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
