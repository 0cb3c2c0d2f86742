"""The training loop: parameters, determinism, schedules, divergence, the per-epoch callback."""

from __future__ import annotations


import pytest

from tui.runtime.train import DEFAULTS, cpu_threads, lr_at, resolve_params, train

FAST = {"epochs": 2, "batch_size": 128, "hidden": 32}


def test_resolve_params_fills_defaults_and_coerces_types():
    p = resolve_params({"lr": "0.01", "hidden": 64.0, "optimizer": "AdamW"})
    assert p["lr"] == 0.01 and p["hidden"] == 64 and isinstance(p["hidden"], int)
    assert p["optimizer"] == "adamw"
    assert p["epochs"] == DEFAULTS["epochs"]


@pytest.mark.parametrize("bad, word", [
    ({"optimizer": "rmsprop"}, "optimizer"), ({"schedule": "step"}, "schedule"),
    ({"lr": 0}, "lr"), ({"batch_size": 0}, "batch_size"), ({"hidden": "wide"}, "wrong type"),
])
def test_resolve_params_rejects_bad_values_by_name(bad, word):
    with pytest.raises(ValueError, match=word):
        resolve_params(bad)


def test_cosine_schedule_starts_at_lr_and_decays_constant_does_not():
    p = resolve_params({"lr": 0.1, "epochs": 10, "schedule": "cosine"})
    assert lr_at(p, 0) == pytest.approx(0.1)
    assert lr_at(p, 5) == pytest.approx(0.05)
    assert lr_at(p, 9) < 0.01
    assert lr_at(resolve_params({"lr": 0.1, "schedule": "constant"}), 7) == 0.1


def test_threads_follow_slurm_cpus_per_task(monkeypatch):
    monkeypatch.delenv("SLURM_CPUS_PER_TASK", raising=False)
    assert cpu_threads() == 1
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "4")
    assert cpu_threads() == 4
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "garbage")
    assert cpu_threads() == 1


def test_same_seed_same_curve_other_seed_other_curve():
    params = {**FAST, "dropout": 0.3, "optimizer": "sgd", "lr": 0.05}
    a = train(params, seed=3, device="cpu")
    b = train(params, seed=3, device="cpu")
    c = train(params, seed=4, device="cpu")
    assert [m["val_loss"] for m in a.history] == [m["val_loss"] for m in b.history]
    assert [m["val_loss"] for m in a.history] != [m["val_loss"] for m in c.history]


def test_every_epoch_reports_the_metric_kinds():
    outcome = train({**FAST, "optimizer": "adam", "lr": 3e-3}, device="cpu")
    assert outcome.status == "complete"
    assert [m["step"] for m in outcome.history] == [1, 2]
    for m in outcome.history:
        assert {"step", "time", "val_loss", "val_acc", "train_loss", "samples_per_s",
                "elapsed_s", "peak_mem_gb"} <= set(m)
        assert 0.0 <= m["val_acc"] <= 1.0 and m["samples_per_s"] > 0 and m["peak_mem_gb"] > 0
    assert outcome.history[-1]["val_acc"] > 0.5  # digits is easy: it learns in two epochs


def test_diverging_loss_ends_as_failed_with_its_reason():
    outcome = train({"epochs": 3, "lr": 1e12, "optimizer": "sgd", "batch_size": 16, "schedule": "constant"},
                    device="cpu")
    assert outcome.status == "failed"
    assert "diverged" in outcome.reason and "lr=1e+12" in outcome.reason


def test_callback_returning_true_prunes_after_that_epoch():
    seen = []

    def on_epoch(metrics):
        seen.append(metrics["step"])
        return metrics["step"] >= 1

    outcome = train({**FAST, "epochs": 5}, device="cpu", on_epoch=on_epoch)
    assert outcome.status == "pruned" and seen == [1] and len(outcome.history) == 1
    assert "step 1" in outcome.reason


def test_callback_exception_propagates():
    class TrialPruned(Exception):
        pass

    def on_epoch(metrics):
        raise TrialPruned()

    with pytest.raises(TrialPruned):
        train(FAST, device="cpu", on_epoch=on_epoch)
