"""Every registered screen exports to SVG at 80x24, also with NO_COLOR set."""

import pytest

from tui.cli import main
from tui.screens.registry import SCREENS


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_screen_exports_at_80x24(name, tmp_path, capsys):
    out = tmp_path / f"{name}.svg"
    assert main(["export", name, "--size", "80x24", "-o", str(out)]) == 0
    assert out.read_text().startswith("<svg")


def test_export_with_no_color(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = tmp_path / "home.svg"
    assert main(["export", "home", "-o", str(out)]) == 0
    assert "Course map" in out.read_text().replace("&#160;", " ")
