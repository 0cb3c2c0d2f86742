"""The course footer shows each screen's keys, and rebuilds only when they change (issue 15: `export home`)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input

from tui.widgets.course_footer import CourseFooter


class Box(Input):
    BINDINGS = [Binding("ctrl+g", "noop", "Go")]


class Shop(App):
    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Button("one", id="one")
        yield Button("two", id="two")
        yield Box(id="box")
        yield CourseFooter()


def labels(app: App) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [key.description for key in app.query(FooterKey)]


async def test_the_footer_follows_the_keys_and_skips_rebuilds_that_change_nothing(monkeypatch):
    rebuilt: list[int] = []
    original = CourseFooter.recompose

    async def counting(self):
        rebuilt.append(1)
        return await original(self)

    monkeypatch.setattr(CourseFooter, "recompose", counting)
    app = Shop()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        assert "Quit" in labels(app) and "Go" not in labels(app)
        rebuilt.clear()
        app.query_one("#two").focus()  # the same keys: nothing to draw again
        await pilot.pause()
        assert rebuilt == [] and "Quit" in labels(app)
        app.query_one("#box").focus()  # the input's own key joins the footer
        await pilot.pause()
        assert rebuilt and "Go" in labels(app)
        app.query_one("#one").focus()
        await pilot.pause()
        assert "Go" not in labels(app) and "Quit" in labels(app)
