"""What the form knows about the cluster, when it knows it (discovery fills this in).

Every part is optional: None means "not known", and unknown limits are simply not checked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterLimits:
    """Cluster facts the job form checks values against.

    Attributes:
        partitions: partition name -> its MaxTime in seconds (None: no limit).
        accounts: the accounts this user may charge.
        gpu_types: GPU types seen in sinfo's GRES (e.g. "A40", "A100").
        max_array_size: MaxArraySize from `scontrol show config` (task ids must be below it).
        max_job_count: MaxJobCount from `scontrol show config`.
    """

    partitions: dict[str, int | None] | None = None
    accounts: tuple[str, ...] | None = None
    gpu_types: tuple[str, ...] | None = None
    max_array_size: int | None = None
    max_job_count: int | None = None


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
    )
