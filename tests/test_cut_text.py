"""At 80x24 no text is cut without a sign: step titles wrap, check messages end in "…" with the whole
message in the pane below, and the view picker wraps a long description under itself."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Label, OptionList

from tests.apphelpers import app_for
from tests.waiting import pilot_wait
from tui.checks.result import CheckReport, CheckResult


def shown(widget) -> list[str]:
    """The lines a widget draws, as text."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


@pytest.mark.parametrize("item_id", ["01", "grid-random", "02"])
async def test_step_titles_are_never_cut(workspace, item_id):
    app = app_for(workspace, start_screen=f"lesson:{item_id}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        steps = app.catalog.get(item_id).steps
        steps_list = app.screen.query_one("#lesson-steps")
        labels = list(steps_list.query(Label))
        assert len(labels) == len(steps)
        for step, label in zip(steps, labels):
            assert label.region.right <= steps_list.scrollable_content_region.right, label.region  # not clipped
            lines = shown(label)
            assert " ".join(" ".join(lines).split()) == f"· {' '.join(step.title.split())}", lines
            assert all(line[:2].replace("\xa0", " ") == "  " for line in lines[1:]), lines  # under the title


LONG = ("expected a different draw for each task id; found the same configuration for tasks 0 and 1 "
        "with seed 0, so every array task would train the same network")


async def test_long_check_messages_end_in_an_ellipsis_and_show_whole_below(workspace, monkeypatch):
    report = CheckReport("01", [CheckResult("sample.varies_with_task", False, LONG, ["a hint"]),
                                CheckResult("sample.bounds", True, "800 draws, every value inside its range")])
    monkeypatch.setattr("tui.checks.runner.run_checks", lambda *a, **k: report)
    app = app_for(workspace, start_screen="checks:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot_wait(pilot, lambda: screen.runs > 0, "the checks' results")
        table = screen.query_one("#checks-table", DataTable)
        long_row, short_row = (table.get_row_at(i)[2] for i in range(2))
        assert long_row.endswith("…") and LONG.startswith(long_row[:-1])
        assert short_row == "800 draws, every value inside its range"
        drawn = shown(table)
        assert any("…" in line for line in drawn), drawn  # the ellipsis itself is inside the screen
        detail = " ".join(" ".join(shown(screen.query_one("#checks-detail-text"))).split())
        assert LONG in detail


async def test_view_picker_wraps_a_description_under_itself(workspace):
    app = app_for(workspace, start_screen="lesson:02", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot_wait(pilot, lambda: bool(app.screen.query(OptionList)), "the view picker")
        options = app.screen.query_one(OptionList)
        lines = [line.replace("\xa0", " ") for line in shown(options)]
        first = next(i for i, line in enumerate(lines) if "study" in line and "Optuna" in line)
        start = lines[first].index("study")
        rest = [line for line in lines[first + 1:] if line[start:].strip(" ▁▔│┃▏▕")][:1]
        assert rest and rest[0][start:start + 13] == " " * 13, lines  # under the description, not the name
