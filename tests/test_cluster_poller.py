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


def test_any_failure_of_a_call_goes_stale_and_the_next_tick_still_asks():
    class Broken(FakeBackend):
        def status(self, ids):
            super().status(ids)
            raise RuntimeError("No existing session")  # e.g. paramiko's own SSHException

    backend = Broken()
    poller = Poller(backend, interval=10)
    poller.watch("s", ["1"])
    snap = poller.tick()
    assert snap.stale and snap.error == "RuntimeError: No existing session" and poller.interval == 20
    poller.tick()
    assert len(backend.calls) == 2  # the poller never stops by itself


def test_stale_states_carry_the_wall_clock_time_of_the_last_good_answer():
    backend = FakeBackend()
    poller = Poller(backend, clock=lambda: 12.5, wall=lambda: 1_700_000_000.0)  # monotonic: seconds since boot
    poller.watch("s", ["1"])
    poller.tick()
    backend.down = True
    snap = poller.tick()
    assert snap.stale and snap.as_of == 1_700_000_000.0 and snap.last_ok == 12.5


def test_watching_the_same_ids_again_keeps_the_backoff_and_new_ids_reset_it():
    backend = FakeBackend()
    poller = Poller(backend, interval=10)
    poller.watch("s", ["1"])
    poller.tick()
    poller.tick()
    assert poller.interval == 20
    poller.watch("s", ["1"])  # the jobs screen re-reads the tracked jobs on every tick
    assert poller.interval == 20
    poller.watch("s", ["1", "2"])  # a job submitted from the CLI meanwhile
    assert poller.interval == 10
    poller.tick()
    assert backend.calls[-1] == ["1", "2"]


def test_a_partial_answer_keeps_what_answered_and_goes_stale():
    from tui.cluster.poller import PartialStatus

    class Half(FakeBackend):
        def status(self, ids):
            super().status(ids)
            raise PartialStatus("hyperqueue: server not running", [TaskState("1", state="COMPLETED")],
                                [SchedulerUnavailable("server not running")])

    poller = Poller(Half())
    poller.watch("s", ["1", "hq2"])
    snap = poller.tick()
    assert snap.stale and snap.tasks["1"].state == "COMPLETED" and isinstance(snap.failure, SchedulerUnavailable)
    assert poller.due() == ["hq2"]  # job 1 finished: not asked again


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
