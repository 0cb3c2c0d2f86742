"""The teacher's side, without a cluster: the class_dir setting, publishing a learner's summary (opt-in,
atomic, never over another's file), the teacher's strict reading of a class folder (hostile files
skipped with a note), the class tables, `hptune-tui class`, and the publish hooks (check, job service)."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from tui.checks.result import CheckReport, CheckResult
from tui.classroom.collect import ClassReader
from tui.classroom.model import SummaryError, parse_summary
from tui.classroom.publish import PublishError, after_check, current_user, publish, write_summary
from tui.classroom.report import class_json, leaderboard, learner_rows, method_costs
from tui.cli import main
from tui.settings import Settings, load_settings

ME = current_user()


def class_folder(tmp_path: Path, mode: int = 0o1733) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    folder.chmod(mode)
    return folder


def add_run(workspace: Path, exercise_dir: str, run: str, trials: dict[str, tuple[dict, list[float]]]) -> Path:
    """A finished run: per trial its params and its val_acc per epoch."""
    run_dir = workspace / exercise_dir / "runs" / run
    for trial, (params, accs) in trials.items():
        folder = run_dir / "trials" / trial
        folder.mkdir(parents=True)
        (folder / "params.json").write_text(json.dumps(params))
        (folder / "metrics.jsonl").write_text("".join(json.dumps({"step": i, "val_acc": a}) + "\n"
                                                      for i, a in enumerate(accs)))
        (folder / "result.json").write_text(json.dumps({"status": "complete"}))
    (run_dir / "job.sh").write_text("#!/bin/bash\n")
    return run_dir


def report(exercise: str, failing: list[str], passing: list[str]) -> CheckReport:
    return CheckReport(exercise, [CheckResult(i, False, "no") for i in failing] +
                       [CheckResult(i, True, "yes") for i in passing])


def summary_data(user: str, value: float = 0.9, **extra) -> dict:
    data = {"version": 1, "user": user, "updated": time.time(),
            "progress": {"01": {"kind": "exercise", "read": 1.0, "done": False, "quiz": [0, 0]}},
            "checks": {"01": {"at": time.time(), "passed": 1, "total": 2,
                              "failing": {"results.best_metric": time.time() - 600}}},
            "best": {"01": {"method": "random", "metric": "val_acc", "value": value, "params": {"lr": 0.01}}},
            "cost": {"01": {"cpu_hours": 0.5, "gpu_hours": 0.0, "elapsed_s": 100.0}}}
    data.update(extra)
    return data


# -- settings -------------------------------------------------------------------------------------

def test_class_dir_comes_from_the_course_config_and_the_workspace_wins(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text(f'class_dir = "{tmp_path / "class"}"\nworkspace = "/elsewhere"\n')
    ws = tmp_path / "ws"
    ws.mkdir()
    settings = load_settings(env={"HPTUNE_SITE_CONFIG": str(site)}, workspace=ws, user_config=tmp_path / "no.toml")
    assert settings.class_dir == str(tmp_path / "class") and settings.workspace == ws.resolve()
    assert settings.problems == []
    (ws / "hptune.toml").write_text(f'class_dir = "{tmp_path / "other"}"\n')
    settings = load_settings(env={"HPTUNE_SITE_CONFIG": str(site)}, workspace=ws, user_config=tmp_path / "no.toml")
    assert settings.class_dir == str(tmp_path / "other")
    assert load_settings(env={}, workspace=ws, user_config=tmp_path / "no.toml").class_dir == str(tmp_path / "other")


def test_the_course_config_beside_a_shared_install_is_found_without_a_variable(tmp_path, monkeypatch):
    from tui.settings import site_config_path

    config = tmp_path / "etc" / "hptune-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('class_dir = "/shared/class"\n')
    monkeypatch.setattr("sys.prefix", str(tmp_path))
    assert site_config_path({}) == config
    assert load_settings(env={}, workspace=tmp_path, user_config=tmp_path / "no.toml").class_dir == "/shared/class"
    assert site_config_path({"HPTUNE_SITE_CONFIG": "/x.toml"}) == Path("/x.toml")


def test_a_broken_course_config_is_one_problem_and_is_left_alone(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("class_dir = [\n")
    settings = load_settings(env={"HPTUNE_SITE_CONFIG": str(site)}, workspace=tmp_path, user_config=tmp_path / "n")
    assert settings.class_dir == "" and len(settings.problems) == 1 and "course config" in settings.problems[0]
    assert list(tmp_path.glob("site.toml.broken-*")) == []


# -- publishing -----------------------------------------------------------------------------------

def test_nothing_is_published_without_a_class_dir(workspace, tmp_path):
    folder = class_folder(tmp_path)
    assert after_check(Settings(workspace=workspace), report("01", ["a"], [])) == ""
    assert publish(Settings(workspace=workspace)) is None
    assert os.listdir(folder) == []


def test_the_summary_has_progress_failing_checks_since_when_and_the_best_result(workspace, tmp_path):
    folder = class_folder(tmp_path)
    settings = Settings(workspace=workspace, class_dir=str(folder))
    add_run(workspace, "01_random_search", "11", {"0": ({"lr": 0.1}, [0.5, 0.7]), "1": ({"lr": 0.01}, [0.6, 0.93])})
    assert after_check(settings, report("01", ["results.best_metric", "script.array"], ["sample.bounds"])) == ""
    first = json.loads((folder / f"{ME}.json").read_text())
    since = first["checks"]["01"]["failing"]["results.best_metric"]
    time.sleep(0.01)  # a later check run (wall-clock stamps must differ), not a wait for a condition
    assert after_check(settings, report("01", ["results.best_metric"], ["script.array", "sample.bounds"])) == ""
    path = folder / f"{ME}.json"
    summary = parse_summary(json.loads(path.read_text()), ME)
    assert summary.checks["01"].failing == {"results.best_metric": since}  # still failing: since the first run
    assert (summary.checks["01"].passed, summary.checks["01"].total) == (2, 3)
    best = summary.best["01"]
    assert (best.method, best.value, best.params, best.run, best.trials) == ("random", 0.93, {"lr": 0.01}, "11", 2)
    assert summary.progress["01"].kind == "exercise" and summary.progress["tuning"].kind == "lesson"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in folder.iterdir()] == [f"{ME}.json"]  # no temp file left behind


def test_mine_prints_what_is_published_and_where(workspace, tmp_path, capsys):
    folder = class_folder(tmp_path)
    assert main(["-w", str(workspace), "class", "--mine"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["user"] == ME and "not publishing" in err
    (workspace / "hptune.toml").write_text(f'class_dir = "{folder}"\n')
    assert main(["-w", str(workspace), "class", "--mine"]) == 0
    assert f"published to {folder / ME}.json" in capsys.readouterr().err


def test_a_file_that_is_not_the_learners_own_is_never_replaced(tmp_path):
    folder = class_folder(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("keep")
    (folder / f"{ME}.json").symlink_to(secret)
    with pytest.raises(PublishError, match="not your own file"):
        write_summary(folder, ME, {"x": 1})
    assert secret.read_text() == "keep" and (folder / f"{ME}.json").is_symlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
def test_another_users_file_is_left_alone(tmp_path):
    folder = class_folder(tmp_path)
    theirs = folder / f"{ME}.json"
    theirs.write_text('{"theirs": true}')
    os.chown(theirs, 65534, 65534)
    with pytest.raises(PublishError, match="not your own file"):
        write_summary(folder, ME, {"x": 1})
    assert theirs.read_text() == '{"theirs": true}'


def test_a_folder_anyone_may_write_without_the_sticky_bit_is_refused(tmp_path, workspace):
    folder = class_folder(tmp_path, 0o777)
    note = after_check(Settings(workspace=workspace, class_dir=str(folder)), report("01", [], ["a"]))
    assert note.startswith("not published:") and "not sticky" in note and "chmod 1733" in note
    assert os.listdir(folder) == []
    note = after_check(Settings(workspace=workspace, class_dir=str(tmp_path / "absent")), report("01", [], ["a"]))
    assert "does not exist" in note


def test_check_publishes_after_it_runs(workspace, tmp_path, capsys):
    folder = class_folder(tmp_path)
    (workspace / "hptune.toml").write_text(f'class_dir = "{folder}"\n')
    assert main(["-w", str(workspace), "check", "01"]) == 1  # the starter fails its checks
    summary = parse_summary(json.loads((folder / f"{ME}.json").read_text()), ME)
    assert summary.checks["01"].failing and "script.array" in summary.checks["01"].failing


# -- reading a class folder -------------------------------------------------------------------------

def test_hostile_summaries_are_skipped_with_a_note_and_the_rest_is_read(tmp_path):
    folder = class_folder(tmp_path, 0o755)
    (folder / f"{ME}.json").write_text(json.dumps(summary_data(ME)))
    (folder / "badjson.json").write_text("{not json")
    with open(folder / "huge.json", "wb") as handle:  # 100 MB, sparse: nothing to write
        handle.truncate(100 * 1024 * 1024)
    (folder / "link.json").symlink_to(folder / f"{ME}.json")
    (folder / "a b.json").write_text("{}")
    (folder / "notes.txt").write_text("hi")
    (folder / ".hidden.json.x1.tmp").write_text("{")  # a write in progress: not even a note
    os.mkfifo(folder / "fifo.json")
    (folder / "types.json").write_text(json.dumps(summary_data("types", value="high")))
    (folder / "nan.json").write_text(json.dumps(summary_data("nan")).replace('"value": 0.9', '"value": NaN'))
    (folder / "deep.json").write_text("[" * 100000 + "]" * 100000)
    (folder / "other.json").write_text(json.dumps(summary_data("../other")))
    reader = ClassReader(folder, check_owner=False)
    reader.refresh()
    assert [s.user for s in reader.summaries()] == [ME]
    notes = "\n".join(reader.notes())
    for name, why in (("badjson.json", "not valid JSON"), ("huge.json", "over the"), ("link.json", "symbolic link"),
                      ("a b.json", "not a <user>.json name"), ("notes.txt", "not a <user>.json name"),
                      ("fifo.json", "not a plain file"), ("types.json", "best.01.value: not a number"),
                      ("nan.json", "not valid JSON"), ("deep.json", "skipped"), ("other.json", "user: names")):
        assert f"{name}: " in notes and why in notes.split(f"{name}: ")[1].splitlines()[0], (name, notes)
    assert ".hidden" not in notes


def test_a_summary_not_owned_by_the_user_it_names_is_skipped(tmp_path):
    folder = class_folder(tmp_path, 0o755)
    impostor = "someoneelse" if ME != "someoneelse" else "other"
    (folder / f"{impostor}.json").write_text(json.dumps(summary_data(impostor)))
    (folder / f"{ME}.json").write_text(json.dumps(summary_data(ME)))
    reader = ClassReader(folder)
    reader.refresh()
    assert [s.user for s in reader.summaries()] == [ME]
    assert reader.notes() == [f"{impostor}.json: owned by {ME}, not by {impostor}, skipped"]


def test_a_refresh_rereads_only_what_changed(tmp_path):
    folder = class_folder(tmp_path, 0o755)
    for name in ("ann", "bob", "cid"):
        (folder / f"{name}.json").write_text(json.dumps(summary_data(name)))
    reader = ClassReader(folder, check_owner=False)
    assert reader.refresh() and reader.reads == 3
    assert not reader.refresh() and reader.reads == 3
    tmp = folder / ".bob.json.tmp"
    tmp.write_text(json.dumps(summary_data("bob", value=0.99)))
    os.replace(tmp, folder / "bob.json")  # as a learner publishes: a new file renamed over the old
    (folder / "cid.json").unlink()
    assert reader.refresh() and reader.reads == 4
    assert {s.user: s.best["01"].value for s in reader.summaries()} == {"ann": 0.9, "bob": 0.99}


def test_parse_summary_refuses_wrong_types():
    with pytest.raises(SummaryError, match="version"):
        parse_summary({**summary_data("ann"), "version": 2}, "ann")
    with pytest.raises(SummaryError, match="progress.01.done"):
        parse_summary(summary_data("ann", progress={"01": {"kind": "exercise", "read": 1, "done": "yes"}}), "ann")
    with pytest.raises(SummaryError, match="more than"):
        parse_summary(summary_data("ann", checks={str(i): {} for i in range(1000)}), "ann")
    with pytest.raises(SummaryError, match="not an object"):
        parse_summary([], "ann")


# -- the class tables and `hptune-tui class` --------------------------------------------------------

def test_the_tables_rank_who_is_stuck_the_best_results_and_the_cost_per_method():
    now = time.time()
    ann = parse_summary(summary_data("ann", value=0.91), "ann")
    bob = parse_summary(summary_data("bob", value=0.95, checks={}, cost={"01": {"cpu_hours": 0.25},
                                                                          "02": {"cpu_hours": 1.0, "gpu_hours": 0.5}},
                                     best={"01": {"method": "random", "metric": "val_acc", "value": 0.95},
                                           "02": {"method": "optuna", "metric": "val_acc", "value": 0.97}}), "bob")
    rows = learner_rows([bob, ann], now)
    assert [r["user"] for r in rows] == ["ann", "bob"]  # the stuck one first
    assert rows[0]["stuck"]["check"] == "results.best_metric" and 590 <= rows[0]["stuck"]["for_s"] <= 700
    assert [(e["user"], e["method"], e["value"]) for e in leaderboard([ann, bob])] == \
        [("bob", "optuna", 0.97), ("bob", "random", 0.95), ("ann", "random", 0.91)]
    random_row, optuna_row = method_costs([ann, bob])
    assert (random_row["learners"], random_row["cpu_hours"], random_row["best"]) == (2, 0.75, 0.95)
    assert (optuna_row["learners"], optuna_row["cpu_hours"], optuna_row["gpu_hours"]) == (1, 1.0, 0.5)


def test_class_prints_the_table_and_json_and_names_what_it_skipped(tmp_path, capsys):
    folder = class_folder(tmp_path, 0o755)
    (folder / "ann.json").write_text(json.dumps(summary_data("ann")))
    (folder / "bad.json").write_text("{")
    assert main(["class", str(folder), "--any-owner"]) == 0
    out, err = capsys.readouterr()
    assert "1 learners" in out and "ann" in out and "01 results.best_metric" in out and "Method against cost" in out
    assert "skipped: bad.json: not valid JSON" in err
    assert main(["class", str(folder), "--any-owner", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == class_json([parse_summary(summary_data("ann"), "ann")], data["notes"], time.time()) | {
        "learners": data["learners"]}
    assert data["learners"][0]["best"] == {"01": 0.9}
    assert main(["class"]) == 2 and "no class folder" in capsys.readouterr().err
    assert main(["class", str(tmp_path / "absent")]) == 2 and "cannot read" in capsys.readouterr().err


# -- the job service's hook -------------------------------------------------------------------------

def test_the_job_service_publishes_once_when_a_job_finishes(workspace, tmp_path, monkeypatch):
    from tui.cluster.backend import TaskState
    from tui.cluster.tracking import record_submission
    from tui.services.jobs import JobService

    states = {"5": "RUNNING"}

    class Backend:
        name = "local"

        def status(self, ids):
            return [TaskState(i, state=states[i]) for i in ids]

    monkeypatch.setattr("tui.cluster.factory.make_backend", lambda settings, name=None, **kw: Backend())
    run = add_run(workspace, "01_random_search", "5", {"0": ({"lr": 0.1}, [0.8])})
    record_submission(run, "local", "5")
    folder = class_folder(tmp_path)
    service = JobService(Settings(workspace=workspace, backend="local", class_dir=str(folder)))
    service.refresh("screen")
    service.tick()
    assert os.listdir(folder) == []  # still running: nothing yet
    states["5"] = "COMPLETED"
    service.poke()
    service.tick()
    path = folder / f"{ME}.json"
    assert json.loads(path.read_text())["best"]["01"]["value"] == 0.8 and service.publish_note == ""
    stamp = path.stat().st_mtime_ns
    service.poke()
    service.tick()
    assert path.stat().st_mtime_ns == stamp  # the same finished job publishes once
