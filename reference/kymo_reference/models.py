"""The three model families of MODELS.md in PyTorch: ConvLSTM, SA-ConvLSTM, SAM-ConvLSTM.

What it is: the reference Kymo's Swift models are checked against, cell by cell
and parameter name by parameter name, in two assemblies:

* `Seq2Seq` — the reference PyTorch repository's layout: recurrent layers, each
  followed by a LayerNorm over [C, T, H, W], then a 3×3×3 Conv3d and a sigmoid.
  Input [B, C, T, H, W]; output the next frame [B, C, 1, H, W]. Its state_dict
  names are exactly those of the MODELS.md table (`sequential.convlstm1.…`).
* `Predictor` — the paper's frame-by-frame setup: stacked cells over
  frames_in + frames_out − 1 steps on space-to-depth patches, a 1×1 head.
  Input [B, T, C, H, W] (T ≥ frames_in); output [B, frames_out, C, H, W].
  Parameter names `layers.{n}.<cell parameters>` (n from 1) and `head.{weight,bias}`.

What it deliberately is not: a copy of the reference repository's defects. The
SA cell adds the attention to the hidden state (h + SA_h(h), not
SA_h(h) + SA_h(h)); the peephole weights are always registered parameters; the
SAM cell has no input attention (MODELS.md: ConvLSTM then SAM). Nothing here
loads data, trains or logs.

Shape legend: B batch, C channels, T time, H×W frame, N = H·W, Ch hidden
channels, d attention width, p patch size.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

FAMILIES = ("convlstm", "sa_convlstm", "sam_convlstm")

# leaky_relu uses PyTorch's default negative slope (nn.LeakyReLU()), as the
# reference repository does; "leakyRelu" is the repository's spelling.
LEAKY_SLOPE = 0.01
ACTIVATIONS: Dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, LEAKY_SLOPE),
    "leakyRelu": lambda x: F.leaky_relu(x, LEAKY_SLOPE),
    "sigmoid": torch.sigmoid,
}


def activation_fn(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of tanh, relu, leaky_relu, sigmoid")
    return ACTIVATIONS[name]


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------

class ConvLSTMCell(nn.Module):
    """ConvLSTM cell with peepholes (Shi et al. 2015), gate order i, f, g, o.

    conv: [x; h] (Cin + Ch channels) → 4·Ch channels, kernel k, 'same' padding.
    W_ci, W_cf, W_co: [Ch, H, W], one weight per channel and pixel.
    Parameters, in state_dict order (own parameters before submodules):
    W_ci, W_co, W_cf, conv.weight, conv.bias.
    """

    def __init__(self, in_channels: int, hidden: int, kernel: int,
                 frame_size: Tuple[int, int], activation: str = "tanh") -> None:
        super().__init__()
        if kernel % 2 != 1:
            raise ValueError(f"ConvLSTMCell: kernel {kernel} must be odd for 'same' padding")
        self.in_channels, self.hidden = in_channels, hidden
        self.frame_size = tuple(frame_size)
        self.activation = activation
        self.act = activation_fn(activation)
        self.conv = nn.Conv2d(in_channels + hidden, 4 * hidden, kernel, padding=kernel // 2)
        # Zero-initialised, as in the reference repository (its default initializer).
        self.W_ci = nn.Parameter(torch.zeros(hidden, *self.frame_size))   # [Ch, H, W]
        self.W_co = nn.Parameter(torch.zeros(hidden, *self.frame_size))   # [Ch, H, W]
        self.W_cf = nn.Parameter(torch.zeros(hidden, *self.frame_size))   # [Ch, H, W]

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        # x [B, Cin, H, W], h, c [B, Ch, H, W]
        gates = self.conv(torch.cat([x, h], dim=1))                 # [B, 4Ch, H, W]
        conv_i, conv_f, conv_g, conv_o = torch.chunk(gates, 4, dim=1)
        i = torch.sigmoid(conv_i + self.W_ci * c)
        f = torch.sigmoid(conv_f + self.W_cf * c)
        c_new = f * c + i * self.act(conv_g)
        o = torch.sigmoid(conv_o + self.W_co * c_new)               # peephole on the new cell
        h_new = o * self.act(c_new)
        return h_new, c_new


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """A = softmax_rows(qᵀ k), z = v Aᵀ; no 1/√d scaling.

    q, k: [B, d, N]; v: [B, C, N] → z [B, C, N], A [B, N, N] (row n: where query pixel n looks).
    """
    a = torch.softmax(torch.bmm(q.transpose(1, 2), k), dim=-1)      # [B, N, N]
    z = torch.bmm(v, a.transpose(1, 2))                            # [B, C, N]
    return z, a


class SelfAttention(nn.Module):
    """The SA module: 1×1 convs query_h, key_h (C → d), value_h, z (C → C)."""

    def __init__(self, channels: int, attention_hidden: int) -> None:
        super().__init__()
        self.query_h = nn.Conv2d(channels, attention_hidden, 1)
        self.key_h = nn.Conv2d(channels, attention_hidden, 1)
        self.value_h = nn.Conv2d(channels, channels, 1)
        self.z = nn.Conv2d(channels, channels, 1)

    def forward(self, h: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        b, ch, hh, ww = h.shape                                     # h [B, C, H, W]
        q = self.query_h(h).reshape(b, -1, hh * ww)                 # [B, d, N]
        k = self.key_h(h).reshape(b, -1, hh * ww)                   # [B, d, N]
        v = self.value_h(h).reshape(b, ch, hh * ww)                 # [B, C, N]
        z, a = attend(q, k, v)
        return self.z(z.reshape(b, ch, hh, ww)), a                  # [B, C, H, W], [B, N, N]


class SAConvLSTMCell(nn.Module):
    """SA-ConvLSTM cell (the reference repository's variant, residual fixed).

    x' = SA_x(x); (h, c) = ConvLSTM(x', h_prev, c_prev); h_out = h + SA_h(h).
    Returns (h_out, c, A_h) with A_h [B, N, N] the hidden-state attention.
    """

    def __init__(self, in_channels: int, hidden: int, kernel: int, frame_size: Tuple[int, int],
                 activation: str, attention_hidden: int) -> None:
        super().__init__()
        self.convlstm_cell = ConvLSTMCell(in_channels, hidden, kernel, frame_size, activation)
        self.attention_x = SelfAttention(in_channels, attention_hidden)
        self.attention_h = SelfAttention(hidden, attention_hidden)

    def forward(self, x, h, c):
        x_att, _ = self.attention_x(x)
        h_new, c_new = self.convlstm_cell(x_att, h, c)
        sa_h, a_h = self.attention_h(h_new)
        return h_new + sa_h, c_new, a_h


class SelfAttentionMemory(nn.Module):
    """The SAM module (Lin et al., AAAI 2020) over the hidden state H and memory M.

    1×1 convs: query_h, key_h, key_m (C → d); value_h, z_h, value_m, z_m (C → C);
    w_z (2C → 2C); w (3C → 3C), split into m_i, m_g, m_o in that order.
    Returns (H_out, M, A_h).
    """

    def __init__(self, channels: int, attention_hidden: int) -> None:
        super().__init__()
        c, d = channels, attention_hidden
        self.query_h = nn.Conv2d(c, d, 1)
        self.key_h = nn.Conv2d(c, d, 1)
        self.value_h = nn.Conv2d(c, c, 1)
        self.z_h = nn.Conv2d(c, c, 1)
        self.key_m = nn.Conv2d(c, d, 1)
        self.value_m = nn.Conv2d(c, c, 1)
        self.z_m = nn.Conv2d(c, c, 1)
        self.w_z = nn.Conv2d(2 * c, 2 * c, 1)
        self.w = nn.Conv2d(3 * c, 3 * c, 1)

    def forward(self, h: torch.Tensor, m: torch.Tensor):
        b, ch, hh, ww = h.shape                                     # h, m [B, C, H, W]
        n = hh * ww
        q_h = self.query_h(h).reshape(b, -1, n)                     # [B, d, N]
        k_h = self.key_h(h).reshape(b, -1, n)
        v_h = self.value_h(h).reshape(b, ch, n)                     # [B, C, N]
        z_h, a_h = attend(q_h, k_h, v_h)
        z_h = self.z_h(z_h.reshape(b, ch, hh, ww))
        k_m = self.key_m(m).reshape(b, -1, n)
        v_m = self.value_m(m).reshape(b, ch, n)
        z_m, _ = attend(q_h, k_m, v_m)
        z_m = self.z_m(z_m.reshape(b, ch, hh, ww))
        z = self.w_z(torch.cat([z_h, z_m], dim=1))                  # [B, 2C, H, W]
        m_i, m_g, m_o = torch.chunk(self.w(torch.cat([z, h], dim=1)), 3, dim=1)
        i = torch.sigmoid(m_i)
        g = torch.tanh(m_g)
        o = torch.sigmoid(m_o)
        m_new = (1 - i) * m + i * g
        return o * m_new, m_new, a_h


class SAMConvLSTMCell(nn.Module):
    """SAM-ConvLSTM cell: (h, c) = ConvLSTM(x, h_prev, c_prev); (h_out, M) = SAM(h, M_prev).

    Returns (h_out, c, M, A_h).
    """

    def __init__(self, in_channels: int, hidden: int, kernel: int, frame_size: Tuple[int, int],
                 activation: str, attention_hidden: int) -> None:
        super().__init__()
        self.convlstm_cell = ConvLSTMCell(in_channels, hidden, kernel, frame_size, activation)
        self.attention_memory = SelfAttentionMemory(hidden, attention_hidden)

    def forward(self, x, h, c, m):
        h_new, c_new = self.convlstm_cell(x, h, c)
        h_out, m_new, a_h = self.attention_memory(h_new, m)
        return h_out, c_new, m_new, a_h


def make_cell(family: str, in_channels: int, hidden: int, kernel: int,
              frame_size: Tuple[int, int], activation: str, attention_hidden: int) -> nn.Module:
    if family == "convlstm":
        return ConvLSTMCell(in_channels, hidden, kernel, frame_size, activation)
    if family == "sa_convlstm":
        return SAConvLSTMCell(in_channels, hidden, kernel, frame_size, activation, attention_hidden)
    if family == "sam_convlstm":
        return SAMConvLSTMCell(in_channels, hidden, kernel, frame_size, activation, attention_hidden)
    raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")


class CellState:
    """Uniform stepping over the three cell kinds; states start at zero.

    step(x) → the layer output (also the next hidden state). `attention` holds
    the last step's A_h [B, N, N] for SA/SAM cells, None for ConvLSTM.
    """

    def __init__(self, cell: nn.Module, batch: int, like: torch.Tensor) -> None:
        core = cell if isinstance(cell, ConvLSTMCell) else cell.convlstm_cell
        shape = (batch, core.hidden, *core.frame_size)
        self.cell = cell
        self.h = like.new_zeros(shape)
        self.c = like.new_zeros(shape)
        self.m = like.new_zeros(shape) if isinstance(cell, SAMConvLSTMCell) else None
        self.attention: Optional[torch.Tensor] = None

    def step(self, x: torch.Tensor) -> torch.Tensor:
        if isinstance(self.cell, ConvLSTMCell):
            self.h, self.c = self.cell(x, self.h, self.c)
        elif isinstance(self.cell, SAConvLSTMCell):
            self.h, self.c, self.attention = self.cell(x, self.h, self.c)
        else:
            self.h, self.c, self.m, self.attention = self.cell(x, self.h, self.c, self.m)
        return self.h


# ---------------------------------------------------------------------------
# Seq2seq assembly (the reference repository)
# ---------------------------------------------------------------------------

# (module name prefix of layer n, attribute name of the cell inside the layer)
SEQ2SEQ_NAMES = {
    "convlstm": ("convlstm", "ConvLSTMCell"),
    "sa_convlstm": ("sa_convlstm", "sa_convlstm_cell"),
    "sam_convlstm": ("sam-convlstm", "sam_convlstm_cell"),
}


class RecurrentLayer(nn.Module):
    """One recurrent layer over a sequence [B, C, T, H, W] → [B, Ch, T, H, W].

    The cell is stored under the attribute name the reference repository uses
    (`ConvLSTMCell`, `sa_convlstm_cell`, `sam_convlstm_cell`), so state_dict
    names match. If `keep_attention` is set, `attention_maps` holds A_h for every
    step as [B, T, N, N] after a forward.
    """

    def __init__(self, family: str, in_channels: int, hidden: int, kernel: int,
                 frame_size: Tuple[int, int], activation: str, attention_hidden: int) -> None:
        super().__init__()
        self.cell_name = SEQ2SEQ_NAMES[family][1]
        self.add_module(self.cell_name, make_cell(family, in_channels, hidden, kernel,
                                                  frame_size, activation, attention_hidden))
        self.keep_attention = False
        self.attention_maps: Optional[torch.Tensor] = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, t, _, _ = x.shape
        state = CellState(getattr(self, self.cell_name), b, x)
        outputs: List[torch.Tensor] = []
        maps: List[torch.Tensor] = []
        for step in range(t):
            outputs.append(state.step(x[:, :, step]))
            if self.keep_attention and state.attention is not None:
                maps.append(state.attention)
        self.attention_maps = torch.stack(maps, dim=1) if maps else None
        return torch.stack(outputs, dim=2)                          # [B, Ch, T, H, W]


class Seq2Seq(nn.Module):
    """The reference repository's model: (recurrent layer, LayerNorm[Ch, T, H, W]) × L,
    Conv3d 3×3×3 padding 1 (Ch → channels), sigmoid; returns the last time step.

    Input [B, C, T, H, W] with T == frames_in (the LayerNorm shape fixes T).
    Output [B, C, 1, H, W] (or [B, C, T, H, W] with return_sequences).
    """

    def __init__(self, family: str, channels: int = 1, hidden: int = 64, layers: int = 2,
                 kernel: int = 3, frame_size: Tuple[int, int] = (64, 64), frames_in: int = 10,
                 activation: str = "relu", attention_hidden: int = 16,
                 return_sequences: bool = False) -> None:
        super().__init__()
        if family not in SEQ2SEQ_NAMES:
            raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
        self.family, self.frames_in = family, frames_in
        self.return_sequences = return_sequences
        prefix = SEQ2SEQ_NAMES[family][0]
        self.sequential = nn.Sequential()
        for n in range(1, layers + 1):
            cin = channels if n == 1 else hidden
            self.sequential.add_module(
                f"{prefix}{n}",
                RecurrentLayer(family, cin, hidden, kernel, frame_size, activation, attention_hidden))
            self.sequential.add_module(f"layernorm{n}", nn.LayerNorm([hidden, frames_in, *frame_size]))
        self.sequential.add_module("conv3d", nn.Conv3d(hidden, channels, 3, padding=1))
        self.sequential.add_module("sigmoid", nn.Sigmoid())

    def recurrent_layers(self) -> List[RecurrentLayer]:
        return [m for m in self.sequential if isinstance(m, RecurrentLayer)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 5 or x.shape[2] != self.frames_in:
            raise ValueError(f"Seq2Seq: input must be [B, C, T={self.frames_in}, H, W], got {list(x.shape)}")
        out = self.sequential(x)                                    # [B, C, T, H, W]
        return out if self.return_sequences else out[:, :, -1:]


# ---------------------------------------------------------------------------
# Predictor assembly (the paper's setup)
# ---------------------------------------------------------------------------

def patchify(x: torch.Tensor, p: int) -> torch.Tensor:
    """Space-to-depth: [B, C, H, W] → [B, C·p·p, H/p, W/p].

    Output channel c·p·p + dy·p + dx at (Y, X) holds input channel c at
    (Y·p + dy, X·p + dx) — exactly torch.nn.functional.pixel_unshuffle.
    """
    return F.pixel_unshuffle(x, p) if p > 1 else x


def unpatchify(x: torch.Tensor, p: int) -> torch.Tensor:
    """Depth-to-space, the inverse of `patchify` (torch.nn.functional.pixel_shuffle)."""
    return F.pixel_shuffle(x, p) if p > 1 else x


class Predictor(nn.Module):
    """Stacked cells run frame by frame over frames_in + frames_out − 1 steps.

    Frames are patched (space-to-depth, patch p) before layer 1 and the head's
    output is un-patched. At step t the input is the true frame while
    t < frames_in, afterwards the previous prediction (gradients flow through
    it), or — with `sampling_mask` [B, frames_out − 1], 1 = use the true frame —
    a per-sequence choice between the two (scheduled sampling). The head is a
    1×1 conv (Ch → C·p·p) on the top layer's output, without a squashing
    function. Steps frames_in − 1 … frames_in + frames_out − 2 give the
    frames_out predictions.

    Parameters: `layers.{n}.<cell parameters>` with n = 1 … layers (the
    `cell parameters` column of the MODELS.md table: `conv.weight`, `W_ci`, …
    for ConvLSTM; `convlstm_cell.…`, `attention_x.…`, `attention_h.…` for SA;
    `convlstm_cell.…`, `attention_memory.…` for SAM), then `head.weight`, `head.bias`.
    """

    def __init__(self, family: str, channels: int = 1, hidden: int = 64, layers: int = 4,
                 kernel: int = 3, size: int = 64, patch: int = 4, frames_in: int = 10,
                 frames_out: int = 10, activation: str = "tanh", attention_hidden: int = 16) -> None:
        super().__init__()
        if size % patch != 0:
            raise ValueError(f"Predictor: frame size {size} is not a multiple of patch {patch}")
        if frames_in < 1 or frames_out < 1:
            raise ValueError("Predictor: frames_in and frames_out must be at least 1")
        self.family, self.channels, self.patch = family, channels, patch
        self.frames_in, self.frames_out = frames_in, frames_out
        grid = (size // patch, size // patch)
        cp = channels * patch * patch
        self.layers = nn.ModuleDict()
        for n in range(1, layers + 1):
            self.layers[str(n)] = make_cell(family, cp if n == 1 else hidden, hidden, kernel,
                                            grid, activation, attention_hidden)
        self.head = nn.Conv2d(hidden, cp, 1)
        self.keep_trace = False
        self.trace: Dict[str, torch.Tensor] = {}

    def forward(self, frames: torch.Tensor, sampling_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        # frames [B, T, C, H, W], T ≥ frames_in (T ≥ frames_in + frames_out − 1 with a sampling mask)
        b, t_avail = frames.shape[0], frames.shape[1]
        steps = self.frames_in + self.frames_out - 1
        if t_avail < self.frames_in:
            raise ValueError(f"Predictor: need at least {self.frames_in} input frames, got {t_avail}")
        if sampling_mask is not None and t_avail < steps:
            raise ValueError(f"Predictor: scheduled sampling needs {steps} true frames, got {t_avail}")
        states = [CellState(cell, b, frames) for cell in self.layers.values()]
        predictions: List[torch.Tensor] = []
        hidden_trace: List[List[torch.Tensor]] = [[] for _ in states]
        attention_trace: List[List[torch.Tensor]] = [[] for _ in states]
        previous: Optional[torch.Tensor] = None
        for t in range(steps):
            if t < self.frames_in:
                frame = frames[:, t]
            elif sampling_mask is not None:
                keep = sampling_mask[:, t - self.frames_in].reshape(b, 1, 1, 1).to(frames.dtype)
                frame = keep * frames[:, t] + (1 - keep) * previous
            else:
                frame = previous
            x = patchify(frame, self.patch)                         # [B, C·p·p, H/p, W/p]
            for n, state in enumerate(states):
                x = state.step(x)
                if self.keep_trace:
                    hidden_trace[n].append(x)
                    if state.attention is not None:
                        attention_trace[n].append(state.attention)
            previous = unpatchify(self.head(x), self.patch)         # [B, C, H, W]
            if t >= self.frames_in - 1:
                predictions.append(previous)
        if self.keep_trace:
            self.trace = {}
            for n in range(len(states)):
                self.trace[f"h{n + 1}"] = torch.stack(hidden_trace[n], dim=1)
                if attention_trace[n]:
                    self.trace[f"attention{n + 1}"] = torch.stack(attention_trace[n], dim=1)
        return torch.stack(predictions, dim=1)                      # [B, frames_out, C, H, W]


def cell_parameter_names(family: str) -> List[str]:
    """The `cell parameters` column of the MODELS.md table, in state_dict order."""
    conv = ["W_ci", "W_co", "W_cf", "conv.weight", "conv.bias"]
    if family == "convlstm":
        return conv
    inner = [f"convlstm_cell.{p}" for p in conv]
    if family == "sa_convlstm":
        sa = [f"{m}.{p}" for m in ("query_h", "key_h", "value_h", "z") for p in ("weight", "bias")]
        return inner + [f"attention_x.{s}" for s in sa] + [f"attention_h.{s}" for s in sa]
    if family == "sam_convlstm":
        mods = ("query_h", "key_h", "value_h", "z_h", "key_m", "value_m", "z_m", "w_z", "w")
        return inner + [f"attention_memory.{m}.{p}" for m in mods for p in ("weight", "bias")]
    raise ValueError(f"unknown family {family!r}")


def expected_seq2seq_names(family: str, layers: int) -> List[str]:
    prefix, cell = SEQ2SEQ_NAMES[family]
    names: List[str] = []
    for n in range(1, layers + 1):
        names += [f"sequential.{prefix}{n}.{cell}.{p}" for p in cell_parameter_names(family)]
        names += [f"sequential.layernorm{n}.weight", f"sequential.layernorm{n}.bias"]
    return names + ["sequential.conv3d.weight", "sequential.conv3d.bias"]


def expected_predictor_names(family: str, layers: int) -> List[str]:
    names = [f"layers.{n}.{p}" for n in range(1, layers + 1) for p in cell_parameter_names(family)]
    return names + ["head.weight", "head.bias"]
