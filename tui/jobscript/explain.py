"""One line (two at most) about a job-form field: what the directive does, and what the value means.

The form shows it for the focused field: the time limit in words, the array's task count, the
partitions and accounts the cluster offers when discovery knows them.
"""

from __future__ import annotations

from tui.jobscript.arrays import ArrayFormatError, parse_array
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.options import explain
from tui.jobscript.spec import DIRECTIVE_FIELDS, JobSpec
from tui.jobscript.templates import TemplateInfo
from tui.jobscript.timefmt import TimeFormatError, describe_seconds, parse_time

OTHER_HELP = {
    "template": "which script to build: each template is one way of running a sweep",
    "env": "how the job gets its software: modules, an Apptainer container, or a Python venv",
    "modules": "modules to load (space or comma separated), e.g. PyTorch/2.1.2-foss-2023a-CUDA-12.1.1",
    "image": "the Apptainer image (.sif); the command runs inside it with `apptainer exec`",
    "venv": "the folder of a Python virtual environment; the script sources its bin/activate",
    "command": "the shell command to run, as you would type it (one line; variables such as $SLURM_ARRAY_TASK_ID work)",
    "save": "where ctrl+s writes the script (a relative name is put in the workspace)",
}


def field_help(key: str, spec: JobSpec, info: TemplateInfo, limits: ClusterLimits | None = None) -> str:
    """The explanation of form field `key` ("time", "extras.run_dir", ...) for the current spec."""
    limits = limits or ClusterLimits()
    if key in DIRECTIVE_FIELDS:
        option = DIRECTIVE_FIELDS[key]
        detail = _detail(key, getattr(spec, key), limits)
        return f"#SBATCH --{option}: {explain(option)}" + (f"\n{detail}" if detail else "")
    if key.startswith("extras."):
        extra = info.extras.get(key[len("extras."):])
        return f"{key[len('extras.'):]}: {extra.help}" if extra else ""
    return OTHER_HELP.get(key, "")


def _detail(key: str, value: str, limits: ClusterLimits) -> str:
    if key == "time":
        return _time_detail(value)
    if key == "array" and value:
        try:
            return parse_array(value, limits.max_array_size).describe()
        except ArrayFormatError:
            return ""
    if key == "partition" and limits.partitions:
        return "here: " + ", ".join(f"{name} ({describe_seconds(seconds) if seconds else 'no limit'})"
                                    for name, seconds in sorted(limits.partitions.items()))
    if key == "account" and limits.accounts:
        return "yours: " + ", ".join(limits.accounts)
    if key == "gpus_per_node" and limits.gpu_types:
        return "GPU types here: " + ", ".join(limits.gpu_types)
    return ""


def _time_detail(value: str) -> str:
    if not value:
        return "no time limit given: the partition's default applies (often the maximum)"
    try:
        limit = parse_time(value)
    except TimeFormatError:
        return "formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS"
    note = "  (MM:SS: minutes, not hours!)" if limit.form == "MM:SS" else ""
    return f"{value} = {limit.words}{note}"
