"""What the cluster offers: scheduler and version, accounts, partitions, limits, HyperQueue.

Every function takes a `run(argv) -> (exit code, stdout, stderr)` callable, so the same parsing
serves the login node (`local_run`, a subprocess) and the ssh backend (a command over paramiko).
A failing command never raises: its error is recorded in `ClusterInfo.errors`. The result is
cached as JSON in the workspace (`.hptune/cluster.json`) for the app to read cheaply.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

RunFn = Callable[[list[str]], "tuple[int, str, str]"]

CACHE_FILE = Path(".hptune") / "cluster.json"
# One row per partition and node configuration: name|avail|time limit|nodes|cpus per node|gres|memory MB.
SINFO_FORMAT = "%P|%a|%l|%D|%c|%G|%m"
SINFO_ARGV = ["sinfo", "-h", "-a", "-o", SINFO_FORMAT]
NOT_FOUND = 127


@dataclass
class Partition:
    """One partition as sinfo reports it (node rows of the same partition merged)."""

    name: str
    default: bool = False
    available: str = "up"
    time_limit: str = ""  # as sinfo prints it: "infinite", "5:00", "2-00:00:00"
    max_seconds: int | None = None  # None for infinite / unknown
    nodes: int = 0
    cpus_per_node: str = ""
    memory_mb: str = ""
    gres: list[str] = field(default_factory=list)
    gpu_types: list[str] = field(default_factory=list)


@dataclass
class ClusterInfo:
    """Everything `discover` found; `errors` holds one line per command that failed."""

    scheduler: str = "none"  # "slurm" or "none"
    version: str = ""
    user: str = ""
    accounts: list[str] = field(default_factory=list)
    account_source: str = ""  # "sacctmgr" or "projinfo"
    partitions: list[Partition] = field(default_factory=list)
    max_array_size: int | None = None
    max_job_count: int | None = None
    hq_version: str = ""  # "" when `hq` is not on PATH
    hyperqueue_python: bool = False
    ssh_target: str = ""
    errors: list[str] = field(default_factory=list)
    discovered_at: float = 0.0

    @property
    def has_slurm(self) -> bool:
        return self.scheduler == "slurm"

    @property
    def default_partition(self) -> str:
        return next((p.name for p in self.partitions if p.default), "")

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ClusterInfo":
        """Rebuild from `to_json()` output; unknown keys are ignored, so old caches still load."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["partitions"] = [Partition(**{k: v for k, v in p.items() if k in Partition.__dataclass_fields__})
                                for p in values.get("partitions", [])]
        return cls(**values)


def local_run(argv: list[str], timeout: float = 20.0, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run a command here; a missing program is exit 127 and a hang exit 124, as a shell reports them."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              env=env)
    except FileNotFoundError:
        return NOT_FOUND, "", f"{argv[0]}: command not found"
    except subprocess.TimeoutExpired:
        return 124, "", f"{argv[0]}: no answer within {timeout:.0f} s"
    except OSError as exc:
        return 126, "", f"{argv[0]}: {exc.strerror or exc}"
    return done.returncode, done.stdout, done.stderr


def _failure(argv: list[str], code: int, err: str) -> str:
    """One readable line: the command, its exit code and the last line of what it said."""
    last = (err.strip().splitlines() or ["(no message)"])[-1]
    return f"`{' '.join(argv)}` failed (exit {code}): {last}"


def _call(run: RunFn, argv: list[str], errors: list[str]) -> str | None:
    """Run `argv`; its stdout, or None after recording the failure in `errors`."""
    code, out, err = run(argv)
    if code != 0:
        errors.append(_failure(argv, code, err))
        return None
    return out


def parse_version(text: str) -> tuple[str, str]:
    """'slurm 22.05.8' (or Debian's 'slurm-wlm 22.05.8') -> ('slurm', '22.05.8'); else ('', '')."""
    words = text.split()
    return ("slurm", words[1]) if len(words) >= 2 and words[0].lower().startswith("slurm") else ("", "")


def time_limit_seconds(text: str) -> int | None:
    """SLURM's [days-]hours:minutes:seconds (or minutes, or m:s) in seconds; None for infinite/unknown."""
    text = text.strip()
    if not text or text.lower() in ("infinite", "unlimited", "n/a"):
        return None
    days, _, rest = text.rpartition("-")
    try:
        parts = [int(p) for p in rest.split(":")]
        day_count = int(days) if days else 0
    except ValueError:
        return None
    if len(parts) == 1:  # minutes alone, or hours alone after a day count
        seconds = parts[0] * (3600 if days else 60)
    elif len(parts) == 2:
        seconds = parts[0] * 3600 + parts[1] * 60 if days else parts[0] * 60 + parts[1]
    else:
        seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
    return day_count * 86400 + seconds


def parse_gres(text: str) -> tuple[list[str], list[str]]:
    """'gpu:a100:4(S:0-1),gpu:v100:2' -> (the GRES items, the GPU types ['a100', 'v100'])."""
    if not text.strip() or text.strip() == "(null)":
        return [], []
    items, types = [], []
    for item in text.split(","):
        item = item.split("(")[0].strip()
        if not item:
            continue
        items.append(item)
        bits = item.split(":")
        if bits[0] == "gpu":
            gpu_type = bits[1] if len(bits) >= 3 else "gpu"
            if gpu_type not in types:
                types.append(gpu_type)
    return items, types


def parse_partitions(text: str) -> list[Partition]:
    """Rows of `sinfo -h -o SINFO_FORMAT` -> partitions, merging the rows of one partition."""
    found: dict[str, Partition] = {}
    for line in text.splitlines():
        cols = line.strip().split("|")
        if len(cols) != 7:
            continue
        name, avail, limit, nodes, cpus, gres, memory = cols
        default = name.endswith("*")
        name = name.rstrip("*")
        part = found.setdefault(name, Partition(name=name, default=default, available=avail, time_limit=limit,
                                                max_seconds=time_limit_seconds(limit), cpus_per_node=cpus,
                                                memory_mb=memory))
        part.nodes += int(nodes) if nodes.isdigit() else 0
        items, types = parse_gres(gres)
        part.gres += [g for g in items if g not in part.gres]
        part.gpu_types += [t for t in types if t not in part.gpu_types]
    return list(found.values())


def parse_config(text: str) -> dict[str, str]:
    """`scontrol show config` -> {key: value}."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and " " not in key.strip():
            values[key.strip()] = value.strip()
    return values


def parse_projinfo(text: str) -> list[str]:
    """Project names from `projinfo`: the first word of each unindented line after the dashed rule."""
    projects, in_table = [], False
    for line in text.splitlines():
        if line.strip().startswith("---"):
            in_table = True
        elif in_table and line.strip() and not line[0].isspace():
            word = line.split()[0]
            if word not in projects:
                projects.append(word)
    return projects


def _to_int(value: str | None) -> int | None:
    try:
        return int(str(value).split()[0])
    except (TypeError, ValueError, IndexError):
        return None


def find_accounts(run: RunFn, user: str, errors: list[str]) -> tuple[list[str], str]:
    """The user's accounts from sacctmgr, else from `projinfo` where a site has it; and the source."""
    argv = ["sacctmgr", "-n", "-P", "show", "assoc", f"user={user}", "format=account"]
    code, out, err = run(argv)
    accounts = [] if code != 0 else list(dict.fromkeys(a.strip() for a in out.splitlines() if a.strip()))
    if accounts:
        return accounts, "sacctmgr"
    code_p, out_p, err_p = run(["projinfo"])
    if code_p == 0 and parse_projinfo(out_p):
        return parse_projinfo(out_p), "projinfo"
    if code != 0:
        errors.append(_failure(argv, code, err))
    return [], ""


def find_hyperqueue(run: RunFn) -> str:
    """The version `hq --version` prints ("" when hq is not on PATH or fails)."""
    code, out, _ = run(["hq", "--version"])
    return (out.strip().splitlines() or [""])[0] if code == 0 else ""


def find_user(run: RunFn) -> str:
    """The login name on the machine `run` reaches."""
    code, out, _ = run(["id", "-un"])
    return out.strip() if code == 0 else ""


def discover(run: RunFn = local_run, user: str = "", ssh_target: str = "") -> ClusterInfo:
    """Ask the scheduler what it offers. Without SLURM the result says so (scheduler 'none').

    Args:
        run: runs one command and returns (exit code, stdout, stderr); `local_run` or a remote one.
        user: whose accounts to list (default: `id -un` through `run`).
        ssh_target: recorded as the ssh target (from the settings).
    """
    info = ClusterInfo(ssh_target=ssh_target, discovered_at=time.time())
    info.hq_version = find_hyperqueue(run)
    # The app's own Python; find_spec looks without importing the package.
    info.hyperqueue_python = importlib.util.find_spec("hyperqueue") is not None
    code, out, err = run(["sinfo", "--version"])
    if code == NOT_FOUND:
        return info
    if code != 0:
        info.errors.append(_failure(["sinfo", "--version"], code, err))
        return info
    info.scheduler, info.version = parse_version(out)
    info.scheduler = info.scheduler or "slurm"
    info.user = user or find_user(run)
    info.accounts, info.account_source = find_accounts(run, info.user, info.errors)
    rows = _call(run, SINFO_ARGV, info.errors)
    info.partitions = parse_partitions(rows) if rows is not None else []
    config = _call(run, ["scontrol", "show", "config"], info.errors)
    if config is not None:
        values = parse_config(config)
        info.max_array_size = _to_int(values.get("MaxArraySize"))
        info.max_job_count = _to_int(values.get("MaxJobCount"))
    return info


def cache_path(workspace: Path) -> Path:
    return Path(workspace) / CACHE_FILE


def load_cached(workspace: Path) -> ClusterInfo | None:
    """The cached result, or None when there is none or it cannot be read (it is then rebuilt)."""
    try:
        return ClusterInfo.from_json(json.loads(cache_path(workspace).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def save_cache(workspace: Path, info: ClusterInfo) -> Path | None:
    """Write the cache atomically; None (nothing written) when the workspace does not exist."""
    from tui.fsutil import atomic_write_json

    if not Path(workspace).is_dir():
        return None
    path = cache_path(workspace)
    atomic_write_json(path, info.to_json())
    return path


def cluster_info(workspace: Path, run: RunFn = local_run, refresh: bool = False, ssh_target: str = "",
                 max_age_s: float = 24 * 3600) -> ClusterInfo:
    """The cached result when it is fresh enough, else a new discovery (saved to the cache)."""
    cached = None if refresh else load_cached(workspace)
    if cached is not None and cached.ssh_target == ssh_target and time.time() - cached.discovered_at < max_age_s:
        return cached
    info = discover(run, ssh_target=ssh_target)
    save_cache(workspace, info)
    return info
