"""The embedded HyperQueue: a server and workers in this process (the `hyperqueue` package's LocalCluster).

Where there is no `hq` binary, this runs the same kind of task array the binary would: one
HyperQueue job whose tasks all run one command, each with its own `$HQ_TASK_ID`. Every task is
wrapped in a one-line shell script that records when it started and ended and its exit code
under `<job-dir>/tasks/`, so the app can show tasks by state, and a Gantt chart, for any command.

    python -m tui.cluster.hq_embedded --job-dir DIR --ids 0-199 [--cpus N] [--cores N] -- CMD ARGS...
    python -m tui.cluster.hq_embedded --job-dir DIR --job-file JOB.toml [--cores N]

A job file (tui.cluster.hq_jobfile, HyperQueue's own format) gives each task its own command
and CPUs; `--ids` gives every task the same command and `--cpus`.

The job folder holds `state.json` (counts, written as the job progresses; atomically), `server/`
(the server's files) and `logs/` (the stderr of failed tasks; a finished task's is removed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tui.cluster.hq_jobfile import JobFileError, TaskSpec
from tui.cluster.hq_jobfile import read as read_job_file
from tui.fsutil import atomic_write_json

# $1 = the tasks folder; the rest is the task's command. `date +%s.%N` is epoch seconds.
WRAPPER = ('d="$1"; shift; date +%s.%N > "$d/$HQ_TASK_ID.start"; "$@"; rc=$?; '
           'echo "$rc $(date +%s.%N)" > "$d/$HQ_TASK_ID.end.tmp"; '
           'mv "$d/$HQ_TASK_ID.end.tmp" "$d/$HQ_TASK_ID.end"; exit $rc')


@contextlib.contextmanager
def quiet_stdout():
    """Send file descriptor 1 to /dev/null: the server prints a banner there, which would
    garble a terminal app or a benchmark's JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@contextlib.contextmanager
def _tmpdir(path: str):
    """Point TMPDIR at `path` while the cluster starts: its server and workers leave a socket
    per run in the temporary folder, which we then remove. The tasks get the old TMPDIR back."""
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = path
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old


def write_state(job_dir: Path, **values: Any) -> None:
    """Merge `values` into `job_dir/state.json` (atomically: the app reads it while we run)."""
    path = job_dir / "state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    state.update(values)
    atomic_write_json(path, state)


def run_array(job_dir: str | Path, command: list[str], ids: list[int], cores: int | None = None,
              workers: int = 1, cwd: str | Path | None = None, env: dict[str, str] | None = None,
              quiet: bool = True, cpus: int = 1) -> dict[str, Any]:
    """Run `command` once per task id (each task asking for `cpus` CPUs); see run_tasks."""
    if not ids or not command:
        raise ValueError("need at least one task id and a command")
    return run_tasks(job_dir, [TaskSpec(i, list(command), cpus) for i in ids], cores, workers, cwd, env, quiet)


def run_tasks(job_dir: str | Path, tasks: list[TaskSpec], cores: int | None = None, workers: int = 1,
              cwd: str | Path | None = None, env: dict[str, str] | None = None,
              quiet: bool = True) -> dict[str, Any]:
    """Run the tasks through a LocalCluster; block until all of them ended.

    Args:
        job_dir: the job's folder (created); see the module docstring for what goes in it.
        tasks: id, argv and CPUs of every task (each finds its id in $HQ_TASK_ID).
        cores: cores per worker (default: all of this machine's).
        workers: how many workers to start.
        cwd: the tasks' working directory (default: the current one).
        env: extra environment variables for the tasks.
        quiet: silence the server's banner on standard output.

    Returns:
        The final state: {"state": "finished"|"failed", "total", "finished", "failed", ...}.

    Raises:
        ValueError: no tasks, or a task asks for more CPUs than a worker has (it would wait forever).
    """
    if not tasks or not all(t.command for t in tasks):
        raise ValueError("need at least one task, each with a command")
    cores = cores or os.cpu_count() or 1
    greedy = max(tasks, key=lambda t: t.cpus)
    if greedy.cpus > cores:
        raise ValueError(f"task {greedy.id} asks for {greedy.cpus} CPUs but a worker has {cores}: "
                         "it would never start (give the workers more cores, or the task fewer)")
    job_dir = Path(job_dir).resolve()
    for folder in ("tasks", "logs", "server"):
        (job_dir / folder).mkdir(parents=True, exist_ok=True)
    ids = [t.id for t in tasks]
    write_state(job_dir, state="starting", total=len(ids), finished=0, failed=0, pid=os.getpid(),
                submitted=time.time(), ids=_ids_text(ids))
    job = _build_job(job_dir, tasks, cwd, env)
    cluster, scratch = _start_cluster(job_dir, cores, workers, quiet)
    try:
        client = cluster.client()
        submitted = client.submit(job)
        write_state(job_dir, state="running", hq_job_id=submitted.id)

        def progress(jobs: dict) -> None:
            counts = jobs.get(submitted.id, {})
            write_state(job_dir, finished=counts.get("finished", 0), failed=counts.get("failed", 0))

        failed = client.connection.wait_for_jobs([submitted.id], progress)
    finally:
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    write_state(job_dir, state="failed" if failed else "finished", ended=time.time(),
                **_counts(job_dir / "tasks", ids))
    return json.loads((job_dir / "state.json").read_text(encoding="utf-8"))


def _build_job(job_dir: Path, tasks: list[TaskSpec], cwd, env):
    """One HyperQueue job: per task, its command inside the recording wrapper, with its CPUs."""
    from hyperqueue import Job
    from hyperqueue.ffi.protocol import ResourceRequest
    from hyperqueue.output import StdioDef

    job = Job(default_workdir=str(cwd or os.getcwd()), max_fails=None, default_env=dict(env or {}))
    for spec in tasks:
        job.program(["sh", "-c", WRAPPER, "sh", str(job_dir / "tasks"), *spec.command], stdout=None,
                    env=dict(spec.env) or None, resources=ResourceRequest(cpus=spec.cpus),
                    stderr=StdioDef.remove_if_finished(str(job_dir / "logs" / f"{spec.id}.err")))
    # The Python API numbers tasks 0..N-1 in the order added; give them the job's own ids.
    for task, spec in zip(job.tasks, tasks):
        task.task_id = spec.id
    return job


def _start_cluster(job_dir: Path, cores: int | None, workers: int, quiet: bool):
    """A LocalCluster with `workers` workers; returns it and the scratch folder to remove after."""
    from hyperqueue import LocalCluster
    from hyperqueue.cluster import WorkerConfig

    scratch = tempfile.mkdtemp(prefix="hptune-hq-")  # short: it holds unix sockets (108-byte paths)
    try:
        with quiet_stdout() if quiet else contextlib.nullcontext(), _tmpdir(scratch):
            cluster = LocalCluster(server_dir=str(job_dir / "server"))
            for _ in range(max(1, workers)):
                cluster.start_worker(WorkerConfig(cores=cores or os.cpu_count() or 1))
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return cluster, scratch


def _ids_text(ids: list[int]) -> str:
    """Task ids as an --array value, runs of consecutive ids as ranges (0-199, not 200 numbers)."""
    parts, start = [], None
    for i, task_id in enumerate(ids):
        if start is None:
            start = task_id
        if i + 1 == len(ids) or ids[i + 1] != task_id + 1:
            parts.append(str(start) if start == task_id else f"{start}-{task_id}")
            start = None
    return ",".join(parts)


def _counts(tasks_dir: Path, ids: list[int]) -> dict[str, int]:
    """Finished and failed tasks, from the wrapper's .end files."""
    finished = failed = 0
    for task_id in ids:
        try:
            rc = (tasks_dir / f"{task_id}.end").read_text().split()[0]
        except (OSError, IndexError):
            continue
        finished += rc == "0"
        failed += rc != "0"
    return {"finished": finished, "failed": failed}


def _raise_interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.cluster.hq_embedded", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--job-dir", required=True, type=Path)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--ids", help="task ids, as --array takes them: 0-199, 1,3,5-9 (the command after --)")
    what.add_argument("--job-file", type=Path, help="a HyperQueue job file (TOML): tasks with their own CPUs")
    parser.add_argument("--cpus", type=int, default=1, help="CPUs each task of --ids asks for (default 1)")
    parser.add_argument("--cores", type=int, default=None, help="cores per worker (default: all)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        tasks = _tasks_from_args(args, command)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    # SIGTERM (cancel) must still stop the server and workers: turn it into an exception.
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        state = run_tasks(args.job_dir, tasks, args.cores, args.workers)
    except KeyboardInterrupt:
        write_state(args.job_dir.resolve(), state="cancelled", ended=time.time())
        return 1
    except Exception as exc:  # the app reads state.json: say why instead of staying "starting"
        write_state(args.job_dir.resolve(), state="failed", ended=time.time(), error=f"{type(exc).__name__}: {exc}")
        print(f"HyperQueue job failed: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0 if state["state"] == "finished" else 1


def _tasks_from_args(args, command: list[str]) -> list[TaskSpec]:
    """The tasks the command line asks for; ValueError with the message for the user."""
    if args.cpus < 1:
        raise ValueError(f"--cpus must be at least 1, got {args.cpus}")
    if args.job_file is not None:
        if command:
            raise ValueError("--job-file names each task's command: give no command after --")
        try:
            return read_job_file(args.job_file)[1]
        except JobFileError as exc:
            raise ValueError(f"--job-file: {exc}") from None
    from tui.jobscript.arrays import ArrayFormatError, parse_array

    try:
        ids = parse_array(args.ids).task_ids()
    except ArrayFormatError as exc:
        raise ValueError(f"--ids: {exc}") from None
    if not command:
        raise ValueError("no command given: put it after --")
    return [TaskSpec(i, command, args.cpus) for i in ids]


if __name__ == "__main__":
    sys.exit(main())
