"""The learner's workspace: exercise starters copied from the bundle, a config, progress.

`init` is safe to run again: it adds starter files that are missing, updates the ones the
learner never touched (their hash still matches the manifest), and keeps every edited file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from tui import tomlio
from tui.course.catalog import Catalog, Item, bundled_catalog
from tui.fsutil import atomic_write_json, atomic_write_text
from tui.settings import WORKSPACE_CONFIG

STATE_DIR = ".hptune"
MANIFEST = f"{STATE_DIR}/manifest.json"
BACKUPS = f"{STATE_DIR}/backups"
_SKIP = {"__pycache__", ".pytest_cache"}


class WorkspaceError(Exception):
    """The folder cannot be used as a workspace; nothing was changed."""


@dataclass
class InitReport:
    workspace: Path
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # changed by the learner, left alone

    def summary(self) -> str:
        lines = [f"workspace {self.workspace}: {len(self.created)} created, "
                 f"{len(self.updated)} updated, {len(self.kept)} kept (your edits)"]
        lines += [f"  kept {p}" for p in self.kept]
        return "\n".join(lines)


def is_workspace(path: Path) -> bool:
    return (path / WORKSPACE_CONFIG).is_file() or (path / STATE_DIR).is_dir()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _starter_files(item: Item) -> list[Path]:
    root = item.starter_dir
    assert root is not None
    return sorted(p for p in root.rglob("*") if p.is_file() and not _SKIP.intersection(p.parts))


def _read_manifest(ws: Path) -> dict[str, str]:
    path = ws / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # an unreadable manifest only makes init more careful: every file counts as edited


def _sync_file(src: Path, rel: str, ws: Path, manifest: dict[str, str], report: InitReport) -> None:
    dest = ws / rel
    new_digest = _digest(src)
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        report.created.append(rel)
    elif _digest(dest) == new_digest:
        pass
    elif manifest.get(rel) == _digest(dest):  # untouched by the learner, but the starter changed
        shutil.copy2(src, dest)
        report.updated.append(rel)
    else:
        report.kept.append(rel)
        return  # keep the old manifest entry: the learner's file is not the starter
    manifest[rel] = new_digest


def init_workspace(ws: Path, catalog: Catalog | None = None, backend: str = "auto") -> InitReport:
    """Create or refresh a workspace at `ws`; raises WorkspaceError before touching anything."""
    ws = Path(ws).expanduser().resolve()
    if ws.exists() and not ws.is_dir():
        raise WorkspaceError(f"{ws} is a file, not a folder")
    if ws.is_dir() and any(ws.iterdir()) and not is_workspace(ws):
        raise WorkspaceError(f"{ws} is not empty and is not a hptune-tui workspace; "
                             "choose an empty or new folder (nothing was changed)")
    catalog = catalog or bundled_catalog()
    (ws / STATE_DIR).mkdir(parents=True, exist_ok=True)
    report = InitReport(ws)
    manifest = _read_manifest(ws)
    for ex in catalog.exercises:
        for src in _starter_files(ex):
            _sync_file(src, f"{ex.dir}/{src.relative_to(ex.starter_dir).as_posix()}", ws, manifest, report)
    atomic_write_json(ws / MANIFEST, manifest)
    config = ws / WORKSPACE_CONFIG
    if not config.exists():
        atomic_write_text(config, "# hptune-tui workspace settings (HPTUNE_* variables override these)\n"
                          + tomlio.dumps({"backend": backend}))
        report.created.append(WORKSPACE_CONFIG)
    return report


def reset_exercise(ws: Path, item: Item) -> Path | None:
    """Put an exercise back to its starter; the learner's folder moves to a dated backup.

    Returns the backup folder (None when there was nothing to back up).
    """
    ws = Path(ws).resolve()
    folder = ws / item.dir
    backup = None
    if folder.exists():
        backup = ws / BACKUPS / f"{item.dir}-{time.strftime('%Y%m%d-%H%M%S')}"
        n = 1
        while backup.exists():
            backup = backup.with_name(f"{backup.name}-{n}")
            n += 1
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(backup))
    manifest = _read_manifest(ws)
    report = InitReport(ws)
    for src in _starter_files(item):
        _sync_file(src, f"{item.dir}/{src.relative_to(item.starter_dir).as_posix()}", ws, manifest, report)
    atomic_write_json(ws / MANIFEST, manifest)
    return backup
