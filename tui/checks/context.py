"""What a check needs to know: the exercise, the learner's folder, the run, the reference."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.checks.subproc import DEFAULT_TIMEOUT_S


@dataclass
class CheckContext:
    """Inputs of one exercise's checks.

    Attributes:
        exercise: the exercise id, e.g. "01".
        path: the learner's exercise folder (workspace/<dir> by default).
        run_dir: the run to check; None means the latest under path/runs (if any).
        reference: the solution's reference.json.
        timeout_s: how long learner code may run before it counts as hung.
    """

    exercise: str
    path: Path
    run_dir: Path | None = None
    reference: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = DEFAULT_TIMEOUT_S

    def find_run(self) -> Path | None:
        from tui.results.runs import latest_run

        return self.run_dir if self.run_dir is not None else latest_run(self.path)


def load_reference(solution_dir: Path | None) -> dict[str, Any]:
    """The exercise's reference.json, or {} when it has none."""
    if solution_dir is None or not (solution_dir / "reference.json").is_file():
        return {}
    return json.loads((solution_dir / "reference.json").read_text(encoding="utf-8"))
