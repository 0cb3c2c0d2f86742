"""SVG snapshots of the lesson views at 80x24 (regenerate on purpose with --snapshot-update)."""

from __future__ import annotations

import pytest

from tests.apphelpers import snapshot_app
from tui.sim.overhead import SCENARIOS

VIEWS = ["grid-random", "grid-random:2", "bayes", "bayes:normal", "priors", "priors:lr/log",
         "priors:optimizer", "quiz:priors"] + [f"overhead:{name}" for name in SCENARIOS]


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("spec", VIEWS, ids=[v.replace("/", "-") for v in VIEWS])
def test_view_80x24(snap_compare, spec):
    assert snap_compare(snapshot_app(start_screen=spec), terminal_size=(80, 24), run_before=_settle)


def test_method_race_finished_80x24(snap_compare):
    # the race runs in a worker; the snapshot is taken once it has finished
    assert snap_compare(snapshot_app(start_screen="methods"), terminal_size=(80, 24), run_before=_settle)


def test_bayes_after_observations_80x24(snap_compare):
    async def observe(pilot):
        await pilot.press("s", "s", "s", "s", "f")
        await _settle(pilot)

    assert snap_compare(snapshot_app(start_screen="bayes"), terminal_size=(80, 24), run_before=observe)
