import json

import pytest

from tui.course.catalog import bundled_catalog
from tui.course.progress import ProgressStore
from tui.course.workspace import MANIFEST, WorkspaceError, init_workspace, reset_exercise


def test_init_copies_every_starter_and_writes_config(tmp_path):
    ws = tmp_path / "ws"
    report = init_workspace(ws)
    for ex in bundled_catalog().exercises:
        for src in ex.starter_dir.rglob("*"):
            if src.is_file() and "__pycache__" not in src.parts:
                dest = ws / ex.dir / src.relative_to(ex.starter_dir)
                assert dest.read_bytes() == src.read_bytes()
    assert (ws / "hptune.toml").is_file()
    assert "hptune.toml" in report.created
    assert json.loads((ws / MANIFEST).read_text())


def test_rerun_keeps_learner_edits_and_restores_deleted_files(tmp_path):
    ws = tmp_path / "ws"
    init_workspace(ws)
    readme = ws / "01_random_search" / "README.md"
    readme.write_text("my notes\n")
    other = ws / "02_optuna" / "README.md"
    other.unlink()
    report = init_workspace(ws)
    assert readme.read_text() == "my notes\n"
    assert "01_random_search/README.md" in report.kept
    assert other.is_file() and "02_optuna/README.md" in report.created


def test_init_refuses_a_non_empty_foreign_folder_and_touches_nothing(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(WorkspaceError, match="not empty"):
        init_workspace(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


def test_init_refuses_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(WorkspaceError, match="is a file"):
        init_workspace(f)


def test_reset_keeps_a_backup_and_restores_the_starter(tmp_path):
    ws = tmp_path / "ws"
    init_workspace(ws)
    item = bundled_catalog().exercise("01")
    readme = ws / item.dir / "README.md"
    readme.write_text("broken attempt\n")
    (ws / item.dir / "extra.py").write_text("print(1)\n")
    backup = reset_exercise(ws, item)
    assert (backup / "README.md").read_text() == "broken attempt\n"
    assert (backup / "extra.py").is_file()
    assert readme.read_bytes() == (item.starter_dir / "README.md").read_bytes()
    assert not (ws / item.dir / "extra.py").exists()


def test_progress_round_trip_and_resume(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.visit("01", "goals")
    store.set_done("01", "goals")
    again = ProgressStore.open(tmp_path)
    assert again.last_item == "01" and again.current_step("01") == "goals"
    assert again.done_steps("01") == {"goals"}
    assert again.fraction("01", ["goals", "steps"]) == 0.5


def test_corrupt_progress_is_kept_and_never_overwritten(tmp_path):
    path = tmp_path / ".hptune" / "progress.json"
    path.parent.mkdir()
    path.write_text("{not json")
    store = ProgressStore.open(tmp_path)
    assert "broken" in store.problem and "progress.json" in store.problem
    store.visit("01", "goals")
    assert path.read_text() == "{not json"
    assert len(list(path.parent.glob("progress.json.broken-*"))) == 1
    store.repair()
    assert json.loads(path.read_text())["items"] == {}


def test_completed_exercise_is_remembered(tmp_path):
    store = ProgressStore.open(tmp_path)
    assert not store.completed("01")
    store.set_completed("01")
    assert ProgressStore.open(tmp_path).completed("01")


def test_a_read_only_store_sees_other_writers_and_never_writes(tmp_path):
    viewer = ProgressStore.open(tmp_path, read_only=True)  # an export or a preview
    ProgressStore.open(tmp_path).set_done("01", "goals")
    assert viewer.done_steps("01") == {"goals"}
    viewer.set_done("01", "steps")
    viewer.reset_item("01")
    assert ProgressStore.open(tmp_path).done_steps("01") == {"goals"}
