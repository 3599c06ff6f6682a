"""Checks of the PyTorch reference against MODELS.md written out independently, and of the goldens.

Run: python3 reference/tests/test_reference.py   (a few seconds)
Not a test of Kymo: the Swift tests read the golden files.
"""

from __future__ import annotations

import json
import math
import os
import sys
import unittest

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from kymo_reference.metrics import frame_ssim  # noqa: E402
from kymo_reference.models import (ConvLSTMCell, Predictor, SAConvLSTMCell, SAMConvLSTMCell,  # noqa: E402
                                   Seq2Seq, SelfAttention, patchify, unpatchify)

ROOT = os.path.dirname(os.path.dirname(HERE))
ENGINE_GOLDENS = os.path.join(ROOT, "Tests", "TensorEngineTests", "Goldens")
MODEL_GOLDENS = os.path.join(ROOT, "Tests", "ModelsTests", "Goldens")


class NamesTest(unittest.TestCase):
    def test_seq2seq_names_follow_the_models_table(self):
        cases = {
            "convlstm": ["sequential.convlstm1.ConvLSTMCell.conv.weight",
                         "sequential.convlstm1.ConvLSTMCell.conv.bias",
                         "sequential.convlstm2.ConvLSTMCell.W_ci",
                         "sequential.convlstm2.ConvLSTMCell.W_co",
                         "sequential.convlstm2.ConvLSTMCell.W_cf"],
            "sa_convlstm": ["sequential.sa_convlstm1.sa_convlstm_cell.convlstm_cell.W_ci",
                            "sequential.sa_convlstm1.sa_convlstm_cell.attention_x.query_h.weight",
                            "sequential.sa_convlstm2.sa_convlstm_cell.attention_h.z.bias",
                            "sequential.sa_convlstm2.sa_convlstm_cell.attention_x.value_h.bias",
                            "sequential.sa_convlstm1.sa_convlstm_cell.attention_h.key_h.weight"],
            "sam_convlstm": ["sequential.sam-convlstm1.sam_convlstm_cell.convlstm_cell.conv.weight",
                             "sequential.sam-convlstm2.sam_convlstm_cell.attention_memory.w_z.weight",
                             "sequential.sam-convlstm1.sam_convlstm_cell.attention_memory.w.bias",
                             "sequential.sam-convlstm1.sam_convlstm_cell.attention_memory.key_m.weight",
                             "sequential.sam-convlstm2.sam_convlstm_cell.attention_memory.z_h.bias"],
        }
        common = ["sequential.layernorm1.weight", "sequential.layernorm2.bias",
                  "sequential.conv3d.weight", "sequential.conv3d.bias"]
        per_layer = {"convlstm": 5, "sa_convlstm": 5 + 16, "sam_convlstm": 5 + 18}
        for family, names in cases.items():
            sd = Seq2Seq(family, 1, 4, 2, 3, (8, 8), 3, "relu", 2).state_dict()
            for name in names + common:
                self.assertIn(name, sd, family)
            self.assertEqual(len(sd), 2 * (per_layer[family] + 2) + 2, family)
            self.assertEqual(list(sd[f"sequential.layernorm1.weight"].shape), [4, 3, 8, 8])
        sd = Seq2Seq("sam_convlstm", 1, 4, 1, 3, (8, 8), 3, "relu", 2).state_dict()
        self.assertEqual(list(sd["sequential.sam-convlstm1.sam_convlstm_cell.attention_memory.w_z.weight"].shape),
                         [8, 8, 1, 1])
        self.assertEqual(list(sd["sequential.sam-convlstm1.sam_convlstm_cell.attention_memory.w.weight"].shape),
                         [12, 12, 1, 1])

    def test_predictor_names(self):
        sd = Predictor("sa_convlstm", 1, 4, 2, 3, 8, 2, 3, 2, "tanh", 2).state_dict()
        self.assertEqual(list(sd["layers.1.convlstm_cell.conv.weight"].shape), [16, 8, 3, 3])
        self.assertEqual(list(sd["layers.2.convlstm_cell.W_cf"].shape), [4, 4, 4])
        self.assertEqual(list(sd["layers.2.attention_h.query_h.weight"].shape), [2, 4, 1, 1])
        self.assertEqual(list(sd["head.weight"].shape), [4, 4, 1, 1])
        self.assertNotIn("layers.0.convlstm_cell.W_ci", sd)


class EquationsTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(7)

    def test_convlstm_cell_matches_the_equations(self):
        cell = ConvLSTMCell(2, 3, 3, (5, 6), "tanh").double()
        with torch.no_grad():
            for p in (cell.W_ci, cell.W_cf, cell.W_co):
                p.uniform_(-1, 1)
        x, h, c = (torch.randn(2, n, 5, 6, dtype=torch.float64) for n in (2, 3, 3))
        h1, c1 = cell(x, h, c)
        w, b = cell.conv.weight, cell.conv.bias
        blocks = [F.conv2d(torch.cat([x, h], 1), w[k * 3:(k + 1) * 3], b[k * 3:(k + 1) * 3], padding=1)
                  for k in range(4)]
        i = torch.sigmoid(blocks[0] + cell.W_ci * c)
        f = torch.sigmoid(blocks[1] + cell.W_cf * c)
        c_new = f * c + i * torch.tanh(blocks[2])
        o = torch.sigmoid(blocks[3] + cell.W_co * c_new)
        self.assertTrue(torch.allclose(c1, c_new, atol=1e-12))
        self.assertTrue(torch.allclose(h1, o * torch.tanh(c_new), atol=1e-12))

    def test_attention_pixel_by_pixel(self):
        sa = SelfAttention(3, 2).double()
        h = torch.randn(1, 3, 3, 4, dtype=torch.float64)
        torch.set_grad_enabled(False)
        self.addCleanup(torch.set_grad_enabled, True)
        out, a = sa(h)
        q = sa.query_h(h)[0].reshape(2, 12)
        k = sa.key_h(h)[0].reshape(2, 12)
        v = sa.value_h(h)[0].reshape(3, 12)
        z = torch.zeros(3, 12, dtype=torch.float64)
        for n in range(12):                       # query pixel n, row n of A; no 1/sqrt(d)
            logits = torch.tensor([float(q[:, n] @ k[:, m]) for m in range(12)], dtype=torch.float64)
            row = torch.exp(logits) / torch.exp(logits).sum()
            self.assertTrue(torch.allclose(a[0, n], row, atol=1e-12))
            z[:, n] = (v * row).sum(dim=1)
        expected = sa.z(z.reshape(1, 3, 3, 4))
        self.assertTrue(torch.allclose(out, expected, atol=1e-12))

    def test_sa_cell_adds_attention_to_hidden_state(self):
        cell = SAConvLSTMCell(2, 3, 3, (4, 4), "tanh", 2).double()
        x, h, c = (torch.randn(2, n, 4, 4, dtype=torch.float64) for n in (2, 3, 3))
        h_out, c_out, _ = cell(x, h, c)
        h_core, c_core = cell.convlstm_cell(cell.attention_x(x)[0], h, c)
        self.assertTrue(torch.allclose(c_out, c_core, atol=1e-12))
        self.assertTrue(torch.allclose(h_out, h_core + cell.attention_h(h_core)[0], atol=1e-12))

    def test_sam_memory_update(self):
        cell = SAMConvLSTMCell(2, 3, 3, (4, 4), "relu", 2).double()
        x, h, c, m = (torch.randn(2, n, 4, 4, dtype=torch.float64) for n in (2, 3, 3, 3))
        h_out, _, m_out, _ = cell(x, h, c, m)
        sam = cell.attention_memory
        hc, _ = cell.convlstm_cell(x, h, c)
        mi, mg, mo = torch.chunk(sam.w(torch.cat([sam.w_z(torch.cat([
            sam.z_h(SelfAttentionLike(sam.query_h, sam.key_h, sam.value_h)(hc, hc)),
            sam.z_m(SelfAttentionLike(sam.query_h, sam.key_m, sam.value_m)(hc, m))], 1)), hc], 1)), 3, 1)
        m_new = (1 - torch.sigmoid(mi)) * m + torch.sigmoid(mi) * torch.tanh(mg)
        self.assertTrue(torch.allclose(m_out, m_new, atol=1e-12))
        self.assertTrue(torch.allclose(h_out, torch.sigmoid(mo) * m_new, atol=1e-12))


class SelfAttentionLike:
    """Queries from one tensor, keys and values from another, written with einsum."""

    def __init__(self, wq, wk, wv):
        self.wq, self.wk, self.wv = wq, wk, wv

    def __call__(self, hq, hkv):
        b, ch, hh, ww = hq.shape
        q = self.wq(hq).flatten(2)
        k = self.wk(hkv).flatten(2)
        v = self.wv(hkv).flatten(2)
        a = torch.softmax(torch.einsum("bdn,bdm->bnm", q, k), dim=-1)
        return torch.einsum("bcm,bnm->bcn", v, a).reshape(b, ch, hh, ww)


class PatchAndPredictorTest(unittest.TestCase):
    def test_patch_channel_order(self):
        p = 2
        x = torch.arange(2 * 3 * 4 * 6, dtype=torch.float32).reshape(2, 3, 4, 6)
        y = patchify(x, p)
        self.assertEqual(list(y.shape), [2, 12, 2, 3])
        for c in range(3):
            for dy in range(p):
                for dx in range(p):
                    self.assertTrue(torch.equal(y[:, c * p * p + dy * p + dx], x[:, c, dy::p, dx::p]))
        self.assertTrue(torch.equal(unpatchify(y, p), x))

    def test_predictor_feeds_back_predictions(self):
        torch.manual_seed(3)
        model = Predictor("convlstm", 1, 4, 2, 3, 8, 2, 3, 2, "tanh", 2).double()
        seq = torch.rand(2, 5, 1, 8, 8, dtype=torch.float64)
        free = model(seq[:, :3])
        self.assertEqual(list(free.shape), [2, 2, 1, 8, 8])
        self.assertTrue(torch.allclose(model(seq, sampling_mask=torch.zeros(2, 1)), free, atol=1e-12))
        teacher = model(seq, sampling_mask=torch.ones(2, 1))
        self.assertTrue(torch.allclose(teacher[:, 0], free[:, 0], atol=1e-12))
        self.assertFalse(torch.allclose(teacher[:, 1], free[:, 1], atol=1e-6))
        # With the true frame 4 fed back, the second prediction equals a 4-frame teacher-forced run.
        model4 = Predictor("convlstm", 1, 4, 2, 3, 8, 2, 4, 1, "tanh", 2).double()
        model4.load_state_dict(model.state_dict())
        self.assertTrue(torch.allclose(model4(seq[:, :4])[:, 0], teacher[:, 1], atol=1e-12))


class SSIMDefinitionTest(unittest.TestCase):
    def test_skimage_matches_the_written_definition(self):
        rng = np.random.default_rng(5)
        a, b = rng.random((16, 16)), rng.random((16, 16))
        r = int(3.5 * 1.5 + 0.5)
        taps = np.exp(-0.5 * (np.arange(-r, r + 1) / 1.5) ** 2)
        taps /= taps.sum()

        def blur(img):
            padded = np.pad(img, r, mode="symmetric")      # scipy 'reflect' = numpy 'symmetric'
            rows = np.stack([padded[i:i + 16] for i in range(2 * r + 1)])
            img = np.tensordot(taps, rows, axes=1)
            cols = np.stack([img[:, j:j + 16] for j in range(2 * r + 1)])
            return np.tensordot(taps, cols, axes=1)

        ux, uy = blur(a), blur(b)
        vx, vy, vxy = blur(a * a) - ux ** 2, blur(b * b) - uy ** 2, blur(a * b) - ux * uy
        c1, c2 = 0.01 ** 2, 0.03 ** 2
        s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
        self.assertEqual(2 * r + 1, 11)
        self.assertAlmostEqual(float(s[r:-r, r:-r].mean()), frame_ssim(a, b), places=12)


class GoldenFilesTest(unittest.TestCase):
    def test_engine_goldens_small_and_complete(self):
        with open(os.path.join(ENGINE_GOLDENS, "manifest.json")) as fh:
            manifest = json.load(fh)
        total = 0
        for case in manifest["cases"]:
            path = os.path.join(ENGINE_GOLDENS, case["file"])
            size = os.path.getsize(path)
            self.assertLess(size, 200 * 1024, path)
            total += size
            tensors = load_file(path)
            self.assertEqual(sorted(tensors), sorted(case["tensors"]), path)
            self.assertTrue(all(t.dtype == torch.float32 for t in tensors.values()))
        self.assertLess(total, 2 * 1024 * 1024)

    def test_model_goldens_reload_into_torch(self):
        with open(os.path.join(MODEL_GOLDENS, "models_manifest.json")) as fh:
            manifest = json.load(fh)
        self.assertEqual(len(manifest["cases"]), 6)
        for case in manifest["cases"]:
            cfg = case["config"]
            weights = load_file(os.path.join(MODEL_GOLDENS, case["case"] + ".weights.safetensors"))
            data = load_file(os.path.join(MODEL_GOLDENS, case["case"] + ".data.safetensors"))
            if cfg["mode"] == "seq2seq":
                model = Seq2Seq(cfg["family"], cfg["channels"], cfg["hidden"], cfg["layers"], cfg["kernel"],
                                (cfg["size"], cfg["size"]), cfg["frames_in"], cfg["activation"],
                                cfg["attention_hidden"])
            else:
                model = Predictor(cfg["family"], cfg["channels"], cfg["hidden"], cfg["layers"], cfg["kernel"],
                                  cfg["size"], cfg["patch"], cfg["frames_in"], cfg["frames_out"],
                                  cfg["activation"], cfg["attention_hidden"])
            model.load_state_dict(weights, strict=True)
            model = model.double()
            out = model(data["input"].double())
            self.assertTrue(torch.allclose(out.float(), data["output"], rtol=1e-6, atol=1e-7), case["case"])
            for name in weights:
                self.assertIn(f"grad.{name}", data)
            if cfg["mode"] == "seq2seq":
                loss = F.binary_cross_entropy(out, data["target"].double(), reduction="sum")
            else:
                loss = F.mse_loss(out, data["target"].double())
            self.assertTrue(math.isclose(loss.item(), data["loss"].item(), rel_tol=1e-6))


if __name__ == "__main__":
    unittest.main()
