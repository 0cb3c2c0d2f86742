"""The app's single poller: call budget, interval doubling, poke, pause, stale and recovery."""

from __future__ import annotations

import threading

from tui.cluster.backend import SchedulerUnavailable, TaskState
from tui.cluster.poller import Poller


class FakeBackend:
    def __init__(self):
        self.states = {"1": "PENDING", "2": "RUNNING"}
        self.calls: list[list[str]] = []
        self.down = False
        self.called = threading.Event()

    def status(self, ids):
        self.calls.append(list(ids))
        self.called.set()
        if self.down:
            raise SchedulerUnavailable("squeue did not answer within 20 s")
        return [TaskState(job_id=i, state=self.states.get(i, "UNKNOWN")) for i in ids]


def test_one_call_per_tick_for_every_owner_and_no_call_without_watchers():
    backend = FakeBackend()
    poller = Poller(backend, interval=10)
    poller.tick()
    assert backend.calls == []
    poller.watch("screen", ["1", "2"])
    poller.watch("cli", ["2"])
    poller.tick()
    assert backend.calls == [["1", "2"]]


def test_interval_doubles_while_nothing_changes_up_to_the_cap_and_resets_on_change():
    backend = FakeBackend()
    poller = Poller(backend, interval=10)
    poller.watch("s", ["1"])
    poller.tick()
    assert poller.interval == 10  # first sight is a change
    seen = []
    for _ in range(5):
        poller.tick()
        seen.append(poller.interval)
    assert seen == [20, 40, 60, 60, 60]
    backend.states["1"] = "RUNNING"
    poller.tick()
    assert poller.interval == 10


def test_interval_never_under_two_seconds_and_poke_resets():
    backend = FakeBackend()
    poller = Poller(backend, interval=0.5)
    assert poller.interval == 2
    poller.watch("s", ["1"])
    poller.tick()
    poller.tick()
    assert poller.interval == 4
    poller.poke()
    assert poller.interval == 2


def test_finished_jobs_are_not_asked_again_until_a_poke():
    backend = FakeBackend()
    backend.states["1"] = "COMPLETED"
    poller = Poller(backend)
    poller.watch("s", ["1", "2"])
    poller.tick()
    poller.tick()
    assert backend.calls == [["1", "2"], ["2"]]
    assert poller.snapshot.tasks["1"].state == "COMPLETED"


def test_scheduler_down_keeps_states_marked_stale_backs_off_and_recovers():
    backend = FakeBackend()
    poller = Poller(backend, interval=10)
    poller.watch("s", ["2"])
    poller.tick()
    backend.down = True
    snap = poller.tick()
    assert snap.stale and "did not answer" in snap.error and snap.tasks["2"].state == "RUNNING"
    assert poller.interval == 20
    poller.tick()
    assert poller.interval == 40
    backend.down = False
    snap = poller.tick()
    assert not snap.stale and snap.error == "" and poller.interval == 10


def test_listeners_hear_every_tick():
    heard = []
    poller = Poller(FakeBackend())
    poller.subscribe(lambda snap: heard.append(snap.ticks))
    poller.watch("s", ["1"])
    poller.tick()
    poller.tick()
    assert heard == [1, 2]


def test_thread_sleeps_without_watchers_and_ticks_on_watch():
    backend = FakeBackend()
    poller = Poller(backend, interval=60)
    poller.start()
    try:
        assert not backend.called.wait(0.3)
        poller.watch("s", ["1"])
        assert backend.called.wait(5)
        backend.called.clear()
        poller.poke()  # an immediate tick, although the interval is 60 s
        assert backend.called.wait(5)
    finally:
        poller.stop()
    assert not poller._thread.is_alive()


def test_after_a_poke_ticks_come_fast_until_the_change_shows():
    backend = FakeBackend()
    poller = Poller(backend, interval=10)
    poller.watch("s", ["2"])
    poller.tick()
    poller.tick()
    assert poller.interval == 20
    poller.poke()  # the learner cancelled job 2
    poller.tick()
    assert poller.interval == 2
    backend.states["2"] = "CANCELLED"
    poller.tick()
    assert poller.interval == 10
    poller.tick()  # nothing is due any more: finished
    assert backend.calls[-1] == ["2"] and len(backend.calls) == 4


def test_after_a_poke_a_partial_change_keeps_ticks_fast_for_a_few_ticks_only():
    backend = FakeBackend()
    backend.states = {"3_0": "RUNNING", "3_1": "RUNNING", "3_2": "PENDING"}
    poller = Poller(backend, interval=10)
    poller.watch("s", ["3_0", "3_1", "3_2"])
    poller.tick()
    poller.poke()  # the learner cancelled array 3: its tasks stop one by one
    backend.states["3_0"] = "CANCELLED"
    poller.tick()
    assert poller.interval == 2  # changed, but 3_1 and 3_2 have not stopped yet
    backend.states.update({"3_1": "CANCELLED", "3_2": "CANCELLED"})
    poller.tick()
    assert poller.interval == 10  # the whole change showed
    poller.poke()
    for _ in range(10):  # tasks that keep running: quick ticks end after EAGER_TICKS
        backend.states["3_0"] = "RUNNING" if backend.states["3_0"] != "RUNNING" else "COMPLETING"
        poller.tick()
    assert poller.interval == 10
