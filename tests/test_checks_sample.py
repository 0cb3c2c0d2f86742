"""The sample.* checks: each broken sampler fails exactly the check that names its mistake."""

from __future__ import annotations

import textwrap

import pytest

from tui.checks.ex01_sample import IDS, sample_checks
from tui.resources import solutions_dir

HEADER = textwrap.dedent("""
    import math, random
    def lu(rng, lo, hi):
        return math.exp(rng.uniform(math.log(lo), math.log(hi)))
    def draw(rng, lr_lo=1e-4, uniform=False, hidden_type=int):
        pick = (lambda lo, hi: rng.uniform(lo, hi)) if uniform else (lambda lo, hi: lu(rng, lo, hi))
        return {"lr": pick(lr_lo, 1e-1), "batch_size": rng.choice([16, 32, 64, 128, 256]),
                "hidden": hidden_type(round(pick(16, 512))), "weight_decay": pick(1e-6, 1e-2),
                "dropout": rng.uniform(0, 0.5), "optimizer": rng.choice(["sgd", "adam", "adamw"])}
""")

BROKEN = {
    "uniform instead of log-uniform": (
        "def sample(task_id, seed=0):\n    return draw(random.Random(seed * 100003 + task_id), uniform=True)\n",
        {"sample.distribution"}),
    "ignores the task id": (
        "def sample(task_id, seed=0):\n    return draw(random.Random(seed))\n",
        {"sample.varies_with_task"}),
    "ignores the seed": (
        "def sample(task_id, seed=0):\n    return draw(random.Random(task_id))\n",
        {"sample.varies_with_seed"}),
    "seed added to the task id: shifted copies of one sweep": (
        "def sample(task_id, seed=0):\n    return draw(random.Random(task_id + seed))\n",
        {"sample.seeds_disjoint"}),
    "seed only through its parity": (
        "def sample(task_id, seed=0):\n    return draw(random.Random((seed % 2) * 100003 + task_id))\n",
        {"sample.varies_with_seed"}),
    "lr out of bounds": (
        "def sample(task_id, seed=0):\n    return draw(random.Random(seed * 100003 + task_id), lr_lo=1e-5)\n",
        {"sample.bounds"}),
    "hidden is a float": (
        "def sample(task_id, seed=0):\n    return draw(random.Random(seed * 100003 + task_id), hidden_type=float)\n",
        {"sample.bounds"}),
    "one generator for all calls": (
        "RNG = random.Random(0)\ndef sample(task_id, seed=0):\n    return draw(RNG)\n",
        {"sample.reproducible"}),
    "seeded with hash() of a string": (
        "def sample(task_id, seed=0):\n    return draw(random.Random(hash(f'task{task_id}') + seed))\n",
        {"sample.reproducible"}),
    "missing a key": (
        "def sample(task_id, seed=0):\n    d = draw(random.Random(seed * 100003 + task_id))\n"
        "    d.pop('dropout')\n    return d\n",
        {"sample.bounds"}),
}


def write(tmp_path, body):
    (tmp_path / "sample.py").write_text(HEADER + body)
    return tmp_path


def failed(results):
    return {r.id for r in results if not r.passed}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_sampler_fails_exactly_its_check(tmp_path, name):
    body, expected = BROKEN[name]
    results = sample_checks(write(tmp_path, body), timeout_s=60)
    assert [r.id for r in results] == list(IDS)
    assert failed(results) == expected, [r.message for r in results if not r.passed]


def test_uniform_lr_message_says_it_looks_linear(tmp_path):
    results = sample_checks(write(tmp_path, BROKEN["uniform instead of log-uniform"][0]), timeout_s=60)
    message = next(r.message for r in results if r.id == "sample.distribution")
    assert "lr: expected log-uniform on [0.0001, 0.1]" in message and "uniform on a linear scale" in message
    assert "dropout" not in message  # dropout is drawn right


def test_a_sampler_that_ignores_the_seed_is_told_so(tmp_path):
    results = sample_checks(write(tmp_path, BROKEN["ignores the seed"][0]), timeout_s=60)
    check = next(r for r in results if r.id == "sample.varies_with_seed")
    assert "expected a different draw for one task id under different seeds" in check.message
    assert "1 distinct draw for task 0 under seeds 0-399" in check.message
    assert any("seed" in hint and "task_id" in hint for hint in check.hints)


def test_shifted_sweeps_name_the_shared_configuration(tmp_path):
    results = sample_checks(write(tmp_path, BROKEN["seed added to the task id: shifted copies of one sweep"][0]),
                            timeout_s=60)
    check = next(r for r in results if r.id == "sample.seeds_disjoint")
    assert "expected the sweeps of different seeds (tasks 0-255) to share no configuration" in check.message
    assert "seeds 0 and 1 share 255 of 256" in check.message and "sample(1, 0) == sample(0, 1)" in check.message
    assert any("100_003" in hint for hint in check.hints)


def test_out_of_bounds_message_names_task_and_value(tmp_path):
    results = sample_checks(write(tmp_path, BROKEN["lr out of bounds"][0]), timeout_s=60)
    message = next(r.message for r in results if r.id == "sample.bounds")
    assert "sample(" in message and "lr " in message and "outside [0.0001, 0.1]" in message


def test_the_reference_sampler_passes(tmp_path):
    results = sample_checks(solutions_dir() / "01_random_search", timeout_s=60)
    assert failed(results) == set()
    assert all(r.hints for r in results)


def test_a_crashing_sampler_fails_every_sample_check_with_its_last_lines(tmp_path):
    write(tmp_path, "def sample(task_id, seed=0):\n    if task_id == 5:\n        raise KeyError('oops')\n"
                    "    return draw(random.Random(task_id))\n")
    results = sample_checks(tmp_path, timeout_s=60)
    assert failed(results) == set(IDS)
    for r in results:
        assert "KeyError: 'oops'" in r.message and "raise KeyError" in r.details


def test_a_hanging_sampler_times_out(tmp_path):
    write(tmp_path, "def sample(task_id, seed=0):\n    while True:\n        pass\n")
    results = sample_checks(tmp_path, timeout_s=2)
    assert failed(results) == set(IDS)
    assert "did not finish within 2 s" in results[0].message


def test_a_sampler_that_prints_still_works(tmp_path):
    write(tmp_path, "print('hello from import')\ndef sample(task_id, seed=0):\n    print('drawing', task_id)\n"
                    "    return draw(random.Random(seed * 100003 + task_id))\n")
    assert failed(sample_checks(tmp_path, timeout_s=60)) == set()


def test_no_sampler_file(tmp_path):
    results = sample_checks(tmp_path, timeout_s=5)
    assert failed(results) == set(IDS) and "no such file" in results[0].message


def test_other_correct_styles_pass(tmp_path):
    """numpy generators, floor instead of round, numpy scalar types: all fine."""
    (tmp_path / "sample.py").write_text(textwrap.dedent("""
        import numpy as np
        def sample(task_id, seed=0):
            rng = np.random.default_rng([seed, task_id])
            return {"lr": 10 ** rng.uniform(-4, -1), "batch_size": int(rng.choice([16, 32, 64, 128, 256])),
                    "hidden": int(np.exp(rng.uniform(np.log(16), np.log(512)))),
                    "weight_decay": 10 ** rng.uniform(-6, -2), "dropout": rng.uniform(0, 0.5),
                    "optimizer": str(rng.choice(["sgd", "adam", "adamw"]))}
    """))
    results = sample_checks(tmp_path, timeout_s=60)
    assert failed(results) == set(), [r.message for r in results if not r.passed]
