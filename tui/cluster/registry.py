"""The one list of backends: name, description, job-id pattern, status-line label and factory.

Every place that names backends (the settings, `--backend` choices, `status`, `cancel`, `doctor`,
the app's status line, the factory) reads this registry, so a new scheduler is one module plus
one `register(...)` call below. Cheap to import: the backend modules load only when one is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

# SLURM's job ids as sbatch prints them and as squeue names array tasks: 123, 123_4.
SLURM_JOB_ID = re.compile(r"\d+(?:_\d+)?")
AUTO = "auto"


@dataclass(frozen=True)
class BackendInfo:
    """What the rest of the app needs to know about one backend before making it.

    Attributes:
        name: the word for `--backend` and the settings' `backend`, recorded in run.json.
        description: one line for `doctor` and `--help`.
        job_id: the ids its `submit` returns and its `status`/`cancel` take (array tasks included).
        factory: `factory(settings, force_local=..., interactive=...)` makes the Backend; it
            raises BackendError when the settings cannot give one (ssh without a host).
        label: the status line's words; `{host}` becomes the settings' ssh host.
        sbatch: its jobs read `#SBATCH` lines and see their id as `$SLURM_JOB_ID`.
    """

    name: str
    description: str
    job_id: re.Pattern[str]
    factory: Callable[..., object]
    label: str
    sbatch: bool = False


_BACKENDS: dict[str, BackendInfo] = {}


def register(info: BackendInfo) -> BackendInfo:
    """Add (or replace) a backend; returns it so a test can unregister it afterwards."""
    if not info.name.isidentifier() or info.name == AUTO:
        raise ValueError(f"a backend name must be a word other than {AUTO!r}, got {info.name!r}")
    _BACKENDS[info.name] = info
    return info


def unregister(name: str) -> None:
    """Forget a backend (tests that registered a fake one)."""
    _BACKENDS.pop(name, None)


def names() -> tuple[str, ...]:
    """The registered backends, in registration order."""
    return tuple(_BACKENDS)


def choices() -> tuple[str, ...]:
    """What `--backend` and the settings accept: "auto" and every backend."""
    return (AUTO, *_BACKENDS)


def get(name: str) -> BackendInfo:
    """The backend called `name`; KeyError for an unknown one."""
    return _BACKENDS[name]


def all_backends() -> list[BackendInfo]:
    return list(_BACKENDS.values())


def is_job_id(text: str) -> bool:
    """Whether `text` is a job or task id of any backend (what `status` and `cancel` accept)."""
    return any(info.job_id.fullmatch(text) for info in _BACKENDS.values())


def sbatch_like(name: str) -> bool:
    """Whether a backend's jobs read #SBATCH lines and get SLURM_JOB_ID (False for an unknown one)."""
    info = _BACKENDS.get(name)
    return bool(info and info.sbatch)


# -- the built-in backends: each factory imports its module only when the backend is made --------

def _local(settings, force_local: bool = False, interactive=None):
    from tui.cluster.local import LocalBackend

    return LocalBackend(settings.workspace, force=force_local)


def _slurm(settings, force_local: bool = False, interactive=None):
    from tui.cluster.slurm import SlurmBackend

    return SlurmBackend()


def _ssh(settings, force_local: bool = False, interactive=None):
    from tui.cluster.backend import BackendError

    host = getattr(settings, "ssh_host", "")
    if not host:
        raise BackendError("the ssh backend needs a host", "pass --host ALIAS or user@host[:port], or set ssh_host")
    from tui.cluster.ssh import SshBackend

    # `ssh_config` / `known_hosts` are optional settings (default ~/.ssh/config and what it names).
    return SshBackend(host, ssh_config=getattr(settings, "ssh_config", None) or None,
                      known_hosts=getattr(settings, "known_hosts", None) or None, interactive=interactive)


def _hyperqueue(settings, force_local: bool = False, interactive=None):
    from tui.cluster.hyperqueue import HyperQueueBackend

    return HyperQueueBackend(settings.workspace)  # hq on PATH, else the embedded LocalCluster


register(BackendInfo("local", "the embedded runner: jobs run on this machine, no cluster needed",
                     SLURM_JOB_ID, _local, "local runner", sbatch=True))
register(BackendInfo("slurm", "SLURM on this host (sbatch, squeue, sacct, scancel)",
                     SLURM_JOB_ID, _slurm, "SLURM on this host", sbatch=True))
register(BackendInfo("ssh", "SLURM on a login node over SSH (--host or ssh_host)",
                     SLURM_JOB_ID, _ssh, "SSH to {host}", sbatch=True))
# An `hq` binary numbers jobs like SLURM; the embedded LocalCluster's jobs are hq7, hq7_4.
register(BackendInfo("hyperqueue", "HyperQueue: many tiny tasks in one allocation (exercise 3)",
                     re.compile(r"(?:hq)?\d+(?:_\d+)?"), _hyperqueue, "HyperQueue"))
