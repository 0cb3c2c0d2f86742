"""The training loop: an MLP on the exercise data, one metrics dict per epoch.

`train()` knows nothing about files; `tui.runtime.trial` joins it to the metric logger. An
optional `on_epoch` callback sees every epoch's metrics, so that exercise 2's Optuna
objective can `trial.report()` and prune (return True, or raise optuna.TrialPruned).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

DEFAULTS: dict[str, Any] = {
    "lr": 1e-3, "batch_size": 64, "hidden": 128, "depth": 2, "dropout": 0.0,
    "weight_decay": 0.0, "optimizer": "adam", "momentum": 0.9, "schedule": "cosine", "epochs": 20,
}
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine")

EpochCallback = Callable[[dict[str, Any]], "bool | None"]


@dataclass
class TrainOutcome:
    """How training ended: status complete|pruned|failed, why, and every epoch's metrics."""

    status: str
    reason: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)
    device: str = "cpu"
    threads: int = 1


def resolve_params(params: dict[str, Any]) -> dict[str, Any]:
    """Fill in defaults and check types and ranges; raises ValueError naming the bad value."""
    p = {**DEFAULTS, **params}
    try:
        p["lr"], p["weight_decay"] = float(p["lr"]), float(p["weight_decay"])
        p["dropout"], p["momentum"] = float(p["dropout"]), float(p["momentum"])
        p["batch_size"], p["hidden"] = int(p["batch_size"]), int(p["hidden"])
        p["depth"], p["epochs"] = int(p["depth"]), int(p["epochs"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a hyperparameter has the wrong type: {exc}") from None
    p["optimizer"], p["schedule"] = str(p["optimizer"]).lower(), str(p["schedule"]).lower()
    if p["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {p['optimizer']!r}")
    if p["schedule"] not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {p['schedule']!r}")
    if p["lr"] <= 0 or p["batch_size"] < 1 or p["epochs"] < 1 or p["weight_decay"] < 0:
        raise ValueError(f"need lr > 0, batch_size >= 1, epochs >= 1, weight_decay >= 0; got {params}")
    return p


def cpu_threads() -> int:
    """Threads for torch: what SLURM gave the task (SLURM_CPUS_PER_TASK), else 1."""
    try:
        return max(1, int(os.environ.get("SLURM_CPUS_PER_TASK", "1")))
    except ValueError:
        return 1


def pick_device(device: str = "auto") -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def make_optimizer(model, p: dict[str, Any]):
    import torch

    if p["optimizer"] == "sgd":
        return torch.optim.SGD(model.parameters(), lr=p["lr"], momentum=p["momentum"],
                               weight_decay=p["weight_decay"])
    cls = torch.optim.Adam if p["optimizer"] == "adam" else torch.optim.AdamW
    return cls(model.parameters(), lr=p["lr"], weight_decay=p["weight_decay"])


def lr_at(p: dict[str, Any], epoch: int) -> float:
    """The learning rate of (0-based) `epoch`: constant, or cosine from lr down to 0."""
    if p["schedule"] == "constant":
        return p["lr"]
    return 0.5 * p["lr"] * (1.0 + math.cos(math.pi * epoch / p["epochs"]))


def peak_mem_gb(device: str) -> float:
    """Peak memory so far: CUDA's allocator on a GPU, the process's peak RSS on a CPU."""
    if device.startswith("cuda"):
        import torch

        return torch.cuda.max_memory_allocated() / 1e9
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # KiB on Linux


def _cuda_deterministic() -> None:
    """Ask CUDA for reproducible kernels (cuBLAS needs its workspace setting before first use)."""
    import torch

    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.cuda.reset_peak_memory_stats()  # peak_mem_gb is per trial, also in a multi-trial worker


def _run_epoch(model, opt, x, y, batch_size: int, gen) -> float:
    import torch.nn.functional as F
    import torch

    model.train()
    order = torch.randperm(len(x), generator=gen).to(x.device)
    total = torch.zeros((), device=x.device)  # summed on the device: no GPU sync per batch
    for start in range(0, len(x), batch_size):
        idx = order[start:start + batch_size]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.detach() * len(idx)
    return float(total) / len(x)


def _evaluate(model, x, y) -> tuple[float, float]:
    import torch
    import torch.nn.functional as F

    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = float(F.cross_entropy(logits, y))
        acc = float((logits.argmax(dim=1) == y).float().mean())
    return loss, acc


def train(params: dict[str, Any], *, seed: int = 0, data_path: str | None = None,
          device: str = "auto", on_epoch: EpochCallback | None = None) -> TrainOutcome:
    """Train one configuration; deterministic for a given seed on a given device.

    Args:
        params: hyperparameters (missing ones come from DEFAULTS).
        seed: seeds the weights, dropout and the batch order.
        data_path: an .npz data set instead of the bundled digits.
        device: "auto" (CUDA when present), "cpu" or "cuda".
        on_epoch: called with each epoch's metrics; returning True stops the trial as pruned.

    Returns:
        The outcome; a loss that becomes NaN or infinite ends training as "failed".
    """
    import torch

    from tui.runtime.data import load_data
    from tui.runtime.model import build_mlp

    p = resolve_params(params)
    threads = cpu_threads()
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    dev = pick_device(device)
    if dev.startswith("cuda"):
        _cuda_deterministic()
    data = load_data(data_path)
    x_tr, y_tr = torch.from_numpy(data.x_train).to(dev), torch.from_numpy(data.y_train).to(dev)
    x_va, y_va = torch.from_numpy(data.x_val).to(dev), torch.from_numpy(data.y_val).to(dev)
    model = build_mlp(data.n_features, data.n_classes, p["hidden"], p["depth"], p["dropout"]).to(dev)
    opt = make_optimizer(model, p)
    gen = torch.Generator().manual_seed(seed)
    outcome = TrainOutcome("complete", device=dev, threads=threads)
    start = time.perf_counter()
    for epoch in range(p["epochs"]):
        for group in opt.param_groups:
            group["lr"] = lr_at(p, epoch)
        t0 = time.perf_counter()
        train_loss = _run_epoch(model, opt, x_tr, y_tr, p["batch_size"], gen)
        epoch_s = time.perf_counter() - t0
        if not math.isfinite(train_loss):
            outcome.status = "failed"
            outcome.reason = (f"training diverged: train_loss became {train_loss} in epoch {epoch + 1} "
                              f"(lr={p['lr']:.3g}, optimizer={p['optimizer']})")
            return outcome
        val_loss, val_acc = _evaluate(model, x_va, y_va)
        metrics = {"step": epoch + 1, "time": time.time(), "val_loss": val_loss, "val_acc": val_acc,
                   "train_loss": train_loss, "samples_per_s": len(x_tr) / max(epoch_s, 1e-9),
                   "elapsed_s": time.perf_counter() - start, "peak_mem_gb": peak_mem_gb(dev)}
        outcome.history.append(metrics)
        if on_epoch is not None and on_epoch(metrics):
            outcome.status, outcome.reason = "pruned", f"pruned after step {epoch + 1}"
            return outcome
    return outcome
