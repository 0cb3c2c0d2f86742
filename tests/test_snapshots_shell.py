"""SVG snapshots of the shell's screens (regenerate on purpose with --snapshot-update)."""

from tests.apphelpers import snapshot_app


def test_home_80x24(snap_compare):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24))


def test_lesson_80x24(snap_compare):
    assert snap_compare(snapshot_app(start_screen="lesson:tuning"), terminal_size=(80, 24))


def test_reset_dialog_80x24(snap_compare):
    async def open_dialog(pilot):
        option_list = pilot.app.screen.query_one("#course-map")
        option_list.highlighted = [o.id for o in option_list.options].index("01")
        await pilot.press("r")
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=open_dialog)
