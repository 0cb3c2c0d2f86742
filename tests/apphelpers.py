"""Helpers to build the app for Pilot and snapshot tests with stable, isolated settings."""

from __future__ import annotations

from pathlib import Path

from tui.app import make_app
from tui.course.workspace import init_workspace
from tui.settings import Settings

SNAPSHOT_WS = Path("/tmp/hptune-snapshot-workspace")


def app_for(workspace: Path, **kwargs):
    """An app on `workspace` with the local backend (so the status line is the same everywhere)."""
    if not (workspace / "hptune.toml").exists():
        init_workspace(workspace)
    settings = Settings(workspace=workspace, backend="local")
    return make_app(settings, **kwargs)


def snapshot_app(**kwargs):
    """An app on a fixed path with no progress, so SVG snapshots are the same on every machine."""
    import shutil

    shutil.rmtree(SNAPSHOT_WS, ignore_errors=True)
    return app_for(SNAPSHOT_WS, resume=False, **kwargs)
