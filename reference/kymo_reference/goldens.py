"""Helpers shared by the golden generators: writing F32 safetensors with metadata.

Goldens are computed in float64 from float32 inputs (a float32 value is exact
in float64) and rounded to float32 only when stored, so a stored output is the
correctly rounded answer for the stored inputs, not one float32 evaluation
order among many. Not a test runner: the Swift tests read these files.
"""

from __future__ import annotations

import json
import os
from typing import Dict, Mapping

import torch
from safetensors.torch import load_file

GENERATOR_NOTE = "kymo reference/{script}, torch {torch}"


def f32(t: torch.Tensor) -> torch.Tensor:
    """Rounded to float32, detached, contiguous: the stored form."""
    return t.detach().to(torch.float32).contiguous()


def write(path: str, tensors: Mapping[str, torch.Tensor], metadata: Mapping[str, object],
          script: str) -> int:
    """Write tensors as F32 safetensors; metadata values that are not strings are JSON-encoded.

    Returns the file size in bytes.
    """
    meta: Dict[str, str] = {"generator": GENERATOR_NOTE.format(script=script, torch=torch.__version__)}
    for key, value in metadata.items():
        meta[key] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(encode_safetensors({name: f32(t) for name, t in tensors.items()}, meta))
    return os.path.getsize(path)


def encode_safetensors(tensors: Mapping[str, torch.Tensor], metadata: Mapping[str, str]) -> bytes:
    """The safetensors format with a stable byte layout (the official writer orders
    metadata keys by hash, so its bytes change run to run).

    Layout: u64 little-endian header length, the JSON header — `__metadata__`
    first, then tensors sorted by name, no spaces, padded with spaces to a
    multiple of 8 — then the F32 little-endian data in the same order.
    """
    header: Dict[str, object] = {"__metadata__": dict(sorted(metadata.items()))}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype != torch.float32:
            raise TypeError(f"{name}: only F32 is written, got {t.dtype}")
        data = t.contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(blobs)


def read_back(path: str, expected: Mapping[str, torch.Tensor]) -> None:
    """Load a written file and check every tensor round-trips exactly."""
    loaded = load_file(path)
    if set(loaded) != set(expected):
        raise RuntimeError(f"{path}: names {sorted(loaded)} differ from {sorted(expected)}")
    for name, t in expected.items():
        if loaded[name].dtype != torch.float32 or not torch.equal(loaded[name], f32(t)):
            raise RuntimeError(f"{path}: tensor {name} does not round-trip")
