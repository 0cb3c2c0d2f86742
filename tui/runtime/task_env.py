"""What a tiny task learns about itself from its process and its scheduler.

Exercise 3 compares the fixed cost a scheduler adds to every task, so each task records the
moments that cost lies between: when it was submitted (where the scheduler says), when its
process started, and which runner started it. Nothing here imports torch or the app.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import datetime
from pathlib import Path


def process_start_time() -> float:
    """When this process started (epoch seconds, to 10 ms), from /proc; now when /proc is not there."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of stat(5): starttime, in clock ticks since boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        # Relative to uptime read now, not to /proc/stat's btime: btime is whole seconds and
        # drifts with clock adjustments, which would shift every launch time by up to a second.
        return time.time() - max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.time()


def cpus_given() -> int:
    """The CPUs this task was given: HyperQueue's $HQ_CPUS (a list of CPU ids), SLURM's
    $SLURM_CPUS_PER_TASK, else the CPUs this process may run on. A task that runs more threads
    than it was given shares cores with its neighbours, and measures the sharing."""
    hq = os.environ.get("HQ_CPUS", "").strip()
    if hq:
        return len([c for c in hq.split(",") if c.strip()])
    slurm = os.environ.get("SLURM_CPUS_PER_TASK", "")
    if slurm.isdigit() and int(slurm) > 0:
        return int(slurm)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def runner() -> str:
    """Who started this process: "hyperqueue", "slurm", "local" (the app's local runner, which
    sets SLURM's variables but is no cluster: slurmd always sets SLURM_CLUSTER_NAME) or "hand"."""
    env = os.environ
    if env.get("HQ_TASK_ID"):
        return "hyperqueue"
    if env.get("SLURM_JOB_ID"):
        return "slurm" if env.get("SLURM_CLUSTER_NAME") else "local"
    return "hand"


def parse_submit_time(scontrol_line: str) -> float | None:
    """Epoch seconds of `SubmitTime=2025-01-31T12:00:05` in a line of `scontrol show job -o`."""
    for field in scontrol_line.split():
        if field.startswith("SubmitTime="):
            try:  # whole seconds in the cluster's local time, as scontrol prints it
                return datetime.strptime(field.split("=", 1)[1], "%Y-%m-%dT%H:%M:%S").timestamp()
            except ValueError:
                return None
    return None


def slurm_submit_time(timeout_s: float = 10.0) -> float | None:
    """When SLURM got this job (whole seconds), asked of scontrol; None off a real SLURM or when
    scontrol does not answer. Call it after the timed work: it costs a round trip to slurmctld."""
    job = os.environ.get("SLURM_JOB_ID", "")
    if runner() != "slurm" or not job.isdigit():
        return None
    try:
        done = subprocess.run(["scontrol", "show", "job", "-o", job], capture_output=True, text=True,
                              timeout=timeout_s)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_submit_time(done.stdout) if done.returncode == 0 else None
