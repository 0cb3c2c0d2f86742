"""Typed settings: defaults < site/course config < user config file < workspace config file < HPTUNE_* variables.

The site config is the one a teacher hands out to the whole class: HPTUNE_SITE_CONFIG, else
`<the app's install prefix>/etc/hptune-tui/config.toml` (one shared install), else
`/etc/hptune-tui/config.toml`. It names, for example, the class folder (`class_dir`).

A config file that cannot be read is never overwritten: a copy is kept beside it, the
problem is recorded in `Settings.problems`, and the app shows it on start.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from tui import tomlio
from tui.fsutil import keep_broken_copy

ENV_PREFIX = "HPTUNE_"
WORKSPACE_CONFIG = "hptune.toml"
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("hptune-tui")) / "config.toml"


def site_config_path(env: Mapping[str, str]) -> Path:
    """The course config every learner's app reads (lowest precedence): the first that exists."""
    import sys

    if env.get("HPTUNE_SITE_CONFIG"):
        return Path(env["HPTUNE_SITE_CONFIG"])
    candidates = [Path(sys.prefix) / "etc" / "hptune-tui" / "config.toml", Path("/etc/hptune-tui/config.toml")]
    return next((p for p in candidates if p.is_file()), candidates[-1])


def default_workspace() -> Path:
    return Path.home() / "hptune-course"


@dataclass
class Settings:
    """Everything the app and the CLI need to know about where and how to run."""

    workspace: Path = field(default_factory=default_workspace)
    backend: str = "auto"
    ssh_host: str = ""
    poll_interval: float = 10.0
    account: str = ""
    partition: str = ""
    ssh_config: str = ""  # default ~/.ssh/config
    known_hosts: str = ""  # default ~/.ssh/known_hosts (and what the ssh config names)
    requeue_stale: bool = False  # enqueue a stale trial's parameters again after failing it
    class_dir: str = ""  # the teacher's class folder: publish a summary there (empty: publish nothing)
    config_file: Path | None = None
    problems: list[str] = field(default_factory=list)

    def with_changes(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name not in ("config_file", "problems")}


def _coerce(name: str, raw: Any) -> Any:
    """Turn a raw value (TOML or an environment string) into the field's type, or raise ValueError."""
    if name == "workspace":
        return Path(str(raw)).expanduser()
    if name == "poll_interval":
        value = float(raw)
        if value < 2.0:
            raise ValueError(f"poll_interval must be at least 2 seconds, got {value}")
        return value
    if name == "backend":
        from tui.cluster.registry import choices  # asked now: a backend may be registered after import

        value = str(raw).strip().lower()
        if value not in choices():
            raise ValueError(f"backend must be one of {', '.join(choices())}, got {raw!r}")
        return value
    if name == "requeue_stale":
        return _boolean(raw)
    if name == "class_dir":
        return str(Path(str(raw)).expanduser()) if str(raw).strip() else ""
    return str(raw)


def _boolean(raw: Any) -> bool:
    """A TOML boolean, or an environment string such as "true", "no", "1"."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(f"expected true/false (or yes/no, 1/0), got {raw!r}")


def _apply(values: dict[str, Any], source: Mapping[str, Any], where: str, problems: list[str]) -> None:
    for key, raw in source.items():
        if key not in _FIELDS:
            problems.append(f"{where}: unknown setting {key!r} ignored")
            continue
        try:
            values[key] = _coerce(key, raw)
        except (TypeError, ValueError) as exc:
            problems.append(f"{where}: {key}: {exc}")


def read_config_file(path: Path, problems: list[str]) -> dict[str, Any]:
    """Read one TOML config file; on a parse error keep a copy and report it."""
    if not path.is_file():
        return {}
    try:
        return tomlio.loads(path.read_text(encoding="utf-8"))
    except (tomlio.TOMLDecodeError, UnicodeDecodeError) as exc:
        copy = keep_broken_copy(path)
        problems.append(f"{path} is not valid TOML ({exc}); it was left as it is and a copy kept at {copy.name}")
        return {}


def load_settings(
    env: Mapping[str, str] | None = None,
    workspace: Path | None = None,
    user_config: Path | None = None,
) -> Settings:
    """Build the settings from files and environment variables.

    Args:
        env: the environment to read HPTUNE_* from (default: os.environ).
        workspace: a workspace given on the command line; wins over everything else.
        user_config: the user config file (default: platformdirs' config dir, or HPTUNE_CONFIG).
    """
    env = os.environ if env is None else env
    problems: list[str] = []
    values: dict[str, Any] = {}
    if user_config is None:
        user_config = Path(env["HPTUNE_CONFIG"]) if env.get("HPTUNE_CONFIG") else user_config_path()
    site_config = site_config_path(env)
    _apply(values, _read_site_config(site_config, problems), str(site_config), problems)
    _apply(values, read_config_file(user_config, problems), str(user_config), problems)
    env_values = {k[len(ENV_PREFIX):].lower(): v for k, v in env.items() if k.startswith(ENV_PREFIX)}
    env_values.pop("config", None)
    env_values.pop("site_config", None)
    ws = workspace or (Path(env_values["workspace"]).expanduser() if "workspace" in env_values else None)
    ws = ws or values.get("workspace") or _cwd_workspace() or default_workspace()
    ws = Path(ws).expanduser().resolve()
    ws_file = ws / WORKSPACE_CONFIG
    ws_values = read_config_file(ws_file, problems)
    ws_values.pop("workspace", None)
    _apply(values, ws_values, str(ws_file), problems)
    _apply(values, env_values, "environment", problems)
    values["workspace"] = ws
    return Settings(**values, config_file=user_config, problems=problems)


def _read_site_config(path: Path, problems: list[str]) -> dict[str, Any]:
    """The teacher's file: read, never copied aside (a learner cannot write beside it); a workspace
    set there is ignored (each learner has their own)."""
    if not path.is_file():
        return {}
    try:
        values = tomlio.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomlio.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{path} (the course config) cannot be read ({exc}); ask your teacher")
        return {}
    values.pop("workspace", None)
    return values


def _cwd_workspace() -> Path | None:
    """The workspace the current directory is in: the nearest folder, this one or above, with a
    hptune.toml (learners run commands from inside an exercise folder)."""
    cwd = Path.cwd()
    return next((folder for folder in (cwd, *cwd.parents) if (folder / WORKSPACE_CONFIG).is_file()), None)
