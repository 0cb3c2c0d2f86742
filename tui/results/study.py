"""Read an Optuna study for the app: trials, intermediate values, workers, best-so-far.

Optuna is imported lazily (the app must start without it). A `StudyReader` keeps its
storage open: the journal storage replays only the lines appended since the last read, so a
refresh of a live study is cheap. Snapshots (`StudyView`) are plain data for the screens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOURNAL_NAME = "study.journal"
STATES = ("complete", "pruned", "fail", "running", "waiting")


@dataclass
class TrialInfo:
    """One trial as the screens need it (times in seconds since the epoch)."""

    number: int
    state: str  # complete|pruned|fail|running|waiting
    values: list[float] | None
    params: dict[str, Any]
    intermediate: dict[int, float]
    start: float | None
    end: float | None
    worker: dict[str, Any] = field(default_factory=dict)
    user_attrs: dict[str, Any] = field(default_factory=dict)
    log_params: frozenset[str] = frozenset()

    @property
    def value(self) -> float | None:
        return self.values[0] if self.values else None

    @property
    def worker_label(self) -> str:
        """"123_4" for an array task, else the job id, else "host:pid"."""
        w = self.worker
        if w.get("array_job_id") and w.get("array_task_id") not in (None, ""):
            return f"{w['array_job_id']}_{w['array_task_id']}"
        if w.get("job_id"):
            return str(w["job_id"])
        return f"{w.get('host', '?')}:{w.get('pid', '?')}" if w else "?"


@dataclass
class StudyView:
    """A snapshot of a study."""

    name: str
    directions: list[str]  # "maximize"/"minimize", one per objective
    trials: list[TrialInfo]
    user_attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def maximize(self) -> bool:
        return self.directions[0] == "maximize"

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for t in self.trials:
            out[t.state] = out.get(t.state, 0) + 1
        return out

    def complete(self) -> list[TrialInfo]:
        return [t for t in self.trials if t.state == "complete" and t.value is not None]

    def best(self) -> TrialInfo | None:
        """The best complete trial of the first objective."""
        done = self.complete()
        if not done:
            return None
        return (max if self.maximize else min)(done, key=lambda t: t.value)

    def best_so_far(self) -> list[tuple[int, float, float]]:
        """Optimization history: (trial number, value, best so far) over complete trials."""
        out, best = [], None
        pick = max if self.maximize else min
        for t in sorted(self.complete(), key=lambda t: t.number):
            best = t.value if best is None else pick(best, t.value)
            out.append((t.number, t.value, best))
        return out

    def curves(self, hide_pruned: bool = False) -> dict[int, list[tuple[int, float]]]:
        """Intermediate values per trial: number -> [(step, value)], optionally without pruned trials."""
        return {t.number: sorted(t.intermediate.items()) for t in self.trials
                if t.intermediate and not (hide_pruned and t.state == "pruned")}

    def steps_run(self) -> int:
        """Epochs (reported steps) that all trials ran together: the compute that pruning saves."""
        return sum(len(t.intermediate) for t in self.trials)

    def workers(self) -> dict[str, list[TrialInfo]]:
        """Trials per worker, in start order."""
        out: dict[str, list[TrialInfo]] = {}
        for t in sorted(self.trials, key=lambda t: (t.start or 0, t.number)):
            if t.worker:
                out.setdefault(t.worker_label, []).append(t)
        return out

    def timeline(self, now: float | None = None) -> list[tuple[str, int, float, float, str]]:
        """Gantt bars (worker, trial number, start, end, state), times relative to the first start.

        A running trial ends at `now` (or at its start when `now` is None).
        """
        starts = [t.start for t in self.trials if t.start is not None]
        if not starts:
            return []
        t0 = min(starts)
        bars = []
        for label, trials in self.workers().items():
            for t in trials:
                if t.start is None:
                    continue
                end = t.end if t.end is not None else (now if now is not None else t.start)
                bars.append((label, t.number, t.start - t0, max(end, t.start) - t0, t.state))
        return bars

    def param_names(self) -> list[str]:
        names: dict[str, None] = {}
        for t in self.trials:
            names.update(dict.fromkeys(t.params))
        return list(names)

    def slice(self, param: str) -> list[tuple[Any, float]]:
        """(parameter value, objective value) of the complete trials that have `param`."""
        return [(t.params[param], t.value) for t in self.complete() if param in t.params]

    def contour(self, x: str, y: str) -> list[tuple[Any, Any, float]]:
        """(x value, y value, objective value) points for a heat map of two parameters."""
        return [(t.params[x], t.params[y], t.value) for t in self.complete() if x in t.params and y in t.params]

    def is_log(self, param: str) -> bool:
        """Whether `param` was suggested on a log scale (log axes for the plots)."""
        return any(param in t.log_params for t in self.trials)

    def pareto_front(self) -> list[TrialInfo]:
        """Complete trials that no other trial beats in every objective (two-objective studies)."""
        signs = [1 if d == "maximize" else -1 for d in self.directions]
        done = [t for t in self.trials if t.state == "complete" and t.values and len(t.values) == len(signs)]

        def beats(a: TrialInfo, b: TrialInfo) -> bool:
            pairs = [(s * va, s * vb) for s, va, vb in zip(signs, a.values, b.values)]
            return all(p >= q for p, q in pairs) and any(p > q for p, q in pairs)

        return [t for t in done if not any(beats(o, t) for o in done if o is not t)]


def _trial_info(frozen) -> TrialInfo:
    log_params = frozenset(name for name, dist in frozen.distributions.items() if getattr(dist, "log", False))
    start, end = frozen.datetime_start, frozen.datetime_complete
    return TrialInfo(
        number=frozen.number, state=frozen.state.name.lower(),
        values=list(frozen.values) if frozen.values is not None else None,
        params=dict(frozen.params), intermediate=dict(frozen.intermediate_values),
        start=start.timestamp() if start else None, end=end.timestamp() if end else None,
        worker=dict(frozen.user_attrs.get("worker") or {}), user_attrs=dict(frozen.user_attrs),
        log_params=log_params)


class StudyNotFound(LookupError):
    """No journal in the run folder, or no study of that name in it."""


class StudyReader:
    """Reads a run's study (`<run>/study.journal`, or an RDB URL) again and again, cheaply."""

    def __init__(self, run_dir: str | Path | None = None, storage_url: str | None = None,
                 study_name: str | None = None):
        if run_dir is None and not storage_url:
            raise ValueError("give a run folder or a storage URL")
        self.journal = Path(run_dir) / JOURNAL_NAME if run_dir is not None else None
        self.storage_url = storage_url
        self.study_name = study_name
        self._storage = None

    def storage(self):
        """The Optuna storage (opened on first use). Raises StudyNotFound when there is no journal."""
        if self._storage is None:
            if self.storage_url:
                import optuna

                self._storage = optuna.storages.RDBStorage(self.storage_url)
            else:
                if not self.journal.is_file():  # opening would create an empty journal: do not
                    raise StudyNotFound(f"no study yet: {self.journal} does not exist")
                from optuna.storages import JournalStorage
                from optuna.storages.journal import JournalFileBackend

                self._storage = JournalStorage(JournalFileBackend(str(self.journal)))
        return self._storage

    def _frozen_study(self):
        studies = self.storage().get_all_studies()
        if self.study_name is not None:
            studies = [s for s in studies if s.study_name == self.study_name]
        if not studies:
            what = f"no study named {self.study_name!r}" if self.study_name else "no study"
            raise StudyNotFound(f"{what} in {self.journal or self.storage_url}")
        return studies[0]

    def read(self) -> StudyView:
        """A fresh snapshot (only the journal's new lines are read)."""
        frozen = self._frozen_study()
        trials = self.storage().get_all_trials(frozen._study_id, deepcopy=False)
        return StudyView(frozen.study_name, [d.name.lower() for d in frozen.directions],
                         [_trial_info(t) for t in trials], dict(frozen.user_attrs))

    def study(self):
        """The study as an optuna.Study (for stale-trial recovery and importances)."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        return optuna.load_study(study_name=self._frozen_study().study_name, storage=self.storage())


def param_importances(study) -> dict[str, float]:
    """Parameter importances of the first objective (Optuna's default evaluator, PED-ANOVA in
    Optuna 5); {} while no trial is complete."""
    import warnings

    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "too few trials": the screen says so itself
        try:
            return dict(optuna.importance.get_param_importances(study))
        except (ValueError, RuntimeError):
            return {}


def best_so_far(values: list[float], maximize: bool = True) -> list[float]:
    """The running best of `values` in the order given."""
    out: list[float] = []
    for value in values:
        out.append(value if not out else (max if maximize else min)(out[-1], value))
    return out


def compare(view: StudyView, other_values: list[float], epochs_per_trial: int) -> dict[str, Any]:
    """This study against another search (exercise 1's random search) at equal numbers of trials.

    Args:
        view: the study.
        other_values: the other search's metric per trial, in the order its trials ran.
        epochs_per_trial: the epochs of a full trial (what a trial costs without pruning).

    Returns:
        {"n": trials compared, "study": best-so-far curve, "other": best-so-far curve,
         "epochs_run": epochs the study's first n trials ran, "epochs_full": n * epochs_per_trial,
         "epochs_saved": the fraction pruning saved}.
    """
    ended = sorted((t for t in view.trials if t.state in ("complete", "pruned")), key=lambda t: t.number)
    n = min(len(ended), len(other_values))
    ended = ended[:n]
    # A pruned trial counts with its last reported value: what the study knew of it.
    values = [t.value if t.value is not None else (t.intermediate[max(t.intermediate)] if t.intermediate
                                                   else float("-inf") if view.maximize else float("inf"))
              for t in ended]
    run = sum(len(t.intermediate) for t in ended)
    full = n * epochs_per_trial
    return {"n": n, "study": best_so_far(values, view.maximize),
            "other": best_so_far(list(other_values[:n]), view.maximize),
            "epochs_run": run, "epochs_full": full, "epochs_saved": round(1 - run / full, 4) if full else 0.0}
