"""Exercise 1's sampler checks: sample.bounds, sample.distribution, sample.reproducible,
sample.varies_with_task, and the seed checks of tui.checks.ex01_seeds. The learner's sample.py
runs in child processes (probe_sampler)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tui.checks.ex01_seeds import HINTS as SEED_HINTS
from tui.checks.ex01_seeds import SWEEP_SEEDS, SWEEP_TASKS, check_seeds_disjoint, check_varies_with_seed, \
    draw_key, sweeps_of
from tui.checks.result import CheckResult
from tui.checks.subproc import run_python
from tui.runtime.space import RANDOM_SEARCH_SPACE, Prior

SAMPLER = "sample.py"
N_DRAWS = 400
N_SECOND = 16  # draws in the second process, which runs with another hash seed
ALPHA = 1e-3  # draws are deterministic, so a correct sampler fails at most this often, once
MIN_JUDGED = 50
IDS = ("sample.bounds", "sample.distribution", "sample.reproducible", "sample.varies_with_task",
       "sample.varies_with_seed", "sample.seeds_disjoint")

HINTS = {
    "sample.bounds": [
        "Every draw must hold lr, batch_size, hidden, weight_decay, dropout and optimizer, each inside its range.",
        "hidden must be an int: round the log-uniform draw with int(round(...)).",
        "Draw log-uniform values as math.exp(rng.uniform(math.log(low), math.log(high))).",
    ],
    "sample.distribution": [
        "lr, weight_decay and hidden span several orders of magnitude: draw them evenly on a log scale.",
        "rng.uniform(1e-4, 1e-1) puts 90% of the draws above 1e-2; draw the exponent uniformly instead.",
        "lr = math.exp(rng.uniform(math.log(1e-4), math.log(1e-1))); choices with rng.choice([...]).",
    ],
    "sample.reproducible": [
        "The same task id and seed must give the same hyperparameters every time, in any process.",
        "Do not use the global random module unseeded, the clock, or hash() of a string (it changes per process).",
        "Make a generator per call: rng = random.Random(seed * 100_003 + task_id), and draw only from it.",
    ],
    "sample.varies_with_task": [
        "Each array task must try a different configuration, or the array repeats one trial 32 times.",
        "The generator's seed has to depend on task_id as well as on seed.",
        "rng = random.Random(seed * 100_003 + task_id) gives every task its own stream.",
    ],
    **SEED_HINTS,
}


def _probe(sampler: Path, n: int, hash_seed: str, timeout_s: float, sweeps: bool = False
           ) -> tuple[dict | None, CheckResult | None]:
    with tempfile.TemporaryDirectory(prefix="hptune-probe-") as tmp:
        out = Path(tmp) / "draws.json"
        extra = ["--sweep-tasks", str(SWEEP_TASKS), "--sweep-seeds", ",".join(map(str, SWEEP_SEEDS[1:]))] \
            if sweeps else []
        proc = run_python(["-m", "tui.checks.probe_sampler", str(sampler), str(out), "--n", str(n), *extra],
                          timeout_s=timeout_s, cwd=sampler.parent, env={"PYTHONHASHSEED": hash_seed})
        if not proc.ok or not out.is_file():
            return None, CheckResult("", False, proc.describe(timeout_s), details=proc.error_tail())
        return json.loads(out.read_text(encoding="utf-8")), None


_key = draw_key


def check_bounds(by_task: list[dict[str, Any]], by_seed: list[dict[str, Any]]) -> CheckResult:
    """Every prior's key present in every draw, each value of the right type and inside its range."""
    labelled = [(f"sample({t}, 0)", d) for t, d in enumerate(by_task)]
    labelled += [(f"sample(0, {s})", d) for s, d in enumerate(by_seed)]
    problems = []
    for call, draw in labelled:
        for prior in RANDOM_SEARCH_SPACE:
            if prior.name not in draw:
                problems.append(f"{call} has no {prior.name!r}")
            elif prior.problem(draw[prior.name]):
                problems.append(f"{call}: {prior.name} {prior.problem(draw[prior.name])}")
    if problems:
        shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        return CheckResult("sample.bounds", False, f"expected every draw inside the search space; "
                           f"found {len(problems)} problems: {shown}", HINTS["sample.bounds"])
    return CheckResult("sample.bounds", True, f"{len(labelled)} draws, every value inside its range",
                       HINTS["sample.bounds"])


def _continuous_problem(prior: Prior, values: list[float]) -> str:
    from tui.checks.stats import ks_pvalue, ks_uniform

    d = ks_uniform(prior.to_unit(v) for v in values)
    p = ks_pvalue(d, len(values))
    if p >= ALPHA:
        return ""
    found = f"KS test on {'log(' + prior.name + ')' if prior.log else prior.name}: D={d:.3f}, p={p:.1e}"
    if prior.log:
        linear = ks_uniform((v - prior.low) / (prior.high - prior.low) for v in values)
        if ks_pvalue(linear, len(values)) >= ALPHA:
            found += ", and the draws look uniform on a linear scale"
    return f"{prior.name}: expected {prior.describe()}; found {found}"


def _choice_problem(prior: Prior, values: list[Any]) -> str:
    from tui.checks.stats import chi2_equal

    counts = [sum(1 for v in values if v == c) for c in prior.choices]  # bools were refused by bounds
    stat, p = chi2_equal(counts)
    if p >= ALPHA:
        return ""
    shown = ", ".join(f"{c!r}: {n}" for c, n in zip(prior.choices, counts))
    return (f"{prior.name}: expected each of {len(prior.choices)} choices about equally often "
            f"(~{len(values) / len(prior.choices):.0f} each); found {shown} (chi-square p={p:.1e})")


def check_distribution(by_task: list[dict], by_seed: list[dict]) -> CheckResult:
    """Test the draws against each prior; only values inside the bounds count (sample.bounds judges the rest)."""
    draws, note = by_task, ""
    if len({_key(d) for d in by_task}) < len(by_task) // 2:
        draws, note = by_seed, " (judged over seeds, since the draws do not vary with the task id)"
    problems, judged = [], []
    for prior in RANDOM_SEARCH_SPACE:
        values = [d[prior.name] for d in draws if prior.name in d and not prior.problem(d[prior.name])]
        if len(values) < MIN_JUDGED:
            continue  # too few valid draws to judge: sample.bounds names the mistake
        judged.append(prior.name)
        if len({repr(v) for v in values}) == 1:
            problems.append(f"{prior.name}: expected {prior.describe()}; found {values[0]!r} in every draw")
            continue
        problem = _choice_problem(prior, values) if prior.kind == "choice" else _continuous_problem(prior, values)
        if problem:
            problems.append(problem)
    if problems:
        return CheckResult("sample.distribution", False, "; ".join(problems) + note, HINTS["sample.distribution"])
    if len(judged) < len(RANDOM_SEARCH_SPACE):
        missing = [p.name for p in RANDOM_SEARCH_SPACE if p.name not in judged]
        note += f"; not judged (too few valid draws, see sample.bounds): {', '.join(missing)}"
    return CheckResult("sample.distribution", True,
                       f"{len(draws)} draws match their priors (KS / chi-square, alpha={ALPHA:g}){note}",
                       HINTS["sample.distribution"])


def check_reproducible(first: dict, second: dict) -> CheckResult:
    pairs = [((t, 0), first["by_task"][t], second["by_task"][t]) for t in range(N_SECOND)]
    pairs += [((0, s), first["by_seed"][s], second["by_seed"][s]) for s in range(N_SECOND)]
    earlier = {(t, 0): d for t, d in enumerate(first["by_task"])} | {(0, s): d for s, d in enumerate(first["by_seed"])}
    for (t, s, draw), (_, _, other) in zip(first["repeat"], second["repeat"]):
        pairs.append(((t, s), earlier.get((t, s), other), draw))
        pairs.append(((t, s), draw, other))
    for (t, s), a, b in pairs:
        if _key(a) != _key(b):
            return CheckResult("sample.reproducible", False, f"expected sample({t}, {s}) to give the same draw "
                               f"every time; found {_key(a)} and later {_key(b)}", HINTS["sample.reproducible"])
    return CheckResult("sample.reproducible", True, f"the same (task_id, seed) gave the same draw in "
                       f"{len(pairs)} repeated calls, in two processes", HINTS["sample.reproducible"])


def check_varies(by_task: list[dict]) -> CheckResult:
    distinct = len({_key(d) for d in by_task})
    if distinct < 0.9 * len(by_task):
        return CheckResult("sample.varies_with_task", False, f"expected a different draw for each task id; found "
                           f"{distinct} distinct draws among tasks 0-{len(by_task) - 1}", HINTS["sample.varies_with_task"])
    return CheckResult("sample.varies_with_task", True, f"{distinct} distinct draws among {len(by_task)} task ids",
                       HINTS["sample.varies_with_task"])


def sample_checks(folder: Path, timeout_s: float) -> list[CheckResult]:
    """Run the six sampler checks on folder/sample.py."""
    sampler = folder / SAMPLER
    if not sampler.is_file():
        return [CheckResult(cid, False, f"expected {sampler}; found no such file", HINTS[cid]) for cid in IDS]
    first, error = _probe(sampler, N_DRAWS, "1", timeout_s, sweeps=True)
    second = None
    if first is not None:
        second, error = _probe(sampler, N_SECOND, "2", timeout_s)
    if error is not None:
        return [CheckResult(cid, False, error.message, HINTS[cid], error.details) for cid in IDS]
    return [check_bounds(first["by_task"], first["by_seed"]),
            check_distribution(first["by_task"], first["by_seed"]),
            check_reproducible(first, second), check_varies(first["by_task"]),
            check_varies_with_seed(first["by_seed"], sweeps_of(first)), check_seeds_disjoint(sweeps_of(first))]
