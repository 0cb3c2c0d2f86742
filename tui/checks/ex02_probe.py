"""Exercise 2's probe checks: objective.reports and objective.returns, judged from one short trial.

tui.checks.probe_objective runs the learner's objective for a few epochs before any submission
and records what it reported each epoch, what it returned, and the metrics fit() gave it. An
objective that never reports leaves the pruner blind; one that reports val_loss to a study that
maximises makes the pruner stop the best trials; one that returns -val_acc makes TPE hunt for the
worst. Each would otherwise show only after minutes of cluster time, or never.
"""

from __future__ import annotations

import math
from typing import Any

from tui.checks.result import CheckResult

IDS = ("objective.reports", "objective.returns")
LOSSES = ("val_loss", "train_loss")
HINTS = {
    "objective.reports": [
        "In on_epoch, report what the study maximises, every epoch: trial.report(metrics[\"val_acc\"], metrics[\"step\"]).",
        "The pruner compares the values trials report at the same step: with none it cannot stop a trial, and "
        "with val_loss in a study that maximises val_acc it stops the best trials.",
        "Then return trial.should_prune() from on_epoch: fit() stops the trial as pruned when it is True.",
    ],
    "objective.returns": [
        "Return the validation accuracy: the workers' study maximises it (direction=\"maximize\").",
        "Do not negate it or return a loss: result[\"best\"][\"val_acc\"] is what TPE should push up.",
    ],
}


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def which_metric(values: list[float], metrics: list[dict[str, Any]]) -> str | None:
    """The epoch metric every value is one of ("val_acc", "val_loss", "train_loss"), else None."""
    for name in ("val_acc", *LOSSES):
        series = [m[name] for m in metrics if isinstance(m.get(name), (int, float))]
        if values and series and all(any(_close(v, s) for s in series) for v in values):
            return name
    return None


def _shown(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values[:5]) + (", ..." if len(values) > 5 else "")


def _not_run(cid: str, record: dict[str, Any] | None, error: str) -> CheckResult | None:
    """A failed check when the probe trial could not run to its end, else None."""
    if record is None:
        first = error.splitlines()[0] if error else "no output"
        return CheckResult(cid, False, f"could not call objective(trial): {first}", HINTS[cid], details=error)
    if record.get("error"):
        return CheckResult(cid, False, f"the probe trial ({record.get('epochs')} epochs) failed: {record['error']}",
                           HINTS[cid], details=error)
    return None


def _falls(values: list[float], metrics: list[dict[str, Any]]) -> bool:
    """The reported values fall while the accuracy rises."""
    accs = [m["val_acc"] for m in metrics if "val_acc" in m]
    return len(values) > 1 and len(accs) > 1 and accs[-1] > accs[0] and values[-1] < values[0]


def check_reports(record: dict[str, Any] | None, error: str = "") -> CheckResult:
    """objective.reports: val_acc (or another rising value in [0, 1]) reported at every epoch."""
    cid = "objective.reports"
    failed = _not_run(cid, record, error)
    if failed:
        return failed
    values = [float(v) for v in record.get("reported", {}).values()]
    metrics, epochs = record.get("metrics", []), len(record.get("metrics", [])) or record.get("epochs")
    kind = which_metric(values, metrics)
    if not values:
        return CheckResult(cid, False, "the objective never reports intermediate values: the pruner cannot stop "
                           f"a trial (no trial.report() in a {epochs}-epoch probe trial)", HINTS[cid])
    if any(v < 0 for v in values):
        return CheckResult(cid, False, f"reports negative values ({_shown(values)}): the pruner of a study that "
                           "maximises would stop the best trials; report val_acc itself", HINTS[cid])
    if kind in LOSSES or (kind is None and _falls(values, metrics)):
        return CheckResult(cid, False, "reports values that fall as training improves: that looks like "
                           f"{kind or 'val_loss'} in a study that maximises val_acc (reported {_shown(values)})",
                           HINTS[cid])
    if epochs and len(values) < epochs:
        return CheckResult(cid, False, f"reports {len(values)} value{'s' if len(values) != 1 else ''} for {epochs} "
                           "epochs: report every epoch at its own step (metrics[\"step\"])", HINTS[cid])
    what = "val_acc" if kind == "val_acc" else "a value"
    return CheckResult(cid, True, f"reports {what} every epoch ({_shown(values)} in a {epochs}-epoch probe trial)",
                       HINTS[cid])


def check_returns(record: dict[str, Any] | None, error: str = "") -> CheckResult:
    """objective.returns: an accuracy in [0, 1], not its negation and not a loss."""
    cid = "objective.returns"
    failed = _not_run(cid, record, error)
    if failed:
        return failed
    value = record.get("value")
    if record.get("state") == "pruned" or not isinstance(value, (int, float)) or not math.isfinite(value):
        found = "ended as pruned with no pruner running" if record.get("state") == "pruned" else f"returned {value!r}"
        return CheckResult(cid, False, f"expected the probe trial to return its accuracy; it {found}", HINTS[cid])
    metrics = record.get("metrics", [])
    if value < 0:
        return CheckResult(cid, False, f"returns a negative accuracy ({value:.3f}): the study maximises, so "
                           "TPE would look for the worst configurations; return val_acc itself", HINTS[cid])
    kind = which_metric([value], metrics)
    if kind in LOSSES:
        return CheckResult(cid, False, f"returns {kind} ({value:.3f}) to a study that maximises val_acc: "
                           "return result[\"best\"][\"val_acc\"]", HINTS[cid])
    if value > 1:
        return CheckResult(cid, False, f"returns {value:g}, not an accuracy in [0, 1]", HINTS[cid])
    return CheckResult(cid, True, f"returns {value:.3f}, an accuracy in [0, 1]"
                       + (" (an epoch's val_acc)" if kind == "val_acc" else ""), HINTS[cid])
