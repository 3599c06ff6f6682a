#!/usr/bin/env python3
"""Weights files as PyTorch users hand them to Kymo's `load`, right and wrong.

Writes to Tests/ModelsTests/Goldens/weights/ (read by WeightsLoadTests.swift),
every file made by PyTorch itself (`safetensors.torch.save_file`, `torch.save`,
`nn.DataParallel`, `torch.compile`), none by Kymo:

  sam_relu.safetensors          a relu seq2seq SAM state_dict (no kymo.config), peepholes
                                and LayerNorm moved off their initial values
  sam_relu_check.safetensors    its input x [B, T, C, H, W] (Kymo's layout) and output y
  sam_hidden5.safetensors       the same family and mode with hidden 5 (shapes that do not fit hidden 3)
  sam_predictor.safetensors     a predictor SAM state_dict (names layers.n.…, head.…)
  sam_module.safetensors        nn.DataParallel(model).state_dict(): every name under module.
  sam_compiled.safetensors      torch.compile(model).state_dict(): every name under _orig_mod.
  sam_upstream_names.safetensors  the state_dict under the upstream repository's earlier layer
                                name sa-convlstm1 for the first SAM layer
  sam_no_peepholes.safetensors  the state_dict without W_ci/W_co/W_cf, as the upstream code
                                on a GPU saves it (its peepholes are not registered parameters)
  sam_int.safetensors           the state_dict with four tensors exported as integers/bool:
                                an int32 bias, an int64 and a bool tensor, a uint8 LayerNorm weight
  convlstm_zip.pt               torch.save(state_dict)                       (zip archive)
  convlstm_legacy.pt            torch.save(..., _use_new_zipfile_serialization=False) (pickle)
  convlstm_nested.pth           torch.save({"model": state_dict, "epoch": 3})
  convlstm_pickle.safetensors   the legacy pickle under a .safetensors name
  sa_upstream.safetensors       an SA seq2seq state_dict, and
  sa_upstream_check.safetensors its input x, the upstream cell's output y_upstream
                                (SA_h(h) + SA_h(h), `new_h += new_h` as upstream writes it)
                                and the residual cell's output y_residual (h + SA_h(h))

Rerun: python3 reference/gen_weights_fixtures.py   (from the repository root;
needs torch and safetensors; a few seconds). The files are small (< 40 KB each)
and byte-identical on a rerun, except the legacy pickle (convlstm_legacy.pt and
its copy), whose storage keys are object addresses.
"""

from __future__ import annotations

import os
import shutil
import sys

import torch
from safetensors.torch import save_file
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kymo_reference.models import Predictor, SAConvLSTMCell, Seq2Seq  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ModelsTests", "Goldens", "weights")

# The seq2seq SAM model of most fixtures (Kymo: sam_convlstm(mode: "seq2seq", layers: 2,
# hidden: 3, kernel: 3, size: 6, channels: 1, frames_in: 2, activation: "relu", attention_hidden: 2)).
SAM = dict(channels=1, hidden=3, layers=2, kernel=3, frame_size=(6, 6), frames_in=2,
           activation="relu", attention_hidden=2)


def moved(model: nn.Module, seed: int) -> nn.Module:
    """Peepholes and LayerNorm moved off their initial values (zeros, ones, zeros)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.split(".")[-1] in ("W_ci", "W_co", "W_cf"):
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
            elif "layernorm" in name:
                p.add_(0.2 * torch.randn(p.shape, generator=g))
    return model


def state(model: nn.Module) -> dict:
    return {k: v.detach().contiguous() for k, v in model.state_dict().items()}


class UpstreamSAConvLSTMCell(SAConvLSTMCell):
    """The upstream repository's SA cell: its forward ends with
    `new_h, attention = self.attention_h(new_h); new_h += new_h`, i.e.
    h_out = SA_h(h) + SA_h(h) (the hidden state h itself is dropped)."""

    def forward(self, x, h, c):
        x_att, _ = self.attention_x(x)
        new_h, new_c = self.convlstm_cell(x_att, h, c)
        new_h, attention = self.attention_h(new_h)
        new_h += new_h
        return new_h, new_c, attention


def upstream(model: Seq2Seq) -> Seq2Seq:
    """The same model and parameters with every SA cell computing upstream's doubling."""
    for layer in model.recurrent_layers():
        cell = getattr(layer, layer.cell_name)
        cell.__class__ = UpstreamSAConvLSTMCell
    return model


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(3101)
    sizes = {}

    def put(name: str, tensors: dict) -> None:
        path = os.path.join(OUT, name)
        save_file(tensors, path)
        sizes[name] = os.path.getsize(path)

    # 1. relu SAM seq2seq, its output on a random input.
    sam = moved(Seq2Seq("sam_convlstm", **SAM), 1).eval()
    sd = state(sam)
    put("sam_relu.safetensors", sd)
    x = torch.rand(2, 2, 1, 6, 6)                       # Kymo's [B, T, C, H, W]
    with torch.no_grad():
        y = sam(x.permute(0, 2, 1, 3, 4)).permute(0, 2, 1, 3, 4).contiguous()
    put("sam_relu_check.safetensors", {"x": x, "y": y})

    # 2. Shapes of another hidden size; a predictor's names.
    put("sam_hidden5.safetensors", state(Seq2Seq("sam_convlstm", **{**SAM, "hidden": 5})))
    put("sam_predictor.safetensors", state(Predictor("sam_convlstm", channels=1, hidden=3, layers=2, kernel=3,
                                                     size=6, patch=1, frames_in=2, frames_out=2,
                                                     activation="relu", attention_hidden=2)))

    # 3. Wrappers' prefixes, made by the wrappers themselves.
    put("sam_module.safetensors", state(nn.DataParallel(sam)))
    put("sam_compiled.safetensors", state(torch.compile(sam)))
    assert all(k.startswith("module.") for k in state(nn.DataParallel(sam)))
    assert all(k.startswith("_orig_mod.") for k in state(torch.compile(sam)))

    # 4. The upstream's earlier first-layer name; peepholes not saved.
    put("sam_upstream_names.safetensors",
        {k.replace("sequential.sam-convlstm1.", "sequential.sa-convlstm1."): v for k, v in sd.items()})
    put("sam_no_peepholes.safetensors", {k: v for k, v in sd.items() if k.split(".")[-1] not in ("W_ci", "W_co", "W_cf")})

    # 5. Integer and bool tensors (an exporter that rounds).
    bad = dict(sd)
    b1 = "sequential.sam-convlstm1.sam_convlstm_cell.convlstm_cell.conv.bias"
    bad[b1] = sd[b1].to(torch.int32)                                    # 0.0283 → 0
    b2 = "sequential.conv3d.bias"
    bad[b2] = torch.ones_like(sd[b2]).to(torch.int64)
    b3 = "sequential.sam-convlstm2.sam_convlstm_cell.attention_memory.w.bias"
    bad[b3] = (sd[b3] > 0)
    w = "sequential.layernorm1.weight"
    bad[w] = (sd[w] * 95).round().clamp(0, 255).to(torch.uint8)
    put("sam_int.safetensors", bad)

    # 6. torch.save files: zip, legacy pickle, nested dict, a pickle renamed.
    small = Seq2Seq("convlstm", channels=1, hidden=2, layers=1, kernel=3, frame_size=(4, 4), frames_in=2,
                    activation="relu")
    ssd = state(small)
    for name, obj, kw in [("convlstm_zip.pt", ssd, {}),
                          ("convlstm_legacy.pt", ssd, {"_use_new_zipfile_serialization": False}),
                          ("convlstm_nested.pth", {"model": ssd, "epoch": 3}, {})]:
        torch.save(obj, os.path.join(OUT, name), **kw)
        sizes[name] = os.path.getsize(os.path.join(OUT, name))
    shutil.copyfile(os.path.join(OUT, "convlstm_legacy.pt"), os.path.join(OUT, "convlstm_pickle.safetensors"))
    sizes["convlstm_pickle.safetensors"] = sizes["convlstm_legacy.pt"]
    assert set(torch.load(os.path.join(OUT, "convlstm_zip.pt"))) == set(ssd)

    # 7. The upstream SA cell's doubling, against the residual, on the same weights.
    sa = moved(Seq2Seq("sa_convlstm", **SAM), 2).eval()
    put("sa_upstream.safetensors", state(sa))
    xs = torch.rand(2, 2, 1, 6, 6)
    with torch.no_grad():
        y_res = sa(xs.permute(0, 2, 1, 3, 4)).permute(0, 2, 1, 3, 4).contiguous()
        y_up = upstream(sa)(xs.permute(0, 2, 1, 3, 4)).permute(0, 2, 1, 3, 4).contiguous()
    put("sa_upstream_check.safetensors", {"x": xs, "y_upstream": y_up, "y_residual": y_res})
    print(f"upstream vs residual: max |Δ| {(y_up - y_res).abs().max().item():.4g}")

    for name in sorted(sizes):
        print(f"{sizes[name]:8d}  {name}")
        assert sizes[name] < 40 * 1024, name


if __name__ == "__main__":
    main()
