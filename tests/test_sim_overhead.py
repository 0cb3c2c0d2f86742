"""The overhead/Gantt model: its figures follow from the parameters."""

from __future__ import annotations

import pytest

from tui.sim.overhead import SCENARIOS, QueueParams, scenario, simulate


def test_sequential_utilisation_is_trial_over_trial_plus_overhead():
    p = QueueParams(mode="sequential", trials=5, trial=10, variability=0, prepare=2, imports=1,
                    load=7, queue_wait=30)
    s = simulate(p)
    assert s.utilisation == pytest.approx(10 / (10 + 10))
    # every trial pays the queue and the overheads again, one after the other
    assert s.time_to_n == pytest.approx(5 * (30 + 10 + 10))
    assert s.jobs == 5 and s.lanes == 1


def test_longer_jobs_amortise_the_overhead():
    base = QueueParams(mode="async", workers=4, trials=16, variability=0)
    short = simulate(base)
    long = simulate(QueueParams(mode="async", workers=4, trials=16, variability=0, trials_per_job=4))
    assert long.utilisation > short.utilisation
    assert long.jobs == 4 and short.jobs == 16


def test_async_is_never_slower_than_batch_and_batch_idles():
    kw = dict(workers=4, trials=16, variability=0.5, trials_per_job=0)
    batch = simulate(QueueParams(mode="batch", **kw))
    asyn = simulate(QueueParams(mode="async", **kw))
    assert asyn.time_to_n <= batch.time_to_n
    assert batch.total("idle") > 0 and asyn.total("idle") == 0
    assert asyn.utilisation > batch.utilisation


def test_bars_do_not_overlap_within_a_lane_and_count_all_trials():
    for _title, p in SCENARIOS.values():
        s = simulate(p)
        assert sum(b.kind == "trial" for b in s.bars) == p.trials
        for lane in range(s.lanes):
            bars = [b for b in s.bars if b.lane == lane]
            assert all(a.end <= b.start + 1e-9 for a, b in zip(bars, bars[1:]))


def test_wide_job_holds_every_lane_until_the_end():
    s = simulate(QueueParams(workers=3, trials=4, variability=0, wide=True))
    ends = {max(b.end for b in s.bars if b.lane == lane) for lane in range(3)}
    assert len(ends) == 1 and s.jobs == 1
    assert s.total("idle") == pytest.approx(2 * 10)  # two lanes wait one trial for the last


def test_queue_wait_delays_but_does_not_lower_utilisation():
    a = simulate(QueueParams(queue_wait=0, variability=0))
    b = simulate(QueueParams(queue_wait=60, variability=0))
    assert a.utilisation == pytest.approx(b.utilisation)
    assert b.time_to_n > a.time_to_n


@pytest.mark.parametrize("bad", [dict(mode="magic"), dict(workers=0), dict(trial=0),
                                 dict(load=-1), dict(variability=1.0), dict(trials_per_job=-2)])
def test_bad_parameters_raise_a_clear_error(bad):
    with pytest.raises(ValueError):
        simulate(QueueParams(**bad))


def test_unknown_scenario_names_the_valid_ones():
    with pytest.raises(KeyError, match="short-small"):
        scenario("nope")


def test_text_gantt_has_one_line_per_lane_and_the_figures():
    from tui.sim.gantt_text import scenario_figure, text_gantt

    s = simulate(QueueParams(mode="batch", workers=3, trials=6, variability=0.5, trials_per_job=0))
    lines = text_gantt(s, width=30).splitlines()
    assert len(lines) == 3 + 1 and all(len(line) == 33 for line in lines[:3])
    assert "█" in lines[0] and "-" in "".join(lines[:3])  # trials, and batch idles
    assert scenario_figure("sequential").endswith(f"6 trials in {simulate(scenario('sequential')[1]).time_to_n:.0f} min")
