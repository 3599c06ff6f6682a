#!/usr/bin/env python3
"""Golden learning-rate schedules and optimizer steps for Kymo's training knobs.

Writes Tests/ModelsTests/Goldens/training_goldens.json:

  schedules   for each schedule: Kymo's spec (the fields of train's `schedule:`
              record), the base lr, and PyTorch's lr (and, for OneCycle, Adam's
              betas[0]) of every one of 1,000 optimizer steps: the value in the
              param group when optimizer.step() runs, then scheduler.step().
              Schedulers: StepLR, SequentialLR(LinearLR, CosineAnnealingLR) (the
              warm-up), CosineAnnealingLR alone, OneCycleLR (defaults; and three-
              phase linear).
  optimizers  small parameter tensors with fixed gradients, several steps of
              SGD / Adam / AdamW with weight decay, clip_grad_norm_ before every
              step and (some cases) OneCycleLR cycling the momentum: the
              parameters after each step, the pre-clip total norm of each step
              (clip_grad_norm_'s return value) and the lr used.

Everything is float32 as PyTorch trains (lr and momenta are Python floats);
every float is written with repr, so it round-trips exactly.

Rerun: python3 reference/gen_training_goldens.py   (from the repository root;
PyTorch 2.x, CPU). CI does not need PyTorch: the JSON is committed.
"""

from __future__ import annotations

import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ModelsTests", "Goldens", "training_goldens.json")
STEPS = 1000


def dummy_optimizer(lr: float, kind: str = "adam"):
    p = torch.nn.Parameter(torch.zeros(1))
    if kind == "sgd":
        return torch.optim.SGD([p], lr=lr)
    return torch.optim.Adam([p], lr=lr)


def run_schedule(opt, sched, steps: int):
    lrs, betas = [], []
    for _ in range(steps):
        g = opt.param_groups[0]
        lrs.append(float(g["lr"]))
        if "betas" in g:
            betas.append(float(g["betas"][0]))
        opt.step()
        sched.step()
    return lrs, betas


def schedules():
    out = []
    lr = 1e-3

    # StepLR
    opt = dummy_optimizer(lr)
    lrs, _ = run_schedule(opt, torch.optim.lr_scheduler.StepLR(opt, step_size=300, gamma=0.5), STEPS)
    out.append({"name": "step", "lr": lr, "spec": {"kind": "step", "step_size": 300, "gamma": 0.5}, "lrs": lrs})

    # cosine annealing over all steps
    opt = dummy_optimizer(lr)
    lrs, _ = run_schedule(opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS, eta_min=0.0), STEPS)
    out.append({"name": "cosine", "lr": lr, "spec": {"kind": "cosine"}, "lrs": lrs})

    # cosine with linear warm-up and a floor
    warm, f, eta = 50, 0.01, 1e-5
    opt = dummy_optimizer(lr)
    s1 = torch.optim.lr_scheduler.LinearLR(opt, start_factor=f, end_factor=1.0, total_iters=warm)
    s2 = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS - warm, eta_min=eta)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [s1, s2], milestones=[warm])
    lrs, _ = run_schedule(opt, sched, STEPS)
    out.append({"name": "cosine_warmup", "lr": lr,
                "spec": {"kind": "cosine", "warmup": warm, "start_factor": f, "eta_min": eta}, "lrs": lrs})

    # OneCycle with PyTorch's defaults (Adam: betas[0] cycles 0.95 → 0.85 → 0.95)
    max_lr = 5e-4
    opt = dummy_optimizer(max_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=STEPS)
    lrs, betas = run_schedule(opt, sched, STEPS)
    out.append({"name": "onecycle", "lr": max_lr, "spec": {"kind": "onecycle", "max_lr": max_lr}, "lrs": lrs,
                "momentum": betas})

    # OneCycle, three phases, linear annealing, other factors
    opt = dummy_optimizer(1.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=STEPS, pct_start=0.25,
                                                anneal_strategy="linear", div_factor=10.0,
                                                final_div_factor=100.0, three_phase=True)
    lrs, betas = run_schedule(opt, sched, STEPS)
    out.append({"name": "onecycle_three_phase_linear", "lr": 1.0,
                "spec": {"kind": "onecycle", "max_lr": 2e-3, "pct_start": 0.25, "anneal": "linear",
                         "div_factor": 10.0, "final_div_factor": 100.0, "three_phase": True},
                "lrs": lrs, "momentum": betas})
    return out


def f32(t: torch.Tensor):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def optimizer_case(name, kind, lr, wd, clip, steps, schedule=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    shapes = [[3, 4], [5], [2, 1, 3]]
    params = [torch.nn.Parameter(torch.randn(s, generator=g)) for s in shapes]
    grads = [[torch.randn(s, generator=g) * (0.5 + k) for s in shapes] for k in range(steps)]
    initial = [f32(p) for p in params]
    if kind == "sgd":
        opt = torch.optim.SGD(params, lr=lr, weight_decay=wd)
    elif kind == "adam":
        opt = torch.optim.Adam(params, lr=lr, weight_decay=wd)
    else:
        opt = torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    sched = None
    spec = {"kind": "constant"}
    if schedule is not None:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=schedule)
        spec = {"kind": "onecycle", "pct_start": schedule}
    after, norms, lrs = [], [], []
    for k in range(steps):
        for p, gr in zip(params, grads[k]):
            p.grad = gr.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm=clip)
        norms.append(float(norm))
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        if sched is not None:
            sched.step()
        after.append([f32(p) for p in params])
    return {"name": name, "optimizer": kind, "lr": lr, "weight_decay": wd, "clip": clip, "schedule": spec,
            "shapes": shapes, "initial": initial, "grads": [[f32(x) for x in gk] for gk in grads],
            "params": after, "grad_norm": norms, "lrs": lrs}


def optimizers():
    return [
        optimizer_case("sgd_wd_clip", "sgd", 0.1, 0.01, 1.0, 5, seed=1),
        optimizer_case("adam_wd_clip", "adam", 1e-2, 0.01, 2.5, 5, seed=2),
        optimizer_case("adamw_wd_clip", "adamw", 1e-2, 0.1, 2.0, 5, seed=3),
        optimizer_case("adam_onecycle_clip", "adam", 1e-2, 0.0, 1.5, 8, schedule=0.3, seed=4),
        optimizer_case("sgd_onecycle_wd", "sgd", 0.05, 1e-3, 100.0, 8, schedule=0.3, seed=5),
        optimizer_case("adamw_onecycle_clip", "adamw", 1e-2, 0.05, 1.0, 8, schedule=0.4, seed=6),
    ]


def main():
    doc = {
        "generator": "reference/gen_training_goldens.py",
        "torch": torch.__version__,
        "steps": STEPS,
        "schedules": schedules(),
        "optimizers": optimizers(),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
