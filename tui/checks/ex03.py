"""Exercise 3 (many tiny jobs with HyperQueue): hq.tasks, hq.throughput, results.best_config.

The checks read what the tasks wrote (runs/<run>/trials/<N>/result.json); they run no learner
code, so a broken tiny_task.py shows up as missing or failed tasks, with the reason.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tui.checks.context import CheckContext
from tui.checks.result import CheckResult

CHECK_IDS = ("hq.tasks", "hq.throughput", "results.best_config")
CODE_FILES = ("tiny_task.py", "sweep.py")
# The reference run submits one job per task: the self-test hands it the test cluster's environment.
REFERENCE_NEEDS = "slurm"
HINTS = {
    "hq.tasks": [
        "Run the sweep through HyperQueue: `python sweep.py --hq-job hq_job.toml`, then "
        "`hptune-tui submit hq_job.toml --backend hyperqueue` (or `hq job submit-file hq_job.toml` on a cluster).",
        "Each task writes runs/hq/trials/<task>/result.json; a failed one says why in its `reason`.",
        "Complete measure() in tiny_task.py and configs() in sweep.py first: "
        "`python tiny_task.py --run-dir runs/try --task 0` must print no error.",
    ],
    "hq.throughput": [
        "Both runs are needed: the sweep through HyperQueue (runs/hq) and one job per task (per_task.sh).",
        "Give every task the CPUs its threads use (the job file from `python sweep.py --hq-job hq_job.toml` "
        "does): a 2-thread task on 1 CPU shares a core with its neighbour and takes seconds instead of one.",
        "`python report.py runs/per-task runs/loop runs/hq` shows tasks/s and the overhead per task side by side, "
        "and warns about tasks that ran more threads than CPUs.",
    ],
    "results.best_config": [
        "Run `python report.py runs/per-task runs/loop runs/hq --save-best` after the HyperQueue run finished.",
        "best.json must name the fastest configuration of that run and its seq/s, as report.py writes it.",
        "Rerunning the sweep changes the figures: save the best again after every new HyperQueue run.",
    ],
}


def runs_by_mode(exercise_dir: Path) -> dict[str, list[tuple[Path, dict[str, Any]]]]:
    """Every run of the exercise with its summary, grouped by how its tasks ran, newest first."""
    from tui.results.runs import list_runs
    from tui.results.tiny_stats import load_tasks, summarize

    out: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for run in list_runs(exercise_dir):
        records, _ = load_tasks(run)
        modes = {r.mode for r in records if r.mode}
        if len(modes) == 1:
            out.setdefault(modes.pop(), []).append((run, summarize(records)))
    return out


def check_tasks(runs: dict, reference: dict[str, Any]) -> CheckResult:
    cid, need = "hq.tasks", int(reference.get("min_hq_tasks", 100))
    hq = runs.get("hyperqueue", [])
    if not hq:
        return CheckResult(cid, False, f"expected a run of at least {need} tasks through HyperQueue; "
                           "found no run whose tasks ran under HyperQueue", HINTS[cid])
    run, stats = max(hq, key=lambda item: item[1]["complete"])
    if stats["complete"] < need:
        return CheckResult(cid, False, f"expected at least {need} complete HyperQueue tasks; {run.name} has "
                           f"{stats['complete']} complete, {stats['failed']} failed", HINTS[cid])
    return CheckResult(cid, True, f"{stats['complete']} tasks ran through HyperQueue in {run.name}", HINTS[cid])


def check_throughput(runs: dict, reference: dict[str, Any]) -> CheckResult:
    cid, factor = "hq.throughput", float(reference.get("min_speedup", 5.0))
    fastest = {mode: max((s for _, s in items), key=lambda s: s["tasks_per_s"]) for mode, items in runs.items()}
    hq = fastest.get("hyperqueue", {}).get("tasks_per_s", 0.0)
    per_job = fastest.get("job_per_task", {}).get("tasks_per_s", 0.0)
    if not hq or not per_job:
        missing = " and ".join(m for m, v in (("a HyperQueue run", hq), ("a one-job-per-task run", per_job)) if not v)
        return CheckResult(cid, False, f"expected HyperQueue to run tasks {factor:g}x faster than one job per task; "
                           f"found no finished tasks of {missing}", HINTS[cid])
    ratio = hq / per_job
    found = (f"HyperQueue {hq:.2f} tasks/s ({_overhead(fastest['hyperqueue'])}), one job per task "
             f"{per_job:.2f} tasks/s ({_overhead(fastest['job_per_task'])}): {ratio:.1f}x")
    if ratio < factor:
        return CheckResult(cid, False, f"expected at least {factor:g}x; found {found}", HINTS[cid])
    return CheckResult(cid, True, found, HINTS[cid])


def _overhead(stats: dict[str, Any]) -> str:
    value = stats.get("overhead_per_task_s")
    return "overhead per task unknown" if value is None else f"{value:.2f} s overhead per task"


def check_best(exercise_dir: Path, runs: dict) -> CheckResult:
    cid, path = "results.best_config", exercise_dir / "best.json"
    try:
        best = json.loads(path.read_text(encoding="utf-8"))
        claimed, params = float(best["seq_per_s"]), dict(best["params"])
    except FileNotFoundError:
        return CheckResult(cid, False, "expected best.json with the fastest configuration; it is missing", HINTS[cid])
    except (ValueError, KeyError, TypeError) as exc:
        return CheckResult(cid, False, f"best.json must hold params and seq_per_s; it does not ({exc})", HINTS[cid])
    for run, stats in runs.get("hyperqueue", []):
        top = stats["best"]
        if top and str(best.get("run", "")).rstrip("/").endswith(run.name):
            if top["params"] == params and math.isclose(top["seq_per_s"], claimed, rel_tol=1e-6):
                return CheckResult(cid, True, f"best: {params} at {claimed:.0f} seq/s ({run.name})", HINTS[cid])
            return CheckResult(cid, False, f"expected the fastest of {run.name}: {top['params']} at "
                               f"{top['seq_per_s']:.0f} seq/s; best.json says {params} at {claimed:.0f}", HINTS[cid])
    return CheckResult(cid, False, f"best.json names run {best.get('run')!r}, which is not a HyperQueue run "
                       "with finished tasks here", HINTS[cid])


def reference_run(folder: Path, env: dict[str, str] | None = None) -> Path:
    """The solution's real run on SLURM and the embedded HyperQueue (tui.checks.ex03_reference)."""
    from tui.checks.ex03_reference import reference_run as run_reference

    return run_reference(folder, env)


def run(ctx: CheckContext) -> list[CheckResult]:
    """Run all checks of exercise 3 against the runs under ctx.path/runs."""
    runs = runs_by_mode(ctx.path)
    return [check_tasks(runs, ctx.reference), check_throughput(runs, ctx.reference),
            check_best(ctx.path, runs)]
