"""Shared fixtures. Service fixtures (SLURM cluster, sshd) live in tests/services/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.services.fixtures"]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """Hide the developer's own config and workspace from every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HPTUNE_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("HPTUNE_WORKSPACE", str(home / "workspace"))
    monkeypatch.setenv("HPTUNE_SITE_CONFIG", str(home / "site.toml"))  # nor a course config under /etc
    for key in list(os.environ):
        if key.startswith("HPTUNE_") and key not in ("HPTUNE_CONFIG", "HPTUNE_WORKSPACE", "HPTUNE_SITE_CONFIG"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("NO_COLOR", "1") if os.environ.get("NO_COLOR") else None
    yield


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A fresh, initialised workspace."""
    from tui.course.workspace import init_workspace

    ws = tmp_path / "ws"
    init_workspace(ws)
    return ws
