"""HyperQueue job definition files: a job whose tasks each ask for their own resources.

A task array (`hq submit --array`) gives every task the same request. A sweep whose tasks use
1 or 2 threads needs more: each task must get as many CPUs as it runs threads, or two tasks
share a core and a 0.1 s measurement takes a minute. HyperQueue's answer is a job file (TOML),
submitted with `hq job submit-file FILE`; the embedded HyperQueue reads the same file:

    name = "tiny-sweep"

    [[task]]
    id = 0
    command = ["bash", "/path/to/hq_tasks.sh"]
    [[task.request]]
    resources = { "cpus" = 2 }

Only the keys written here are read back (name; per task id, command, env and one request
for cpus); any other key is refused by name rather than ignored.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tui.fsutil import atomic_write_text

TASK_KEYS = {"id", "command", "env", "request"}
JOB_KEYS = {"name", "task"}


class JobFileError(ValueError):
    """A job file that cannot be run; the message names the file and what is wrong."""


@dataclass
class TaskSpec:
    """One task of a job: its id (HQ_TASK_ID), its command, its CPUs and extra environment."""

    id: int
    command: list[str]
    cpus: int = 1
    env: dict[str, str] = field(default_factory=dict)


def _toml_str(text: str) -> str:
    # A JSON string is a valid TOML basic string for the characters we write (escapes alike).
    return json.dumps(text, ensure_ascii=False)


def render(tasks: list[TaskSpec], name: str) -> str:
    """The TOML text of a job of `tasks`."""
    if not tasks:
        raise JobFileError("a job needs at least one task")
    lines = ["# HyperQueue job file: one task per entry, each with the CPUs it needs.",
             "# Submit: hq job submit-file THIS_FILE   (without hq: python -m tui.cluster.hq_embedded",
             "#   --job-dir DIR --job-file THIS_FILE)", f"name = {_toml_str(name)}"]
    for task in tasks:
        lines += ["", "[[task]]", f"id = {int(task.id)}",
                  "command = [" + ", ".join(_toml_str(a) for a in task.command) + "]"]
        if task.env:
            lines.append("env = {" + ", ".join(f"{_toml_str(k)} = {_toml_str(v)}" for k, v in task.env.items()) + "}")
        lines += ["[[task.request]]", f'resources = {{ "cpus" = {int(task.cpus)} }}']
    return "\n".join(lines) + "\n"


def write(path: str | Path, tasks: list[TaskSpec], name: str) -> Path:
    """Write the job file atomically; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, render(tasks, name))
    return path


def read(path: str | Path) -> tuple[str, list[TaskSpec]]:
    """(name, tasks) of a job file; JobFileError saying what is wrong and where."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobFileError(f"{path}: no such job file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise JobFileError(f"{path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise JobFileError(f"{path} is not valid TOML: {exc}") from None
    _refuse_unknown(path, "the job", data, JOB_KEYS)
    raw_tasks = data.get("task")
    if not isinstance(raw_tasks, list) or not raw_tasks:
        raise JobFileError(f"{path} has no [[task]] entries")
    tasks = [_task(path, n, raw) for n, raw in enumerate(raw_tasks)]
    seen: set[int] = set()
    for task in tasks:
        if task.id in seen:
            raise JobFileError(f"{path}: task id {task.id} appears twice")
        seen.add(task.id)
    return str(data.get("name", path.stem)), tasks


def _task(path: Path, n: int, raw) -> TaskSpec:
    where = f"{path}, task #{n + 1}"
    if not isinstance(raw, dict):
        raise JobFileError(f"{where}: must be a table")
    _refuse_unknown(path, f"task #{n + 1}", raw, TASK_KEYS)
    task_id = raw.get("id", n)
    if not isinstance(task_id, int) or isinstance(task_id, bool) or task_id < 0:
        raise JobFileError(f"{where}: id must be a whole number >= 0, got {task_id!r}")
    command = raw.get("command")
    if not isinstance(command, list) or not command or not all(isinstance(a, str) for a in command):
        raise JobFileError(f"{where}: command must be a non-empty list of strings, got {command!r}")
    env = raw.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise JobFileError(f"{where}: env must be a table of strings")
    return TaskSpec(task_id, command, _cpus(where, raw.get("request", [])), dict(env))


def _cpus(where: str, requests) -> int:
    if not isinstance(requests, list) or len(requests) > 1:
        raise JobFileError(f"{where}: give at most one [[task.request]] (alternatives need the hq binary)")
    if not requests:
        return 1
    request = requests[0]
    resources = request.get("resources", {}) if isinstance(request, dict) else None
    if not isinstance(resources, dict) or set(request) - {"resources"} or set(resources) - {"cpus"}:
        raise JobFileError(f"{where}: the request may only ask for cpus here, got {request!r}")
    cpus = resources.get("cpus", 1)
    if isinstance(cpus, str) and cpus.strip().isdigit():
        cpus = int(cpus)
    if not isinstance(cpus, int) or isinstance(cpus, bool) or cpus < 1:
        raise JobFileError(f"{where}: cpus must be a whole number >= 1, got {cpus!r}")
    return cpus


def _refuse_unknown(path: Path, what: str, table: dict, allowed: set[str]) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise JobFileError(f"{path}: {what} has keys this reader does not run ({', '.join(extra)}); "
                           f"it knows {', '.join(sorted(allowed))} (run other keys with the hq binary)")
