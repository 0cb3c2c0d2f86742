"""Time to first data of the data screens, and the UI cost of a live trials-table update (issue 15).

For the trials, study and throughput screens, at two sizes (`small`: 40 trials of 20 epochs;
`large`: 1000 trials of 100 epochs), the seconds from pushing the screen on a running app
(App.run_test, the home screen up) to the first plotted data: the curve plot has a series or
the table has rows. Each figure is the median of `--runs` fresh processes, so imports count.
Also `export home` against the same export of a minimal Textual app (one Static; and, for
scale, a bare Textual app with home's widgets), runs interleaved, and, at the
large size, the UI time the trials screen spends in its update handler per live update
(10 running trials get one more epoch each, then the screen re-reads), and apart from it the
time its plots take to render after that update (plotext builds its text in render()).

Synthetic runs follow the data contract of /work/shared/DESIGN.md; they are written once under
`--data` (default /tmp/hptune-bench-screens) and reused, so before/after runs read the same
files. Prints one JSON object. Targets: small <= 1 s, large <= 2 s, export home <= 1.5x minimal,
update <= 20 ms.

    .venv/bin/python bench/screens.py [--runs 3] [--sizes small,large] [--data DIR] [--before DIR]

`--before DIR` (a checkout of an older commit, e.g. `git archive COMMIT | tar -x -C DIR`) runs
its children interleaved with this checkout's, so that both see the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"small": (40, 20), "large": (1000, 100)}  # trials, epochs
SCREENS = {"trials": "trials:01", "study": "study:02", "throughput": "throughput:03"}
RUNNING = 20  # trials of the 01 run without result.json: the live update appends to them
UPDATES = 8  # live updates timed per process


# -- synthetic data ---------------------------------------------------------------------------

def _params(rng: random.Random) -> dict:
    return {"lr": 10 ** rng.uniform(-4, -1), "batch_size": rng.choice([16, 32, 64, 128, 256]),
            "hidden": int(round(math.exp(rng.uniform(math.log(16), math.log(512))))),
            "weight_decay": 10 ** rng.uniform(-6, -2), "dropout": rng.uniform(0, 0.5),
            "optimizer": rng.choice(["sgd", "adam", "adamw"])}


def _acc(p: dict, epoch: int, epochs: int) -> float:
    top = 0.97 - 0.25 * abs(math.log10(p["lr"]) + 2.5) / 1.5 - 0.05 * p["dropout"]
    return round(top * (1 - math.exp(-3 * epoch / epochs)), 4)


def metric_line(p: dict, epoch: int, epochs: int) -> str:
    return json.dumps({"step": epoch, "time": 1.7e9 + epoch, "val_acc": _acc(p, epoch, epochs),
                       "val_loss": round(1 / epoch, 4), "train_loss": round(1.2 / epoch, 4),
                       "samples_per_s": 5000.0, "elapsed_s": 0.5 * epoch}) + "\n"


def write_trials_run(run: Path, n: int, epochs: int) -> None:
    """Exercise 1's run: n trials, the last RUNNING still running (no result.json)."""
    rng = random.Random(1)
    for i in range(n):
        folder = run / "trials" / f"{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        p = _params(rng)
        (folder / "params.json").write_text(json.dumps(p))
        ran = epochs // 2 if i >= n - RUNNING else epochs
        (folder / "metrics.jsonl").write_text("".join(metric_line(p, e, epochs) for e in range(1, ran + 1)))
        if i < n - RUNNING:
            (folder / "result.json").write_text(json.dumps({"status": "complete", "params": p}))


def write_study(run: Path, n: int, epochs: int) -> None:
    """Exercise 2's Optuna journal: n trials with `epochs` intermediate values each (a third pruned)."""
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState, create_trial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    run.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(run / "study.journal")))
    study = optuna.create_study(study_name="hptune", storage=storage, direction="maximize")
    dists = {"lr": FloatDistribution(1e-4, 1e-1, log=True), "hidden": IntDistribution(16, 512, log=True),
             "dropout": FloatDistribution(0.0, 0.5), "optimizer": CategoricalDistribution(["sgd", "adam", "adamw"])}
    rng = random.Random(7)
    trials = []
    for number in range(n):
        p = {k: v for k, v in _params(rng).items() if k in dists}
        ran = epochs if number % 3 else max(1, epochs // 4)
        curve = {e: _acc(p, e, epochs) for e in range(1, ran + 1)}
        state = TrialState.COMPLETE if number % 3 else TrialState.PRUNED
        worker = {"array_job_id": "4242", "array_task_id": str(number % 4), "host": "node1", "pid": 100}
        trials.append(create_trial(state=state, value=max(curve.values()) if number % 3 else None, params=p,
                                   distributions=dists, intermediate_values=curve,
                                   user_attrs={"worker": worker}))
    study.add_trials(trials)


def write_throughput(exercise: Path, n: int) -> None:
    """Exercise 3: one run per way, n tasks each, with the times tiny_stats reads."""
    from tui.runtime.tiny_tasks import SWEEP_FILE

    rng = random.Random(3)
    configs = [{"seq_len": rng.choice([32, 64, 128]), "batch": rng.choice([8, 16, 32]), "threads": 1}
               for _ in range(n)]
    for k, (mode, wait, startup) in enumerate((("job_per_task", 1.5, 1.0), ("worker_loop", 0.0, 0.0),
                                               ("hyperqueue", 0.01, 1.0))):
        run = exercise / "runs" / f"{k + 1}-{mode}"
        (run / "trials").mkdir(parents=True, exist_ok=True)
        (run / SWEEP_FILE).write_text(json.dumps(configs))
        t = 1.7e9 + 1000 * k
        for i, c in enumerate(configs):
            launched = t + wait
            ready = launched + startup
            ended = ready + 0.2
            folder = run / "trials" / str(i)
            folder.mkdir(exist_ok=True)
            (folder / "result.json").write_text(json.dumps({
                "task": i, "status": "complete", "mode": mode, "runner": "local", "cpus": 1, "params": c,
                "submitted": t, "launched": launched, "ready": ready, "started": ready, "ended": ended,
                "timed_s": 0.2, "seq_per_s": 1000.0 + rng.random() * 500, "peak_mem_gb": 0.1}))
            t = ended


def workspace(data: Path, size: str) -> Path:
    """The workspace of `size` under `data`, written on first use."""
    ws = data / size
    if (ws / ".bench-done").exists():
        return ws
    from tui.course.workspace import init_workspace

    n, epochs = SIZES[size]
    init_workspace(ws)
    write_trials_run(ws / "01_random_search" / "runs" / "r1", n, epochs)
    write_study(ws / "02_optuna" / "runs" / "s1", n, epochs)
    write_throughput(ws / "03_hyperqueue", n)
    (ws / ".bench-done").write_text("")
    return ws


# -- one measurement (a child process) --------------------------------------------------------

def has_data(screen) -> bool:
    """The screen's first data: a plot with a series, or a data table with rows."""
    from textual.widgets import DataTable
    from textual_plotext import PlotextPlot

    if any(t.row_count for t in screen.query(DataTable)):
        return True
    # a CurvePlot may show text its screen built in a worker (has_data); other plots hold their series
    return any(getattr(p, "has_data", None) or p.plt._active.monitor.x for p in screen.query(PlotextPlot))


def timed_handler(cls, message_cls, sink: list[float]) -> None:
    """Time every call of `cls`'s @on(message_cls) handlers into `sink` (ms)."""
    handlers = cls.__dict__["_decorated_handlers"][message_cls]

    def wrap(method):
        def timed(self, *args):
            start = time.perf_counter()
            try:
                return method(self, *args)
            finally:
                sink.append((time.perf_counter() - start) * 1000)
        return timed

    handlers[:] = [(wrap(method), selectors) for method, selectors in handlers]


async def measure(ws: Path, spec: str, live: bool) -> dict:
    from tui.app import make_app
    from tui.settings import Settings

    app = make_app(Settings(workspace=ws, backend="local"), resume=False, read_only=True)
    out: dict = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        app.open_screen(spec)
        while not _ready(app.screen):
            await asyncio.sleep(0.005)
            if time.perf_counter() - start > 120:
                out["error"] = "no data after 120 s"
                break
        out["first_data_s"] = round(time.perf_counter() - start, 3)
        if live:
            out.update(await live_updates(pilot, app.screen, ws))
    return out


def _ready(screen) -> bool:
    return screen.__class__.__name__ != "HomeScreen" and screen.is_mounted and has_data(screen)


async def live_updates(pilot, screen, ws: Path) -> dict:
    """Append one epoch to 10 running trials, let the screen re-read, time its update handler."""
    from textual_plotext import PlotextPlot

    from tui.screens import trials as trials_screen
    from tui.screens.trials import TrialsScreen, TrialsUpdated

    sink: list[float] = []
    renders: list[float] = []
    timed_handler(TrialsScreen, TrialsUpdated, sink)
    if hasattr(trials_screen, "TrialsCurves"):  # the curve plot, built in the worker, comes in a message of its own
        timed_handler(TrialsScreen, trials_screen.TrialsCurves, sink)
    timed_render(PlotextPlot, renders)
    await pilot.app.workers.wait_for_complete()  # the rest of the first read, if any
    await pilot.pause(0.2)
    trials = sorted((ws / "01_random_search" / "runs" / "r1" / "trials").iterdir())[-RUNNING:]
    sizes = {folder: (folder / "metrics.jsonl").stat().st_size for folder in trials[:10]}
    try:
        samples = await _appended(pilot, screen, trials[:10], sink, renders)
    finally:  # the next run (and a --before one) reads the same files
        for folder, size in sizes.items():
            os.truncate(folder / "metrics.jsonl", size)
    handler, render = [s[0] for s in samples], [s[1] for s in samples]
    return {"update_ms_median": round(statistics.median(handler), 1), "update_ms_max": round(max(handler), 1),
            "plot_render_ms_median": round(statistics.median(render), 1)}


async def _appended(pilot, screen, trials: list[Path], sink: list[float], renders: list[float]) -> list[tuple]:
    samples = []
    epochs = SIZES["large"][1]
    for _ in range(UPDATES):
        sink.clear()
        renders.clear()
        seen = screen.updates
        for folder in trials:
            p = json.loads((folder / "params.json").read_text())
            lines = (folder / "metrics.jsonl").read_text().count("\n")
            with open(folder / "metrics.jsonl", "a") as handle:
                handle.write(metric_line(p, lines + 1, epochs))
        screen.action_reload()
        while screen.updates == seen:
            await asyncio.sleep(0.01)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        samples.append((sum(sink), sum(renders)))
    return samples


def timed_render(cls, sink: list[float]) -> None:
    """Time every render of `cls` (the plots build their text then, on the UI thread) into `sink` (ms)."""
    original = cls.render

    def render(self):
        start = time.perf_counter()
        try:
            return original(self)
        finally:
            sink.append((time.perf_counter() - start) * 1000)

    cls.render = render


# -- the parent: medians over fresh processes -------------------------------------------------

def child(args: list[str], env: dict, root: Path = ROOT) -> dict:
    env = {**env, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, __file__, "--child", *args], env=env, capture_output=True, text=True,
                         timeout=600, cwd=root)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(lines[-1])


EXPORT = """
import asyncio, sys
from textual.app import App
from textual.widgets import {widget_names}
class Exported(App):
    BINDINGS = {bindings}
    def compose(self):
{widgets}
async def main():
    app = Exported()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        open(sys.argv[1], "w").write(app.export_screenshot())
asyncio.run(main())
"""
MINIMAL = EXPORT.format(widget_names="Static", bindings="[]", widgets='        yield Static("hello")')
# a bare Textual app with home's widgets: a header, a line, a list of 12, a footer with 3 keys
SAME_WIDGETS = EXPORT.format(
    widget_names="Footer, Header, OptionList, Static",
    bindings='[("q", "quit", "Quit"), ("c", "c", "Continue"), ("r", "r", "Reset")]',
    widgets="\n".join(f"        yield {w}" for w in (
        "Header()", 'Static("hello")', 'OptionList(*[f"option {i}" for i in range(12)])', "Footer()")))


def wall(cmd: list[str], env: dict, runs: int, cwd: Path = ROOT) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)





def export_home(env: dict, runs: int, tmp: str, root: Path = ROOT) -> dict:
    """`export home` against the same export of a minimal Textual app, runs interleaved (a load spike
    hits all alike); `same_widgets` is a bare Textual app with home's widgets (header, a list, footer)."""
    env = {**env, "PYTHONPATH": str(root)}
    commands = {"export_home_s": [sys.executable, "-m", "tui", "export", "home", "-o", f"{tmp}/home.svg"],
                "minimal_textual_export_s": [sys.executable, "-c", MINIMAL, f"{tmp}/min.svg"],
                "same_widgets_textual_export_s": [sys.executable, "-c", SAME_WIDGETS, f"{tmp}/same.svg"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd, env, 1, root))
    out = {name: round(statistics.median(t), 3) for name, t in times.items()}
    out["ratio"] = round(out["export_home_s"] / out["minimal_textual_export_s"], 2)
    out["same_widgets_ratio"] = round(out["same_widgets_textual_export_s"] / out["minimal_textual_export_s"], 2)
    return out


def figures(got: list[dict], live: bool) -> dict:
    """Medians of the children's figures (the largest update), and their errors."""
    ok = [g for g in got if "error" not in g]
    fig: dict = {"first_data_s": statistics.median(g["first_data_s"] for g in ok)} if ok else {}
    if live and ok:
        fig["update_ms_median"] = statistics.median(g["update_ms_median"] for g in ok)
        fig["update_ms_max"] = max(g["update_ms_max"] for g in ok)
        fig["plot_render_ms_median"] = statistics.median(g["plot_render_ms_median"] for g in ok)
    if len(ok) < len(got):
        fig["errors"] = [g["error"] for g in got if "error" in g]
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--data", type=Path, default=Path("/tmp/hptune-bench-screens"))
    parser.add_argument("--before", type=Path, help="another checkout (e.g. `git archive` of an older commit): "
                        "its children run interleaved with this one's, under the same load")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # WORKSPACE SPEC LIVE
    args = parser.parse_args()
    if args.child:
        ws, spec, live = args.child
        print(json.dumps(asyncio.run(measure(Path(ws), spec, live == "1"))))
        return
    roots = {"after": ROOT, "before": args.before.resolve()} if args.before else {"now": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HPTUNE_CONFIG": f"{tmp}/config.toml", "HPTUNE_BACKEND": "local"}
        result: dict = {"cpus": os.cpu_count(), "runs": args.runs, "load_avg_1min": os.getloadavg()[0],
                        "screens": {}}
        for size in args.sizes.split(","):
            ws = workspace(args.data, size)
            env["HPTUNE_WORKSPACE"] = str(ws)
            for name, spec in SCREENS.items():
                live = name == "trials" and size == "large"
                got: dict[str, list] = {label: [] for label in roots}
                for _ in range(args.runs):  # interleaved: a load spike hits both alike
                    for label, root in roots.items():
                        got[label].append(child([str(ws), spec, "1" if live else "0"], env, root))
                figs = {label: figures(g, live) for label, g in got.items()}
                result["screens"].setdefault(name, {})[size] = figs if args.before else figs["now"]
        env["HPTUNE_WORKSPACE"] = str(workspace(args.data, "small"))
        exports = {label: export_home(env, max(args.runs, 9), tmp, root) for label, root in roots.items()}
        result["export"] = exports if args.before else exports["now"]
    result["targets"] = {"small_s": 1.0, "large_s": 2.0, "export_ratio": 1.5, "update_ms": 20}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
