"""A made-up scheduler ("pbs") in one module: what adding a backend takes, for tests/test_backend_registry.py.

Jobs "run" at once and complete; they are kept in a JSON file in the workspace, so that a second
command (`status` after `submit`) sees them. Job ids look like PBS's: `7.pbs`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tui.cluster.backend import BackendError, SubmitResult, TaskState, read_local_file
from tui.cluster.registry import BackendInfo

JOB_ID = re.compile(r"\d+\.pbs")


class FakePbsBackend:
    name = "pbs"
    IMPLEMENTS_TEST_ONLY = False

    def __init__(self, workspace: Path) -> None:
        self.store = Path(workspace) / ".fake-pbs.json"

    def _jobs(self) -> dict[str, str]:
        return json.loads(self.store.read_text()) if self.store.is_file() else {}

    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult:
        jobs = self._jobs()
        job_id = f"{len(jobs) + 1}.pbs"
        jobs[job_id] = Path(script).name
        self.store.write_text(json.dumps(jobs))
        return SubmitResult(job_id)

    def status(self, job_ids: list[str]) -> list[TaskState]:
        jobs = self._jobs()
        return [TaskState(job_id=j, name=jobs.get(j, ""), state="COMPLETED" if j in jobs else "UNKNOWN")
                for j in job_ids]

    def cancel(self, job_id: str) -> None:
        raise BackendError(f"{job_id} already finished")

    def read_file(self, path: Path, offset: int = 0) -> bytes:
        return read_local_file(path, offset)

    def job_ids(self) -> list[str]:
        return list(self._jobs())


def make(settings, force_local: bool = False, interactive=None) -> FakePbsBackend:
    return FakePbsBackend(settings.workspace)


INFO = BackendInfo("pbs", "PBS Pro through qsub (a test's fake)", JOB_ID, make, "PBS on this host")
