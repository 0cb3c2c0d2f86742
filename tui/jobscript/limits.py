"""What the form and `lint` know about the cluster, when they know it (discovery fills this in).

Every part is optional: None means "not known", and unknown limits are simply not checked.
`site_limits(workspace)` is the one way to get them: the form, `lint` and submit all call it,
so they judge a script against the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ClusterLimits:
    """Cluster facts the job form checks values against.

    Attributes:
        partitions: partition name -> its MaxTime in seconds (None: no limit).
        accounts: the accounts this user may charge.
        gpu_types: GPU types seen in sinfo's GRES (e.g. "A40", "A100").
        max_array_size: MaxArraySize from `scontrol show config` (task ids must be below it).
        max_job_count: MaxJobCount from `scontrol show config`.
        default_partition: the partition a job without --partition goes to.
    """

    partitions: dict[str, int | None] | None = None
    accounts: tuple[str, ...] | None = None
    gpu_types: tuple[str, ...] | None = None
    max_array_size: int | None = None
    max_job_count: int | None = None
    default_partition: str | None = None


def limits_from_info(info) -> ClusterLimits:
    """ClusterLimits from discovery's ClusterInfo (read by attribute, so this module imports no cluster code).

    Lists that came back empty (the command failed or found nothing) count as unknown, not as "none".
    """
    partitions = {p.name: p.max_seconds for p in getattr(info, "partitions", [])} or None
    gpu_types = sorted({t for p in getattr(info, "partitions", []) for t in p.gpu_types})
    return ClusterLimits(
        partitions=partitions,
        accounts=tuple(getattr(info, "accounts", [])) or None,
        gpu_types=tuple(gpu_types) or None,
        max_array_size=getattr(info, "max_array_size", None),
        max_job_count=getattr(info, "max_job_count", None),
        default_partition=getattr(info, "default_partition", "") or None,
    )


def site_limits(workspace: Path | str | None) -> ClusterLimits:
    """The limits `doctor` recorded for `workspace` (its discovery cache); all unknown when none.

    Reads the cache only, never runs a command, so it is cheap enough for every keystroke. A
    cache from a machine without SLURM says nothing about a cluster's limits, so it counts as none.
    """
    if workspace is None:
        return ClusterLimits()
    from tui.cluster.discovery import load_cached

    info = load_cached(Path(workspace))
    if info is None or not getattr(info, "has_slurm", False):
        return ClusterLimits()
    return limits_from_info(info)
