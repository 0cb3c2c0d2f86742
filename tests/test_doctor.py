"""`hptune-tui doctor`: the report with no SLURM, with broken SLURM commands, and on the real cluster."""

from __future__ import annotations

import json

import pytest

from tui.cli import main
from tui.cluster import discovery


@pytest.fixture
def bare_path(tmp_path, monkeypatch):
    """A PATH holding only what the test puts in it (no sinfo, sbatch or hq)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_without_slurm_it_says_the_local_runner_will_be_used(bare_path, workspace, capsys):
    assert main(["-w", str(workspace), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "no SLURM found" in out and "Backend      local runner" in out
    assert discovery.load_cached(workspace).scheduler == "none"


def test_broken_slurm_commands_show_their_error_not_a_traceback(bare_path, workspace, capsys):
    sinfo = bare_path / "sinfo"
    sinfo.write_text("#!/bin/sh\necho 'sinfo: fatal: Could not establish a configuration source' >&2\nexit 1\n")
    sinfo.chmod(0o755)
    assert main(["-w", str(workspace), "doctor"]) == 1
    captured = capsys.readouterr()
    assert "`sinfo --version` failed (exit 1): sinfo: fatal: Could not establish a configuration source" in captured.out
    assert "local runner" in captured.out and "Traceback" not in captured.out + captured.err


def test_cached_shows_the_saved_findings_without_asking(bare_path, workspace, capsys):
    saved = discovery.ClusterInfo(scheduler="slurm", version="23.02.1", accounts=["proj1"],
                                  partitions=[discovery.Partition(name="gpu", default=True, time_limit="1-00:00:00",
                                                                  nodes=2, gpu_types=["a100"])])
    discovery.save_cache(workspace, saved)
    assert main(["-w", str(workspace), "doctor", "--cached"]) == 0
    out = capsys.readouterr().out
    assert "SLURM 23.02.1" in out and "proj1" in out and "GPUs: a100" in out


def test_json_has_the_backend(bare_path, workspace, capsys):
    assert main(["-w", str(workspace), "--host", "login1", "doctor", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scheduler"] == "none" and data["ssh_target"] == "login1" and data["backend"] == "SSH to login1"


@pytest.mark.slurm
def test_doctor_on_the_real_cluster(slurm_cluster, workspace, monkeypatch, capsys):
    monkeypatch.setenv("SLURM_CONF", str(slurm_cluster.conf))
    assert main(["-w", str(workspace), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "Backend      SLURM on this host" in out
    assert "course" in out and "short" in out and "time limit 5:00" in out
    assert f"MaxArraySize {slurm_cluster.max_array_size}" in out
    assert main(["-w", str(workspace), "doctor", "--json", "--cached"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in data["partitions"]] == ["debug", "short"]
