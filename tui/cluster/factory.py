"""Pick the Backend from the settings: `make_backend` builds it, `describe` names it cheaply."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tui.cluster import registry
from tui.cluster.backend import Backend, BackendError


def slurm_here() -> bool:
    """sbatch is on PATH and a SLURM config exists: a login node. Cheap: no subprocess.

    sbatch alone is not enough: a laptop may have the client installed without a cluster.
    """
    conf = os.environ.get("SLURM_CONF") or "/etc/slurm/slurm.conf"
    return bool(shutil.which("sbatch")) and Path(conf).is_file()


def chosen(settings, name: str | None = None) -> str:
    choice = (name or getattr(settings, "backend", "auto") or "auto").lower()
    if choice == "auto":
        if getattr(settings, "ssh_host", ""):
            return "ssh"
        return "slurm" if slurm_here() else "local"
    if choice not in registry.names():
        raise BackendError(f"unknown backend {choice!r}", f"choose one of: {', '.join(registry.choices())}")
    return choice


def make_backend(settings, name: str | None = None, force_local: bool = False, interactive=None) -> Backend:
    """The backend named `name` (or the settings' choice): auto means ssh when a host is set,
    slurm when sbatch is on PATH, else the local runner. `interactive` answers the ssh
    keyboard-interactive prompts (two-factor codes); see `terminal_prompts`.

    Raises:
        BackendError: an unknown name, or ssh without a host.
    """
    choice = chosen(settings, name)
    return registry.get(choice).factory(settings, force_local=force_local, interactive=interactive)


def terminal_prompts(title: str, instructions: str, prompts: list) -> list[str]:
    """Keyboard-interactive answers typed at the terminal (hidden unless the server asks to echo).

    Nothing typed is kept: the answers go straight to the server.
    """
    import getpass
    import sys

    if title or instructions:
        print("\n".join(p for p in (title, instructions) if p), file=sys.stderr)
    return [input(text) if echo else getpass.getpass(text) for text, echo in prompts]


def cli_prompts():
    """`terminal_prompts` when stdin is a terminal (someone to type a code), else None: the CLI's
    commands that may reach a backend (submit, status, cancel) all ask here."""
    import sys

    return terminal_prompts if sys.stdin.isatty() else None


def describe(settings, name: str | None = None) -> str:
    """A short label for the status line ("local runner", "SLURM on this host", "SSH to HOST").

    Cheap: looks at PATH only, runs nothing.
    """
    try:
        choice = chosen(settings, name)
    except BackendError as exc:
        return exc.message
    return registry.get(choice).label.format(host=getattr(settings, "ssh_host", "") or "?")
