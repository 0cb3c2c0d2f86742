"""Run the tasks of a sweep of tiny measurements and write one result file per task.

The sweep is `<run-dir>/sweep.json`: a JSON list of configurations (keyword arguments of the
measurement function). Task N measures configuration N and writes, through the trial logger,
`trials/<N>/params.json` and `trials/<N>/result.json` with `seq_per_s`, `peak_mem_gb` and the
times the app needs for its Gantt chart and overhead figures:

    launched   when the task's process started (or, in a worker loop, when it took the task)
    cpus       the CPUs the task was given (HyperQueue's or SLURM's request)
    started    when the measurement began (imports done)      -- result.json "started"
    ended      when it finished                               -- result.json "ended"
    timed_s    the seconds spent in the timed passes (the useful work)

Two ways to run tasks:
    python -m tui.runtime.tiny_tasks --run-dir DIR --task N      one task per process
    python -m tui.runtime.tiny_tasks --run-dir DIR --loop        all tasks in one process
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from tui.fsutil import atomic_write_json
from tui.runtime.logger import TrialLogger

Measure = Callable[..., dict[str, Any]]
SWEEP_FILE = "sweep.json"


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


def load_sweep(run_dir: str | Path) -> list[dict[str, Any]]:
    """The configurations of `run_dir/sweep.json`; ValueError saying what is wrong with it."""
    path = Path(run_dir) / SWEEP_FILE
    try:
        configs = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} is missing: write the sweep first") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(configs, list) or not configs or not all(isinstance(c, dict) for c in configs):
        raise ValueError(f"{path} must hold a non-empty JSON list of objects (one per task)")
    return configs


def save_sweep(run_dir: str | Path, configs: list[dict[str, Any]]) -> None:
    """Write `run_dir/sweep.json` unless it exists (atomically: many tasks may race to write it)."""
    if not isinstance(configs, list) or not configs or not all(isinstance(c, dict) for c in configs):
        raise ValueError("the sweep must be a non-empty list of dicts (one configuration per task)")
    path = Path(run_dir) / SWEEP_FILE
    if not path.exists():
        atomic_write_json(path, configs)


def task_name(index: int) -> str:
    """The trial folder of task `index` (zero-padded so that folders sort in task order)."""
    return f"{index:05d}"


def run_task(run_dir: str | Path, index: int, config: dict[str, Any], measure: Measure,
             launched: float, mode: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Measure one configuration and write its files; returns result.json's content.

    An exception in `measure` is recorded as a failed result and re-raised.
    """
    with TrialLogger(run_dir, task_name(index)) as logger:
        logger.extra.update(task=index, mode=mode, launched=launched, cpus=cpus_given(), **(extra or {}))
        logger.start(config)
        out = measure(**config)
        if not isinstance(out, dict) or "seq_per_s" not in out:
            raise ValueError(f"the measurement must return a dict with seq_per_s, got {out!r}")
        logger.extra.update(out)
        return logger.finish("complete")


def run_loop(run_dir: str | Path, configs: list[dict[str, Any]], measure: Measure,
             indices: Iterable[int] | None = None, mode: str = "worker_loop") -> int:
    """Run tasks one after another in this process (imports paid once); returns how many failed."""
    failed = 0
    launched = process_start_time()
    for index in indices if indices is not None else range(len(configs)):
        try:
            run_task(run_dir, index, configs[index], measure, launched, mode)
        except Exception as exc:  # one bad configuration must not stop the rest of the sweep
            failed += 1
            print(f"task {index} failed: {exc}", file=sys.stderr)
        launched = time.time()
    return failed


def mode_from_env() -> str:
    """How this process was started: by HyperQueue, as a SLURM array task, or by hand."""
    if os.environ.get("HQ_TASK_ID"):
        return "hyperqueue"
    if os.environ.get("SLURM_ARRAY_TASK_ID") or os.environ.get("SLURM_JOB_ID"):
        return "job_per_task"
    return "process_per_task"


def task_id_from_env() -> int | None:
    """The task id HyperQueue or a SLURM array gives this process (None outside of both)."""
    for key in ("HQ_TASK_ID", "SLURM_ARRAY_TASK_ID"):
        if os.environ.get(key, "").isdigit():
            return int(os.environ[key])
    return None


def main(argv: list[str] | None = None, measure: Measure | None = None,
         configs: list[dict[str, Any]] | None = None) -> int:
    """The command line of a task (or a worker loop).

    Args:
        argv: the arguments (default: sys.argv[1:]).
        measure: the measurement (default: tui.runtime.throughput.measure with --engine).
        configs: the sweep; when given, it is also written to the run's sweep.json (if absent),
            so the run folder records what it measured. Default: read sweep.json.
    """
    launched = process_start_time()
    parser = argparse.ArgumentParser(prog="python -m tui.runtime.tiny_tasks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", required=True, type=Path)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--task", type=int, help="the task to run (default: $HQ_TASK_ID or $SLURM_ARRAY_TASK_ID)")
    group.add_argument("--loop", action="store_true", help="run every task of the sweep in this process")
    parser.add_argument("--engine", choices=("torch", "toy"), default="torch")
    args = parser.parse_args(argv)
    try:
        if configs is None:
            configs = load_sweep(args.run_dir)
        else:
            save_sweep(args.run_dir, configs)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if measure is None:
        from tui.runtime.throughput import measure as runtime_measure

        def measure(**config):
            return runtime_measure(**{"engine": args.engine, **config})
    if args.loop:
        return 1 if run_loop(args.run_dir, configs, measure) else 0
    index = args.task if args.task is not None else task_id_from_env()
    if index is None or not 0 <= index < len(configs):
        print(f"task {index} is not in the sweep (0-{len(configs) - 1}); pass --task N", file=sys.stderr)
        return 2
    run_task(args.run_dir, index, configs[index], measure, launched, mode_from_env())
    return 0


if __name__ == "__main__":
    sys.exit(main())
