"""The class view for real (issue 16): 30 plain Unix users of the test cluster, each running the shared
install, submit a short exercise-1 array, wait, run `hptune-tui check 01` (which publishes to the class
folder the course config names); the teacher's view shows all 30 with the figures of their own runs.
One learner tries to overwrite another's summary and cannot; hostile files in the folder are skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.waiting import poll
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = int(os.environ.get("CLASS_TEST_LEARNERS", "30"))  # fewer only to debug the test itself
FINISHED = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL"}

ATTACK = """
import json, os, sys
from pathlib import Path
from tui.classroom.publish import PublishError, write_summary
folder, victim = Path(sys.argv[1]), sys.argv[2]
target, done = folder / f"{victim}.json", {}
try:
    write_summary(folder, victim, {"version": 1, "user": victim})
    done["write_summary"] = "succeeded"
except PublishError as exc:
    done["write_summary"] = str(exc)
tmp = folder / ".mine.tmp"
tmp.write_text("{}")
for name, attempt in (("rename", lambda: os.replace(tmp, target)), ("open", lambda: open(target, "w").close()),
                      ("unlink", lambda: target.unlink())):
    try:
        attempt()
        done[name] = "succeeded"
    except OSError as exc:
        done[name] = exc.strerror
tmp.unlink(missing_ok=True)
(folder / "ghost.json").write_text(json.dumps({"version": 1, "user": "ghost", "updated": 1}))  # a squatted name
print(json.dumps(done))
"""


def job_script() -> str:
    """The reference job script, made short: one task of 2 epochs (30 learners' tasks share 2 cores: about
    3 s of CPU each, mostly importing torch and scikit-learn)."""
    text = (ROOT / "solutions" / "01_random_search" / "job.sh").read_text()
    return text.replace("--array=0-31%8", "--array=0-0").replace("--epochs 20", "--epochs 2")


def give(path: Path, text: str, user: str) -> None:
    path.write_text(text)
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def best_of(workspace: Path) -> float:
    """What the learner's run found, read by the test itself (not through the summary)."""
    from tui.results.table import TrialTable
    from tui.results.tailer import RunTailer
    from tui.workflows.results import pick_run

    tailer = RunTailer(pick_run(workspace / "01_random_search").run_dir)
    tailer.refresh()
    return TrialTable(tailer).best()["val_acc"]


def learner_env(slurm_cluster, site: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "SLURM_CONF": slurm_cluster.env["SLURM_CONF"], "HPTUNE_SITE_CONFIG": str(site)}


def submit(learner, app: Path, env: dict[str, str]) -> str:
    """init, the short script and the reference sampler, submit: the job id."""
    workspace = learner.home / "hptune-course"
    done = learner.run([str(app), "init", str(workspace)], env)
    assert done.returncode == 0, done.stderr
    folder = workspace / "01_random_search"
    give(folder / "job.sh", job_script(), learner.name)
    give(folder / "sample.py", (ROOT / "solutions" / "01_random_search" / "sample.py").read_text(), learner.name)
    done = learner.run([str(app), "submit", "job.sh"], env, cwd=folder)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def all_finished(slurm_cluster, job_ids: list[str]) -> bool:
    done = slurm_cluster.run("sacct", "-X", "-n", "-P", "-j", ",".join(job_ids), "--format=JobID,State")
    states = [line.split("|")[1].split()[0] for line in done.stdout.splitlines() if "|" in line]
    return len(states) >= len(job_ids) and all(s in FINISHED for s in states)


@pytest.fixture
def class_folder():
    """The teacher's folder, as the README sets it up: sticky, writable (not listable) by the class."""
    parent = Path(tempfile.mkdtemp(prefix="hptune-class-"))
    parent.chmod(0o755)
    folder = parent / "class"
    folder.mkdir()
    folder.chmod(0o1733)
    site = parent / "config.toml"
    site.write_text(f'class_dir = "{folder}"\n')
    site.chmod(0o644)
    yield folder, site
    shutil.rmtree(parent, ignore_errors=True)


@pytest.mark.slurm
@pytest.mark.timeout(600)  # about 170 s on a busy 2-core machine: 30 tasks, 30 checks, 60 app starts
def test_thirty_learners_publish_and_the_teacher_sees_them_all(slurm_cluster, shared_install, class_learners,
                                                                class_folder, capsys):
    folder, site = class_folder
    env = learner_env(slurm_cluster, site)
    learners = [class_learners.add() for _ in range(LEARNERS)]  # add() is not thread-safe
    with ThreadPoolExecutor(4) as pool:
        job_ids = list(pool.map(lambda learner: submit(learner, shared_install.app, env), learners))
    assert poll(lambda: all_finished(slurm_cluster, job_ids), 240, step=2), slurm_cluster.run(
        "sacct", "-X", "-n", "-P", "-j", ",".join(job_ids), "--format=JobID,State,Elapsed,Reason").stdout[-3000:]

    def check(learner):
        return learner.run([str(shared_install.app), "check", "01"], env,
                           cwd=learner.home / "hptune-course" / "01_random_search")

    with ThreadPoolExecutor(4) as pool:
        checks = list(pool.map(check, learners))
    assert all(c.returncode == 1 and "note:" not in c.stderr for c in checks), [c.stderr for c in checks][:3]
    for learner in learners:
        assert (folder / f"{learner.name}.json").stat().st_uid == pwd.getpwnam(learner.name).pw_uid

    victim, attacker = learners[0], learners[1]
    before = hashlib.sha256((folder / f"{victim.name}.json").read_bytes()).hexdigest()
    done = attacker.run([str(shared_install.python), "-c", ATTACK, str(folder), victim.name], env)
    assert done.returncode == 0, done.stderr
    tried = json.loads(done.stdout)
    assert "not your own file" in tried["write_summary"] and "succeeded" not in tried.values(), tried
    assert hashlib.sha256((folder / f"{victim.name}.json").read_bytes()).hexdigest() == before

    assert main(["class", str(folder), "--json"]) == 0
    seen = json.loads(capsys.readouterr().out)
    rows = {row["user"]: row for row in seen["learners"]}
    assert sorted(rows) == sorted(learner.name for learner in learners)
    for learner in learners:
        row = rows[learner.name]
        assert row["best"]["01"] == round(best_of(learner.home / "hptune-course"), 4), learner.name
        assert row["stuck"]["exercise"] == "01" and row["stuck"]["check"].startswith("results."), row
    assert seen["methods"][0]["learners"] == LEARNERS
    assert seen["notes"] == [f"ghost.json: owned by {attacker.name}, not by ghost, skipped"]

    out = Path(tempfile.mkdtemp()) / "class.svg"
    assert main(["export", f"class:{folder}", "--size", "80x24", "-o", str(out)]) == 0
    assert f"{LEARNERS}\xa0learners" in out.read_text().replace("&#160;", "\xa0")
    shutil.rmtree(out.parent)
    capsys.readouterr()  # export printed the SVG's path

    # Hostile summaries, each in a learner's own file (so that only its content is wrong) or beside them.
    spoiled = {learners[2].name: "not valid JSON", learners[3].name: "over the",
               learners[4].name: "user: names '../../etc/passwd'"}
    learners[2].run(["sh", "-c", f"printf '{{not json' > {folder}/{learners[2].name}.json"], env)
    learners[3].run(["truncate", "-s", "100M", f"{folder}/{learners[3].name}.json"], env)
    learners[4].run(["sh", "-c", f"echo '{{\"version\": 1, \"user\": \"../../etc/passwd\"}}' "
                                 f"> {folder}/{learners[4].name}.json"], env)
    (folder / "link.json").symlink_to(folder / f"{victim.name}.json")
    (folder / "\x1b[2Jclear.json").write_text("{}")  # a terminal escape in a name: shown escaped
    assert main(["class", str(folder), "--json"]) == 0
    seen = json.loads(capsys.readouterr().out)
    assert sorted(row["user"] for row in seen["learners"]) == sorted(
        learner.name for learner in learners if learner.name not in spoiled)
    notes = "\n".join(seen["notes"])
    for name, why in {**spoiled, "link": "a symbolic link", "\\x1b[2Jclear": "not a <user>.json name"}.items():
        assert f"{name}.json: " in notes and why in notes.split(f"{name}.json: ")[1].splitlines()[0], notes
    assert "\x1b" not in notes
