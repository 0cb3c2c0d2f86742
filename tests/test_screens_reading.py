"""While a run is read the trials and study screens say so (never "no run yet"), and `q` does not wait for it.

The reads are made to block on an Event, so the screens are caught mid-read whatever the
machine's speed; the Event is set at the end so no thread outlives the test.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.apphelpers import app_for
from tests.test_study_screen import write_fixed_study
from tests.test_trials_screen import settle, summary, write_run
from tests.waiting import pilot_wait
from tui.screens.study import NO_STUDY
from tui.screens.trials import NO_RUN


@pytest.fixture
def gate():
    """(entered, release): a blocked read sets `entered` and waits for `release`."""
    entered, release = threading.Event(), threading.Event()
    yield entered, release
    release.set()


def block(monkeypatch, cls, name, gate):
    entered, release = gate
    original = getattr(cls, name)

    def blocked(self, *args, **kwargs):
        entered.set()
        release.wait(120)  # bounded only so that a broken test cannot hang the suite
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, blocked)


def text(screen, selector):
    return str(screen.query_one(selector).content)


async def test_trials_screen_says_reading_until_the_first_data(workspace, monkeypatch, gate):
    from tui.results.tailer import RunTailer

    write_run(workspace / "01_random_search" / "runs" / "33", n=4, epochs=3)
    block(monkeypatch, RunTailer, "refresh", gate)
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        seen = [summary(screen)]
        await pilot_wait(pilot, lambda: seen.append(summary(screen)) or "reading runs/33" in seen[-1],
                         "reading runs/33")
        assert not any(NO_RUN in s for s in seen), seen
        assert NO_RUN not in str(screen.query_one("#trials-row").content)
        gate[1].set()
        await pilot_wait(pilot, lambda: summary(screen).startswith("33: 4 trials"), "the run's trials")


async def test_study_screen_says_reading_until_the_first_data(workspace, monkeypatch, gate):
    from tui.results.study import StudyReader

    write_fixed_study(workspace / "02_optuna" / "runs" / "r1", n=6)
    block(monkeypatch, StudyReader, "read", gate)
    app = app_for(workspace, start_screen="study:02", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        seen = [text(screen, "#study-summary")]
        await pilot_wait(pilot, lambda: seen.append(text(screen, "#study-summary")) or "reading runs/r1" in seen[-1],
                         "reading runs/r1")
        assert not any(NO_STUDY in s for s in seen), seen
        gate[1].set()
        await pilot_wait(pilot, lambda: text(screen, "#study-summary").startswith("r1: 6 trials"), "the study")


def _reader(which: str):
    if which == "trials":
        from tui.results.tailer import RunTailer

        return RunTailer, "refresh"
    from tui.results.study import StudyReader

    return StudyReader, "read"


@pytest.mark.parametrize("screen_spec,group", [("trials:01", "trials-tail"), ("study:02", "study-read")])
async def test_q_does_not_wait_for_a_read_that_never_ends(workspace, monkeypatch, gate, screen_spec, group):
    """Quitting cancels the worker, and closing the loop does not join its thread (it joined: ~5 s blank)."""
    write_run(workspace / "01_random_search" / "runs" / "33", n=4, epochs=3)
    write_fixed_study(workspace / "02_optuna" / "runs" / "r1", n=6)
    block(monkeypatch, *_reader(screen_spec.partition(":")[0]), gate)
    app = app_for(workspace, start_screen=screen_spec, resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, gate[0].is_set, "the read starting")
        workers = [w for w in app.workers if w.group == group]
        await pilot.press("q")
    assert app.return_code is not None and workers and all(w.is_cancelled for w in workers)
    assert not gate[1].is_set()  # the read is still blocked: nothing above waited for it
    # what asyncio.run does when the app's loop closes: before the fix this joined the blocked thread
    await asyncio.wait_for(asyncio.get_running_loop().shutdown_default_executor(), timeout=60)
    assert not gate[1].is_set()
