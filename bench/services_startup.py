"""Start-up and stop time of the test suite's services (needs root). Prints one JSON object.

`--runs N` starts and stops the SLURM cluster N times; the per-step timings are those of the
last run (munge, MariaDB, slurmdbd, sacctmgr, slurmctld+slurmd).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.services.slurm import SlurmCluster  # noqa: E402
from tests.services.sshd import SshdServer  # noqa: E402


def _timed(action) -> float:
    began = time.monotonic()
    action()
    return round(time.monotonic() - began, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    starts, stops, steps = [], [], {}
    for _ in range(args.runs):
        cluster = SlurmCluster()
        starts.append(_timed(cluster.start))
        steps = dict(cluster.timings)
        stops.append(_timed(cluster.stop))
    server = SshdServer()
    sshd_start = _timed(server.start)
    sshd_stop = _timed(server.cleanup)
    print(json.dumps({"slurm_start_s": starts, "slurm_stop_s": stops, "slurm_steps_s": steps,
                      "sshd_start_s": sshd_start, "sshd_stop_s": sshd_stop}))


if __name__ == "__main__":
    main()
