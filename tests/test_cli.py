import subprocess
import sys

import pytest

from tui import __version__
from tui.cli import COMMANDS, main


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"hptune-tui {__version__}"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: hptune-tui " + command in capsys.readouterr().out


def test_console_script_runs_as_module():
    proc = subprocess.run([sys.executable, "-m", "tui", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "init" in proc.stdout and "export" in proc.stdout


def test_init_then_rerun_is_safe(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert main(["init", str(ws)]) == 0
    (ws / "01_random_search" / "README.md").write_text("mine\n")
    assert main(["init", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "kept 01_random_search/README.md" in out
    assert (ws / "01_random_search" / "README.md").read_text() == "mine\n"


def test_init_refuses_foreign_folder(tmp_path, capsys):
    (tmp_path / "data.csv").write_text("1,2\n")
    assert main(["init", str(tmp_path)]) == 2
    assert "not a hptune-tui workspace" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]


def test_export_list_and_unknown_screen(capsys, tmp_path):
    assert main(["export", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "home" in listed and "lesson" in listed
    assert main(["export", "nosuch", "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert "unknown screen 'nosuch'" in err and "home" in err
    assert not (tmp_path / "x.svg").exists()


def test_export_unknown_lesson_names_valid_ids(capsys, tmp_path):
    assert main(["export", "lesson:nosuch", "-o", str(tmp_path / "x.svg")]) == 2
    assert "valid ids: tuning" in capsys.readouterr().err


def test_export_home_writes_svg_with_the_course_map(tmp_path):
    out = tmp_path / "home.svg"
    assert main(["export", "home", "--size", "80x24", "-o", str(out)]) == 0
    svg = out.read_text()
    assert svg.startswith("<svg") and "Exercise&#160;01" in svg
