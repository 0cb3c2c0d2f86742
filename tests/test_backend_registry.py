"""One backend registry: a backend registered once (tests/fake_backend.py plus one `register` call)
is a choice of every --backend, a setting, a job id `status` and `cancel` accept, a line of
`doctor`, and the app's status line."""

from __future__ import annotations

import json

import pytest

from tests import fake_backend
from tests.apphelpers import app_for
from tui.cli import build_parser, main
from tui.cluster import registry
from tui.cluster.factory import describe, make_backend
from tui.settings import Settings, load_settings


@pytest.fixture
def pbs():
    registry.register(fake_backend.INFO)
    yield fake_backend.INFO
    registry.unregister("pbs")


def test_every_backend_option_offers_the_registered_backend(pbs):
    parser = build_parser()
    assert parser.parse_args(["--backend", "pbs", "status"]).backend == "pbs"
    for command in (["submit", "job.sh"], ["status"], ["cancel", "1.pbs"]):
        assert parser.parse_args([*command, "--backend", "pbs"]).backend == "pbs"


def test_without_registering_it_is_refused(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--backend", "pbs", "status"])
    assert "invalid choice: 'pbs'" in capsys.readouterr().err


def test_the_settings_accept_it(pbs, tmp_path):
    settings = load_settings(env={"HPTUNE_BACKEND": "pbs"}, workspace=tmp_path)
    assert settings.backend == "pbs" and settings.problems == []
    assert load_settings(env={"HPTUNE_BACKEND": "qsub"}, workspace=tmp_path).problems


def test_the_factory_makes_it_and_names_it(pbs, tmp_path):
    settings = Settings(workspace=tmp_path, backend="pbs")
    assert isinstance(make_backend(settings), fake_backend.FakePbsBackend)
    assert describe(settings) == "PBS on this host"


def test_submit_then_status_and_cancel_through_the_cli(pbs, workspace, capsys):
    script = workspace / "job.sh"
    script.write_text("#!/bin/bash\necho hi\n")
    assert main(["-w", str(workspace), "submit", str(script), "--backend", "pbs"]) == 0
    assert capsys.readouterr().out.strip() == "1.pbs"
    assert main(["-w", str(workspace), "--backend", "pbs", "status", "--json"]) == 0
    jobs = json.loads(capsys.readouterr().out)["jobs"]
    assert [(j["job_id"], j["state"]) for j in jobs] == [("1.pbs", "COMPLETED")]
    # the id pattern comes from the registry: "1.pbs" is an id, checked by the backend itself
    assert main(["-w", str(workspace), "cancel", "1.pbs", "--backend", "pbs"]) == 1
    assert "1.pbs already finished" in capsys.readouterr().err


def test_an_id_no_backend_knows_is_refused_before_asking(pbs, workspace, capsys):
    assert main(["-w", str(workspace), "status", "1.sge"]) == 2
    assert "not a job id: 1.sge" in capsys.readouterr().err


def test_doctor_lists_it(pbs, workspace, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(workspace))  # no sinfo: a quick report
    main(["-w", str(workspace), "--backend", "pbs", "doctor"])
    out = capsys.readouterr().out
    assert "  pbs          PBS Pro through qsub (a test's fake)" in out
    assert "Backend      PBS on this host" in out
    main(["-w", str(workspace), "doctor", "--json", "--cached"])
    assert json.loads(capsys.readouterr().out)["backends"]["pbs"] == pbs.description


async def test_the_app_status_line_names_it(pbs, tmp_path):
    app = app_for(tmp_path / "ws")
    app.settings.backend = "pbs"
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "jobs: PBS on this host" in str(app.screen.query_one("#status-bar").render())


def test_the_builtin_backends_and_their_ids():
    assert registry.choices() == ("auto", "local", "slurm", "ssh", "hyperqueue")
    assert registry.get("slurm").job_id.fullmatch("123_4")
    assert registry.get("hyperqueue").job_id.fullmatch("hq7_4")
    assert not registry.get("slurm").job_id.fullmatch("hq7")
    assert [n for n in registry.names() if registry.sbatch_like(n)] == ["local", "slurm", "ssh"]
    with pytest.raises(ValueError):
        registry.register(registry.BackendInfo("auto", "", registry.SLURM_JOB_ID, print, ""))
