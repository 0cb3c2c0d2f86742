"""One validator per JobSpec field: each returns "" or a message a learner can act on."""

from __future__ import annotations

import re
from functools import lru_cache

from tui.jobscript.arrays import ArrayFormatError, parse_array
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.patterns import PatternError, check_pattern
from tui.jobscript.textcheck import control_problem, directive_problem, too_long
from tui.jobscript.timefmt import TimeFormatError, TimeLimit, describe_seconds, parse_time

NAME_RE = re.compile(r"[A-Za-z0-9_.+-]+")
_COUNT_RE = re.compile(r"[1-9][0-9]{0,5}")
_NODES_RE = re.compile(r"([1-9][0-9]{0,5})(?:-([1-9][0-9]{0,5}))?")
_MEM_RE = re.compile(r"([0-9]{1,9})([KMGTkmgt]?)")
_GPUS_RE = re.compile(r"(?:([A-Za-z][A-Za-z0-9_.-]*):)?([1-9][0-9]?)")
ENV_KINDS = ("none", "modules", "apptainer", "venv")
MAX_TEXT = 200
MAX_PATH = 1024


def check_name(value: str, what: str = "name") -> str:
    """Account, partition: letters, digits and _ . + - only."""
    if not NAME_RE.fullmatch(value):
        article = "an" if what[:1] in "aeiou" else "a"
        return f"{article} {what} has only letters, digits and _ . + - (got {value!r})"
    return too_long(value, MAX_TEXT)


def check_job_name(value: str) -> str:
    return directive_problem(value) or too_long(value, MAX_TEXT)


def check_partition(value: str, limits: ClusterLimits) -> str:
    problem = "".join(check_name(part, "partition name") for part in value.split(","))
    if problem or limits.partitions is None:
        return problem
    unknown = [part for part in value.split(",") if part not in limits.partitions]
    if unknown:
        return f"this cluster has no partition {unknown[0]!r}; it has {', '.join(sorted(limits.partitions))}"
    return ""


def check_account(value: str, limits: ClusterLimits) -> str:
    problem = check_name(value, "account name")
    if not problem and limits.accounts is not None and value not in limits.accounts:
        return f"you have no account {value!r} here; yours: {', '.join(limits.accounts) or 'none found'}"
    return problem


def check_time(value: str, partition: str, limits: ClusterLimits) -> str:
    try:
        limit = parse_time(value)
    except TimeFormatError as exc:
        return str(exc)
    if limit.out_of_range:
        return f"{value!r} has {limit.out_of_range}; sbatch would accept it, but write it plainly"
    return time_over_limit(limit, partition, limits)


def time_over_limit(limit: TimeLimit, partition: str, limits: ClusterLimits) -> str:
    """Whether the time limit is over what `partition` (or the default one, when "") allows.

    The form and `lint` both ask this, so they agree. With several partitions ("a,b"), the job
    may start in any of them, so it is over only when it is over every one whose limit is known.
    """
    names = [name for name in (partition or limits.default_partition or "").split(",") if name]
    known = [(name, (limits.partitions or {}).get(name)) for name in names]
    known = [(name, seconds) for name, seconds in known if seconds is not None]
    if not known or len(known) < len(names):
        return ""
    if limit.seconds is not None and any(limit.seconds <= seconds for _, seconds in known):
        return ""
    name, seconds = max(known, key=lambda pair: pair[1])
    which = f"partition {name!r}" if partition else f"the default partition {name!r}"
    return f"{limit.words} is over the limit of {which}, {describe_seconds(seconds)}; the job would never start"


# sbatch takes one way of asking for memory: --mem, --mem-per-cpu and --mem-per-gpu exclude each other.
MEMORY_OPTIONS = ("mem", "mem-per-cpu", "mem-per-gpu")


def check_memory_options(options) -> str:
    """A message when more than one of --mem, --mem-per-cpu, --mem-per-gpu is given, else ""."""
    given = [name for name in MEMORY_OPTIONS if name in options]
    if len(given) < 2:
        return ""
    return (f"{' and '.join('--' + name for name in given)} are mutually exclusive; sbatch refuses the script. "
            "Keep one: --mem per node, or --mem-per-cpu per CPU")


def check_count(value: str, what: str) -> str:
    if not _COUNT_RE.fullmatch(value):
        return f"the number of {what} is a whole number from 1 up (got {value!r})"
    return ""


def check_nodes(value: str) -> str:
    match = _NODES_RE.fullmatch(value)
    if not match:
        return f"nodes is a number such as 1, or a range such as 1-4 (got {value!r})"
    if match.group(2) and int(match.group(2)) < int(match.group(1)):
        return f"the range {value!r} runs backwards"
    return ""


def check_mem(value: str) -> str:
    if not _MEM_RE.fullmatch(value):
        hint = " (no B: write 4G, not 4GB)" if value.upper().endswith("B") else ""
        return f"memory is a number with a unit K, M, G or T, such as 4G or 500M{hint} (got {value!r})"
    return ""


def check_gpus(value: str, limits: ClusterLimits) -> str:
    match = _GPUS_RE.fullmatch(value)
    if not match:
        return f"GPUs per node are a count (1) or TYPE:COUNT such as A40:1 (got {value!r})"
    gpu_type = match.group(1)
    if gpu_type and limits.gpu_types is not None and gpu_type not in limits.gpu_types:
        return f"this cluster has no GPU type {gpu_type!r}; it has {', '.join(limits.gpu_types) or 'none'}"
    return ""


def check_array(value: str, limits: ClusterLimits) -> str:
    try:
        parse_array(value, limits.max_array_size)
    except ArrayFormatError as exc:
        return str(exc)
    return ""


def check_output(value: str) -> str:
    problem = directive_problem(value) or too_long(value, MAX_PATH) or _name_too_long(value)
    if problem:
        return problem
    try:
        check_pattern(value)
    except PatternError as exc:
        return str(exc)
    return ""


def check_path(value: str, directive: bool = False) -> str:
    problem = directive_problem(value) if directive else control_problem(value)
    return problem or too_long(value, MAX_PATH) or _name_too_long(value)


def _name_too_long(path: str) -> str:
    # Linux file systems refuse any one name (between slashes) over 255 bytes.
    longest = max(path.split("/"), key=lambda part: len(part.encode("utf-8", "surrogatepass")))
    size = len(longest.encode("utf-8", "surrogatepass"))
    return f"has a file or folder name of {size} bytes; at most 255 are allowed" if size > 255 else ""


def check_env(value: str) -> str:
    return "" if value in ENV_KINDS else f"environment set-up is one of {', '.join(ENV_KINDS)} (got {value!r})"


def check_module(value: str) -> str:
    if not value or any(c.isspace() for c in value):
        return f"a module name has no spaces, such as PyTorch/2.1.2-foss-2023a (got {value!r})"
    return control_problem(value) or too_long(value, MAX_TEXT)


def check_command(value: str) -> str:
    """The command runs as written, so it must be one complete line of shell."""
    problem = control_problem(value) or too_long(value, 4 * MAX_PATH)
    if problem:
        return problem
    if not value.strip():
        return "is blank; give the command the job runs"
    if value.lstrip().startswith("#"):
        return "starts with #, so it is only a comment and nothing would run"
    if value.rstrip().endswith("\\"):
        return "ends with a backslash, which would join it to the next line of the script; remove it"
    if "<<" in value:
        return "a here-document (<<) would swallow the rest of the script; put the text in a file instead"
    return shell_syntax_problem(value)


def shell_syntax_problem(command: str) -> str:
    """Ask bash itself whether `command` parses (`bash -n`); "" when bash is not installed."""
    return _bash_check(command) if command else ""


def _bash_check_uncached(command: str) -> str:
    import shutil
    import subprocess

    bash = shutil.which("bash")
    if bash is None:  # e.g. a Windows laptop: the cluster's sbatch will still parse it
        return ""
    try:
        done = subprocess.run([bash, "-n", "-c", command], capture_output=True, text=True, timeout=5,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not check the command with bash: {exc}"
    if done.returncode == 0:
        return ""
    first = (done.stderr.strip().splitlines() or ["syntax error"])[0]
    return "is not valid shell: " + first.split("line 1: ", 1)[-1]


# The form re-validates on every keystroke; a cache keeps that to one bash run per new text.
_bash_check = lru_cache(maxsize=256)(_bash_check_uncached)
