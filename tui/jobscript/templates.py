"""The bundled job-script templates: what each is for, its starting values and its extras.

A template's extras are the values only it uses (the run folder, the study name ...); each
has a kind that says how it is checked. Names are given with or without `.sh.j2`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.jobscript import fields as F
from tui.jobscript.arrays import ArrayFormatError, parse_array
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.spec import DIRECTIVE_FIELDS, JobSpec

SUFFIX = ".sh.j2"
_DURATION = re.compile(r"[1-9][0-9]{0,5}[smh]")
# one sbatch option as `hq alloc add slurm -- ...` passes it on: --name or --name=value, plain characters
_SBATCH_ARG = re.compile(r"--[a-z][a-z-]*(=[A-Za-z0-9_.:,/@%+-]+)?")


@dataclass(frozen=True)
class Extra:
    """One template-specific value: its kind (path, name, count, tasks, duration) and default."""

    default: str
    kind: str
    help: str


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # file name, e.g. "array.sh.j2"
    title: str
    batch: bool  # False for helpers that run on the login node (no #SBATCH lines)
    defaults: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Extra] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def default_spec(self) -> JobSpec:
        """A JobSpec holding this template's starting values."""
        spec = JobSpec.from_dict(dict(self.defaults))
        spec.extras = {key: extra.default for key, extra in self.extras.items()}
        return spec


_RUN_DIR = Extra("runs", "path", "folder of the runs: each job writes into RUN_DIR=runs/<job id>")
TEMPLATES: dict[str, TemplateInfo] = {info.name: info for info in (
    TemplateInfo("single.sh.j2", "one plain job", True,
                 {"job_name": "train", "time": "00:30:00", "cpus_per_task": "4", "mem": "8G",
                  "output": "logs/%x-%j.out", "command": "python train.py"}, {}, ("command",)),
    TemplateInfo("array.sh.j2", "random search as a job array", True,
                 {"job_name": "random-search", "time": "00:30:00", "cpus_per_task": "2", "mem": "4G",
                  "array": "0-31%8", "output": "logs/%x-%A_%a.out",
                  "command": 'python -m tui.runtime.random_search --run-dir "$RUN_DIR" --sampler sample.py '
                             '--task-id "$SLURM_ARRAY_TASK_ID" --seed 0 --epochs 20'},
                 {"run_dir": _RUN_DIR}, ("array", "command")),
    TemplateInfo("optuna_workers.sh.j2", "Optuna workers sharing one study journal", True,
                 {"job_name": "optuna", "time": "01:00:00", "cpus_per_task": "2", "mem": "4G", "array": "0-3",
                  "output": "logs/%x-%A_%a.out",
                  "command": 'python -m tui.runtime.optuna_worker --run-dir "$RUN_DIR" --objective objective.py '
                             '--n-trials "$N_TRIALS" --timeout "$WORKER_TIMEOUT" --pruner "$PRUNER" --seed 0 '
                             '--study-name "$STUDY_NAME"'},
                 {"run_dir": Extra("runs", "path", "folder of the runs: each job's journal is in runs/<job id>"),
                  "study_name": Extra("digits-mlp", "name", "the Optuna study every worker joins"),
                  "n_trials": Extra("40", "count", "trials of the whole study (all workers together)"),
                  "pruner": Extra("median", "name", "pruner: median, sha, hyperband or none")},
                 ("array", "command")),
    TemplateInfo("hq_workers.sh.j2", "HyperQueue workers inside an allocation", True,
                 {"job_name": "hq-worker", "time": "01:00:00", "cpus_per_task": "4", "mem": "8G",
                  "output": "logs/%x-%j.out"},
                 {"server_dir": Extra("hq-server", "path", "the server directory the server was started with"),
                  "idle_timeout": Extra("5m", "duration", "a worker with nothing to do stops after this long"),
                  "hq": Extra("hq", "path", "the hq program (a path if it is not on PATH)")}),
    TemplateInfo("hq_server.sh.j2", "starts a HyperQueue server and submits the sweep (login node)", False,
                 {"command": 'python tiny_task.py --run-dir runs/hq --task "$HQ_TASK_ID"'},
                 {"server_dir": Extra("hq-server", "path", "where the server keeps its address and keys"),
                  "tasks": Extra("0-127", "tasks", "the task ids of the sweep (hq submit --array)"),
                  "task_cpus": Extra("2", "count", "CPUs each task asks for (hq submit --cpus): one per thread"),
                  "workers": Extra("2", "count", "worker jobs: submitted now (sbatch), or at most at once (alloc)"),
                  "workers_by": Extra("sbatch", "workers_by", "sbatch: submit the hq_workers script now; "
                                      "alloc: HyperQueue submits worker jobs itself while tasks wait"),
                  "worker_script": Extra("hq_workers.sh", "path", "the rendered hq_workers script (sbatch)"),
                  "alloc_time": Extra("1h", "duration", "time limit of each worker job HyperQueue submits (alloc)"),
                  "alloc_args": Extra("--cpus-per-task=4 --mem=8G", "sbatch_args",
                                      "sbatch options of those worker jobs, e.g. --account=X --partition=Y (alloc)"),
                  "hq": Extra("hq", "path", "the hq program (a path if it is not on PATH)")},
                 ("command",)),
)}


def template_info(name: str) -> TemplateInfo:
    """The template called `name` (with or without .sh.j2); KeyError naming the valid ones."""
    key = name if name.endswith(SUFFIX) else name + SUFFIX
    if key not in TEMPLATES:
        raise KeyError(f"unknown template {name!r}; templates: {', '.join(t[:-len(SUFFIX)] for t in TEMPLATES)}")
    return TEMPLATES[key]


def validate_for(info: TemplateInfo, spec: JobSpec, limits: ClusterLimits | None = None) -> dict[str, str]:
    """All problems of `spec` for this template: each field, the required ones and the extras."""
    errors = spec.validate(limits)
    if not info.batch:
        for name, option in DIRECTIVE_FIELDS.items():
            if getattr(spec, name) and name not in errors:
                errors[name] = f"{info.name} runs on the login node and has no #SBATCH lines; leave --{option} out"
    for name in info.required:
        if not getattr(spec, name) and name not in errors:
            errors[name] = f"{info.name} needs a value for {name}"
    for key, value in spec.extras.items():
        extra = info.extras.get(key)
        if extra is None:
            errors.setdefault(f"extras.{key}", f"{info.name} has no extra {key!r}; it has "
                              f"{', '.join(info.extras) or 'none'}")
        elif f"extras.{key}" not in errors:
            message = _check_extra(extra.kind, value)
            if message:
                errors[f"extras.{key}"] = message
    for key in info.extras:
        if key not in spec.extras:
            errors[f"extras.{key}"] = f"{info.name} needs a value for {key}"
    return errors


def _check_extra(kind: str, value: str) -> str:
    if not value:
        return "is empty"
    if kind == "path":
        return F.check_path(value)
    if kind == "name":
        return F.check_name(value, "name")
    if kind == "count":
        return F.check_count(value, "items")
    if kind == "workers_by":
        return "" if value in ("sbatch", "alloc") else f"sbatch or alloc (got {value!r})"
    if kind == "sbatch_args":
        bad = [arg for arg in value.split() if not _SBATCH_ARG.fullmatch(arg)]
        return f"sbatch options such as --account=X --mem=8G, one word each; not {bad[0]!r}" if bad else ""
    if kind == "duration":
        return "" if _DURATION.fullmatch(value) else f"a duration such as 30s, 5m or 1h (got {value!r})"
    if kind == "tasks":
        if "%" in value:
            return "HyperQueue runs as many tasks at once as the workers have room for; drop the %N"
        try:
            parse_array(value)
        except ArrayFormatError as exc:
            return str(exc)
    return ""
