"""Exercise 3 (many tiny jobs with HyperQueue): hq.runs, hq.overhead, results.best_config.

The checks read what the tasks wrote (runs/<run>/trials/<N>/result.json and sweep.json); they
run no learner code, so a broken tiny_task.py shows up as missing or failed tasks, with the
reason. What they test is what the learner controls: the same sweep ran all three ways, every
record is sound, the overheads come out in the order the lesson predicts (with margins from
reference.json, measured under load), and best.json reports the fastest configuration. No
wall-clock throughput ratio: that measures the machine's load, not the learner's work.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tui.checks.context import CheckContext
from tui.checks.ex03_records import LABELS, WAYS, WayRun, newest_runs, run_problems
from tui.checks.result import CheckResult

CHECK_IDS = ("hq.runs", "hq.overhead", "results.best_config")
CODE_FILES = ("tiny_task.py", "sweep.py")
# The reference run submits one job per task: the self-test hands it the test cluster's environment.
REFERENCE_NEEDS = "slurm"
HOW = {"job_per_task": "hptune-tui submit per_task.sh", "worker_loop": "hptune-tui submit worker_loop.sh",
       "hyperqueue": "python sweep.py --hq-job hq_job.toml, then hptune-tui submit hq_job.toml --backend hyperqueue"}
HINTS = {
    "hq.runs": [
        "Run the sweep three ways from the exercise folder: `hptune-tui submit per_task.sh`, "
        "`hptune-tui submit worker_loop.sh`, and `python sweep.py --hq-job hq_job.toml` then "
        "`hptune-tui submit hq_job.toml --backend hyperqueue`.",
        "Each task writes runs/<way>/trials/<task>/result.json; a failed one says why in its `reason`. "
        "Complete measure() in tiny_task.py and configs() in sweep.py first: "
        "`python tiny_task.py --run-dir runs/try --task 0` must print no error.",
        "Changed configs()? Every run records its sweep in sweep.json: remove the old runs/<way> folders "
        "and run the three ways again, so that they measure the same sweep.",
    ],
    "hq.overhead": [
        "`python report.py runs/per-task runs/loop runs/hq` shows, per way, the scheduler's wait and the "
        "start-up (new Python, imports) each task paid.",
        "The worker loop pays the imports once; if its overhead is not the smallest, look at its first "
        "task's start-up and at failed tasks.",
        "HyperQueue removes the scheduler's wait, not the imports: run it with workers already started "
        "(the job file from `python sweep.py --hq-job hq_job.toml`), and one job per task on SLURM.",
    ],
    "results.best_config": [
        "Run `python report.py runs/per-task runs/loop runs/hq --save-best` after the HyperQueue run finished.",
        "best.json must name the fastest configuration of that run and its seq/s, as report.py writes it.",
        "Rerunning the sweep changes the figures: save the best again after every new HyperQueue run.",
    ],
}


def check_runs(ways: dict[str, WayRun], reference: dict[str, Any]) -> CheckResult:
    """The same sweep ran all three ways, with enough finished tasks, and every record is sound."""
    cid, need = "hq.runs", reference.get("min_tasks", {})
    missing = [m for m in WAYS if m not in ways]
    if missing:
        return CheckResult(cid, False, "expected a run of each way; found none of " + "; ".join(
            f"{LABELS[m]} ({HOW[m]})" for m in missing), HINTS[cid])
    problems = [p for m in WAYS for p in run_problems(ways[m])]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return CheckResult(cid, False, f"expected sound task records; {problems[0]}{more}", HINTS[cid])
    short = [f"{LABELS[m]} {ways[m].stats['complete']} < {need.get(m, 1)}" for m in WAYS
             if ways[m].stats["complete"] < int(need.get(m, 1))]
    if short:
        return CheckResult(cid, False, "expected more finished tasks: " + ", ".join(short), HINTS[cid])
    sweeps = {m: ways[m].sweep for m in WAYS}
    if any(sweeps[m] != sweeps["hyperqueue"] for m in WAYS):
        odd = next(m for m in WAYS if sweeps[m] != sweeps["hyperqueue"])
        return CheckResult(cid, False, f"expected the same sweep all three ways; runs/{ways[odd].run.name}/"
                           f"sweep.json differs from runs/{ways['hyperqueue'].run.name}'s", HINTS[cid])
    measured = {json.dumps(r.params, sort_keys=True) for r in ways["hyperqueue"].records}
    configs = {json.dumps(c, sort_keys=True) for c in sweeps["hyperqueue"]}
    if configs - measured:
        return CheckResult(cid, False, f"expected the HyperQueue run to measure every configuration once; "
                           f"{len(configs - measured)} of {len(configs)} were not run", HINTS[cid])
    counts = ", ".join(f"{LABELS[m]} {ways[m].stats['complete']}" for m in WAYS)
    return CheckResult(cid, True, f"the same sweep ran three ways, every record sound: {counts} tasks", HINTS[cid])


def _figures(stats: dict[str, Any]) -> str:
    wait, startup = stats["wait_per_task_s"] or 0.0, stats["startup_per_task_s"] or 0.0
    return f"{wait + startup:.2f} s ({wait:.2f} wait + {startup:.2f} start-up)"


def check_overhead(ways: dict[str, WayRun], reference: dict[str, Any]) -> CheckResult:
    """The worker loop's overhead per task well under HyperQueue's (imports paid once), and on a real
    SLURM, one job per task's wait well over HyperQueue's (no scheduler per task); reference.json's
    margins were measured on a loaded 2-core machine."""
    cid = "hq.overhead"
    if any(m not in ways or not ways[m].stats["complete"] for m in WAYS):
        return CheckResult(cid, False, "expected finished tasks of all three ways to compare their overheads; "
                           "see hq.runs", HINTS[cid])
    job, loop, hq = (ways[m].stats for m in WAYS)
    found = (f"overhead per task: worker loop {_figures(loop)}, HyperQueue {_figures(hq)}, "
             f"one job per task {_figures(job)}")
    startup_ratio = float(reference.get("min_startup_ratio", 3.0))
    if hq["overhead_per_task_s"] < startup_ratio * loop["overhead_per_task_s"]:
        return CheckResult(cid, False, f"expected the worker loop's overhead under 1/{startup_ratio:g} of "
                           f"HyperQueue's (imports paid once); {found}", HINTS[cid])
    runner = {r.runner for r in ways["job_per_task"].records}
    if runner != {"slurm"}:  # the local runner has no queue: there is no scheduler's wait to take away
        wait = job["wait_per_task_s"] or 0.0
        return CheckResult(cid, True, f"{found}. One job per task ran on the local runner, whose per-job "
                           f"overhead is {wait:.2f} s of wait: no queue to take away (a real SLURM: seconds)",
                           HINTS[cid])
    wait_ratio = float(reference.get("min_wait_ratio", 3.0))
    job_wait, hq_wait = job["wait_per_task_s"] or 0.0, hq["wait_per_task_s"] or 0.0
    # Only the waits: the start-ups are the same imports both ways (HyperQueue's run side by side,
    # so on a loaded machine each takes longer); what HyperQueue takes away is the scheduler's wait.
    if job_wait < wait_ratio * hq_wait:
        return CheckResult(cid, False, f"expected SLURM's wait per job at least {wait_ratio:g}x HyperQueue's "
                           f"(its workers are already running); {found}", HINTS[cid])
    return CheckResult(cid, True, f"{found}: the order the lesson predicts", HINTS[cid])


def check_best(exercise_dir: Path, runs: dict) -> CheckResult:
    """best.json names the fastest configuration of the HyperQueue run and its seq/s."""
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
    ways = newest_runs(ctx.path)
    runs = {mode: [(way.run, way.stats)] for mode, way in ways.items()}
    return [check_runs(ways, ctx.reference), check_overhead(ways, ctx.reference), check_best(ctx.path, runs)]
