"""A learner's published summary: its schema, and the strict reader the teacher's side uses.

The teacher's app reads files that learners wrote, so nothing in them is trusted: every field
is checked for its type, every collection and string is bounded, and numbers must be finite.
A summary that breaks any rule is refused whole (SummaryError, one line), never half shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

VERSION = 1
MAX_BYTES = 1 << 20  # a real summary is a few kB; anything over 1 MiB is not one
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")  # a Unix user name, as useradd accepts it
METHODS = {"01": "random", "02": "optuna"}  # the exercise whose best result stands for each method
METHOD_TITLES = {"random": "random search", "optuna": "Optuna (TPE)"}
COST_KEYS = ("cpu_hours", "gpu_hours", "elapsed_s", "wall_s", "queue_wait_s", "useful_fraction")  # tui.results.cost
_MAX_ITEMS, _MAX_TEXT = 64, 120


class SummaryError(ValueError):
    """The data is not a valid summary (one line that says what is wrong)."""


@dataclass(frozen=True)
class ItemProgress:
    kind: str  # "lesson" | "exercise"
    read: float  # share of steps read, 0..1
    done: bool = False  # an exercise whose checks all pass
    quiz: tuple[int, int] = (0, 0)  # answered, asked


@dataclass(frozen=True)
class CheckState:
    at: float  # when the checks last ran (unix time)
    passed: int
    total: int
    failing: dict[str, float] = field(default_factory=dict)  # check id -> failing since (unix time)


@dataclass(frozen=True)
class Best:
    method: str
    metric: str
    value: float
    params: dict[str, Any] = field(default_factory=dict)
    run: str = ""
    trials: int = 0


@dataclass(frozen=True)
class Summary:
    user: str
    updated: float
    progress: dict[str, ItemProgress] = field(default_factory=dict)
    checks: dict[str, CheckState] = field(default_factory=dict)
    best: dict[str, Best] = field(default_factory=dict)
    cost: dict[str, dict[str, float]] = field(default_factory=dict)  # exercise -> COST_KEYS


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise SummaryError(what)


def _number(value: Any, where: str) -> float:
    _need(isinstance(value, (int, float)) and not isinstance(value, bool), f"{where}: not a number")
    _need(math.isfinite(value), f"{where}: not a finite number")
    return float(value)


def _text(value: Any, where: str, limit: int = _MAX_TEXT) -> str:
    _need(isinstance(value, str) and len(value) <= limit, f"{where}: not a string of at most {limit} characters")
    return value


def _table(value: Any, where: str) -> dict[str, Any]:
    """A JSON object of at most _MAX_ITEMS entries with short string keys."""
    _need(isinstance(value, dict), f"{where}: not an object")
    _need(len(value) <= _MAX_ITEMS, f"{where}: more than {_MAX_ITEMS} entries")
    for key in value:
        _text(key, f"{where} key", 64)
    return value


def _progress(raw: Any, where: str) -> ItemProgress:
    raw = _table(raw, where)
    kind = _text(raw.get("kind"), f"{where}.kind", 16)
    quiz = raw.get("quiz", [0, 0])
    _need(isinstance(quiz, list) and len(quiz) == 2, f"{where}.quiz: not [answered, asked]")
    done = raw.get("done", False)
    _need(isinstance(done, bool), f"{where}.done: not true/false")
    return ItemProgress(kind, _number(raw.get("read", 0), f"{where}.read"), done,
                        (int(_number(quiz[0], f"{where}.quiz")), int(_number(quiz[1], f"{where}.quiz"))))


def _checks(raw: Any, where: str) -> CheckState:
    raw = _table(raw, where)
    failing = _table(raw.get("failing", {}), f"{where}.failing")
    return CheckState(_number(raw.get("at"), f"{where}.at"), int(_number(raw.get("passed"), f"{where}.passed")),
                      int(_number(raw.get("total"), f"{where}.total")),
                      {k: _number(v, f"{where}.failing.{k}") for k, v in failing.items()})


def _scalar(value: Any, where: str) -> Any:
    if isinstance(value, str):
        return _text(value, where)
    if isinstance(value, bool) or value is None:
        return value
    return _number(value, where)


def _best(raw: Any, where: str) -> Best:
    raw = _table(raw, where)
    params = _table(raw.get("params", {}), f"{where}.params")
    return Best(_text(raw.get("method"), f"{where}.method", 32), _text(raw.get("metric"), f"{where}.metric", 64),
                _number(raw.get("value"), f"{where}.value"),
                {k: _scalar(v, f"{where}.params.{k}") for k, v in params.items()},
                _text(raw.get("run", ""), f"{where}.run"), int(_number(raw.get("trials", 0), f"{where}.trials")))


def _cost(raw: Any, where: str) -> dict[str, float]:
    raw = _table(raw, where)
    return {k: _number(raw[k], f"{where}.{k}") for k in COST_KEYS if raw.get(k) is not None}


def parse_summary(data: Any, user: str) -> Summary:
    """The summary in `data` (parsed JSON) of the learner `user` (the file's name).

    Raises:
        SummaryError: with the first field that is wrong.
    """
    data = _table(data, "summary")
    _need(data.get("version") == VERSION, f"version: expected {VERSION}, got {str(data.get('version'))[:20]!r}")
    _need(data.get("user") == user, f"user: names {str(data.get('user'))[:40]!r}, not the file's {user!r}")
    sections = {name: _table(data.get(name, {}), name) for name in ("progress", "checks", "best", "cost")}
    return Summary(
        user, _number(data.get("updated"), "updated"),
        {k: _progress(v, f"progress.{k}") for k, v in sections["progress"].items()},
        {k: _checks(v, f"checks.{k}") for k, v in sections["checks"].items()},
        {k: _best(v, f"best.{k}") for k, v in sections["best"].items()},
        {k: _cost(v, f"cost.{k}") for k, v in sections["cost"].items()},
    )
