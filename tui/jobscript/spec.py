"""JobSpec: the validated model behind the job form and `hptune-tui script --set`.

Every field is text, as the learner types it ("" means: leave the directive out). `validate()`
checks each field on its own and returns {field: message}; nothing is rendered unless it is
empty. Values reach the script only through the template's quoting filter.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field

from tui.jobscript import fields as F
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.textcheck import control_problem, directive_problem, too_long

# JobSpec field -> the sbatch long option it becomes (in the order the header writes them).
DIRECTIVE_FIELDS: dict[str, str] = {
    "job_name": "job-name",
    "account": "account",
    "partition": "partition",
    "time": "time",
    "nodes": "nodes",
    "cpus_per_task": "cpus-per-task",
    "mem": "mem",
    "gpus_per_node": "gpus-per-node",
    "array": "array",
    "output": "output",
    "error": "error",
    "workdir": "chdir",
}
LIST_FIELDS = ("modules",)


class SpecInputError(ValueError):
    """`--set` pairs that cannot become a JobSpec; `problems` holds one line per pair."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class JobSpec:
    """What a job script says: resources, files, environment set-up and the command."""

    job_name: str = ""
    account: str = ""
    partition: str = ""
    time: str = ""
    nodes: str = ""
    cpus_per_task: str = ""
    mem: str = ""
    gpus_per_node: str = ""
    array: str = ""
    output: str = ""
    error: str = ""
    workdir: str = ""
    env: str = "none"  # none | modules | apptainer | venv
    modules: list[str] = field(default_factory=list)
    image: str = ""  # the Apptainer image when env == "apptainer"
    venv: str = ""  # the virtual environment folder when env == "venv"
    command: str = ""
    extras: dict[str, str] = field(default_factory=dict)  # template-specific values

    def validate(self, limits: ClusterLimits | None = None) -> dict[str, str]:
        """Check every field on its own.

        Args:
            limits: what is known about the cluster; values beyond it are flagged.

        Returns:
            {field: message} for each invalid field (extras as "extras.KEY"); empty when valid.
        """
        limits = limits or ClusterLimits()
        errors: dict[str, str] = {}
        for name, message in self._field_checks(limits):
            if message and name not in errors:
                errors[name] = message
        return errors

    def _field_checks(self, limits: ClusterLimits):
        checks = {
            "job_name": lambda v: F.check_job_name(v),
            "account": lambda v: F.check_account(v, limits),
            "partition": lambda v: F.check_partition(v, limits),
            "time": lambda v: F.check_time(v, self.partition, limits),
            "nodes": F.check_nodes,
            "cpus_per_task": lambda v: F.check_count(v, "CPUs per task"),
            "mem": F.check_mem,
            "gpus_per_node": lambda v: F.check_gpus(v, limits),
            "array": lambda v: F.check_array(v, limits),
            "output": F.check_output,
            "error": F.check_output,
            "workdir": lambda v: F.check_path(v, directive=True),
            "image": F.check_path,
            "venv": F.check_path,
            "command": F.check_command,
        }
        for name, check in checks.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                yield name, f"must be text, got {type(value).__name__}"
            elif value:
                # Whatever lands on an #SBATCH line must first be safe for sbatch's reader.
                safe = directive_problem(value) if name in DIRECTIVE_FIELDS else ""
                yield name, safe or check(value)
        yield "env", F.check_env(self.env)
        yield from self._env_checks()
        for key, value in self.extras.items():
            yield f"extras.{key}", control_problem(str(key)) or control_problem(str(value)) \
                or too_long(str(value), F.MAX_PATH)

    def _env_checks(self):
        for module in self.modules:
            yield "modules", F.check_module(module)
        if self.env == "modules" and not self.modules:
            yield "modules", "list at least one module to load, or choose another environment set-up"
        if self.env == "apptainer" and not self.image:
            yield "image", "give the Apptainer image (.sif) to run the command in"
        if self.env == "venv" and not self.venv:
            yield "venv", "give the folder of the virtual environment to activate"

    def directives(self) -> list[tuple[str, str]]:
        """The (long option, value) pairs the script's `#SBATCH` lines carry, in order."""
        return [(option, getattr(self, name)) for name, option in DIRECTIVE_FIELDS.items() if getattr(self, name)]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "JobSpec":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    @classmethod
    def from_pairs(cls, pairs: list[str], base: "JobSpec | None" = None,
                   extra_keys: tuple[str, ...] = ()) -> "JobSpec":
        """Build a spec from `KEY=VALUE` strings (the CLI's `--set`).

        Keys are field names, with `-` or `_` (`job-name`, `cpus_per_task`), sbatch's own names
        (`chdir`), `extras.KEY`, or a bare extra key the template declares in `extra_keys`.
        `modules` takes a comma- or space-separated list.

        Raises:
            SpecInputError: one line per pair that is malformed or names an unknown key.
        """
        spec = dataclasses.replace(base or cls(), modules=list((base or cls()).modules),
                                   extras=dict((base or cls()).extras))
        problems = []
        for pair in pairs:
            problem = _apply_pair(spec, pair, extra_keys)
            if problem:
                problems.append(problem)
        if problems:
            raise SpecInputError(problems)
        return spec


_ALIASES = {option.replace("-", "_"): name for name, option in DIRECTIVE_FIELDS.items()}
_ALIASES.update({"name": "job_name", "gpus": "gpus_per_node", "apptainer": "image", "module": "modules"})
_SETTABLE = [f.name for f in dataclasses.fields(JobSpec) if f.name != "extras"]


def _apply_pair(spec: JobSpec, pair: str, extra_keys: tuple[str, ...]) -> str:
    key, sep, value = pair.partition("=")
    if not sep or not key.strip():
        return f"{pair!r}: expected KEY=VALUE, for example time=1:00:00"
    key = key.strip()
    if key.startswith("extras."):
        spec.extras[key[len("extras."):]] = value
        return ""
    name = _ALIASES.get(key.replace("-", "_"), key.replace("-", "_"))
    if name in _SETTABLE:
        if name in LIST_FIELDS:
            # A newline would otherwise pass as one more separator: refuse it as every field does.
            problem = control_problem(value)
            if problem:
                return f"{name}: {problem}"
            spec.modules = value.replace(",", " ").split()
        else:
            setattr(spec, name, value)
        return ""
    if key in extra_keys:
        spec.extras[key] = value
        return ""
    close = difflib.get_close_matches(key.replace("-", "_"), _SETTABLE + list(extra_keys), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{key}: unknown key{hint} (known: {', '.join(_SETTABLE + list(extra_keys))})"
