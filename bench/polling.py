"""Polling budget: watch a 200-task array for 60 s with the app's poller; count the RPCs slurmctld saw.

Starts a throwaway test cluster (tests/services/slurm.py, needs root), or uses `--slurm-conf` of a
running one. Prints one JSON object: ticks, the commands the poller ran, sdiag's RPC counts by
message type over the watch, and JOB_INFO-type requests per tick (the budget: at most 1).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.cluster.poller import Poller  # noqa: E402
from tui.cluster.slurm import SlurmBackend, subprocess_runner  # noqa: E402

SCRIPT = "#!/bin/bash\n#SBATCH -J bench\n#SBATCH --array=0-{last}\n#SBATCH -o /dev/null\nsleep {sleep}\n"


def sdiag_counts(run) -> dict[str, int]:
    """RPC counts by message type from `sdiag`."""
    _, out, _ = run(["sdiag"], None, 30)
    section = out.split("Remote Procedure Call statistics by message type", 1)[-1]
    section = section.split("Remote Procedure Call statistics by user", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^\s*(\w+)\s+\(\s*\d+\)\s+count:(\d+)", section, re.M)}


def watch(env: dict, tasks: int, seconds: float, interval: float) -> dict:
    commands: dict[str, int] = {}
    plain = subprocess_runner(env)

    def counting(argv, cwd, timeout):
        commands[argv[0]] = commands.get(argv[0], 0) + 1
        return plain(argv, cwd, timeout)

    backend = SlurmBackend(counting)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.sh"
        script.write_text(SCRIPT.format(last=tasks - 1, sleep=3))
        job_id = backend.submit(script, Path(tmp)).job_id
        commands.clear()
        plain(["sdiag", "-r"], None, 30)
        poller = Poller(backend, interval=interval)
        poller.watch("bench", [job_id])
        poller.start()
        time.sleep(seconds)
        poller.stop()
        rpc = sdiag_counts(plain)
        plain(["scancel", job_id], None, 30)
    snap = poller.snapshot
    job_info = sum(v for k, v in rpc.items() if k.startswith("REQUEST_JOB_INFO"))
    done = sum(t.finished for t in snap.tasks.values())
    return {"tasks": tasks, "seconds": seconds, "interval_s": interval, "ticks": snap.ticks, "calls": snap.calls,
            "commands": commands, "sdiag": rpc, "job_info_requests": job_info,
            "job_info_per_tick": round(job_info / max(snap.ticks, 1), 3), "tasks_seen": len(snap.tasks),
            "tasks_finished_seen": done, "stale": snap.stale}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slurm-conf", help="use this running cluster instead of starting one")
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=10.0, help="the poller's base interval (app default 10)")
    args = parser.parse_args()
    cluster = None
    if args.slurm_conf:
        env = {**__import__("os").environ, "SLURM_CONF": args.slurm_conf}
    else:
        from tests.services.slurm import SlurmCluster

        cluster = SlurmCluster().start()
        env = cluster.env
    try:
        print(json.dumps(watch(env, args.tasks, args.seconds, args.interval), sort_keys=True))
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
