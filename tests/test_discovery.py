"""Cluster discovery: the parsers, failures recorded instead of raised, the cache, and a real cluster."""

from __future__ import annotations

import functools
import json

import pytest

from tui.cluster import discovery
from tui.cluster.discovery import ClusterInfo, Partition

SINFO_ROWS = """\
gpu|up|2-00:00:00|3|32|gpu:a100:4(S:0-1)|256000
gpu|up|2-00:00:00|1|32|gpu:v100:2,tmpdisk:100|128000
cpu*|up|1-00:00:00|10|64|(null)|192000
devel|down|15:00|1|8|gpu:2|64000
"""

PROJINFO = """\
(Counting the number of core hours used since 2026-11-01/00:00:00 until now.)

Project             Used[h]      Current allocation [h/month]
   User
-----------------------------------------------------
naiss2026-22-101     1234.56              10000
   alice               12.30
naiss2026-5-7           0.00               2000
   alice                0.00
"""


@pytest.mark.parametrize("text,seconds", [
    ("infinite", None), ("UNLIMITED", None), ("", None), ("5:00", 300), ("15", 900), ("1:02:03", 3723),
    ("2-00:00:00", 172800), ("1-12", 129600), ("1-02:30", 95400), ("abc", None),
])
def test_time_limits_in_seconds(text, seconds):
    assert discovery.time_limit_seconds(text) == seconds


def test_gres_items_and_gpu_types():
    assert discovery.parse_gres("gpu:a100:4(S:0-1),gpu:v100:2") == (["gpu:a100:4", "gpu:v100:2"], ["a100", "v100"])
    assert discovery.parse_gres("gpu:2") == (["gpu:2"], ["gpu"])
    assert discovery.parse_gres("(null)") == ([], [])


def test_partition_rows_are_merged_per_partition():
    parts = {p.name: p for p in discovery.parse_partitions(SINFO_ROWS + "garbage line\n")}
    assert list(parts) == ["gpu", "cpu", "devel"]
    assert parts["gpu"].nodes == 4 and parts["gpu"].gpu_types == ["a100", "v100"]
    assert "tmpdisk:100" in parts["gpu"].gres and parts["gpu"].max_seconds == 172800
    assert parts["cpu"].default and not parts["gpu"].default and parts["cpu"].gpu_types == []
    assert parts["devel"].available == "down" and parts["devel"].max_seconds == 900


def test_projinfo_projects():
    assert discovery.parse_projinfo(PROJINFO) == ["naiss2026-22-101", "naiss2026-5-7"]
    assert discovery.parse_projinfo("no table here\n") == []


@pytest.mark.parametrize("text,version", [("slurm 23.11.4\n", "23.11.4"), ("slurm-wlm 22.05.8\n", "22.05.8"),
                                          ("PBSPro 19\n", "")])
def test_versions(text, version):
    assert discovery.parse_version(text)[1] == version


def test_config_values():
    values = discovery.parse_config("Configuration data as of x\nMaxArraySize            = 1001\n"
                                    "MaxJobCount             = 10000\nSlurmctldHost[0]        = localhost\n")
    assert values["MaxArraySize"] == "1001" and values["MaxJobCount"] == "10000"


def fake_run(answers: dict[str, tuple[int, str, str]]):
    """A run() that answers by the command's first word(s); unknown commands are 'not found'."""
    def run(argv):
        for key in (" ".join(argv[:2]), argv[0]):
            if key in answers:
                return answers[key]
        return 127, "", f"{argv[0]}: command not found"
    return run


def test_no_sinfo_means_no_scheduler_and_no_errors():
    info = discovery.discover(fake_run({}), ssh_target="login1")
    assert info.scheduler == "none" and not info.has_slurm and info.errors == []
    assert info.ssh_target == "login1" and info.partitions == []


def test_failing_commands_are_recorded_and_the_rest_still_parsed():
    run = fake_run({
        "sinfo --version": (0, "slurm 23.11.4\n", ""),
        "sinfo -h": (0, SINFO_ROWS, ""),
        "sacctmgr": (1, "", "sacctmgr: error: Problem talking to the database: Connection refused\n"),
        "scontrol": (1, "", "slurm_load_ctl_conf error: Unable to contact slurm controller (connect failure)\n"),
        "projinfo": (0, PROJINFO, ""),
    })
    info = discovery.discover(run, user="alice")
    assert info.version == "23.11.4" and info.default_partition == "cpu"
    assert info.accounts == ["naiss2026-22-101", "naiss2026-5-7"] and info.account_source == "projinfo"
    assert info.max_array_size is None
    assert len(info.errors) == 1 and "scontrol show config" in info.errors[0]
    assert "Unable to contact slurm controller" in info.errors[0]


def test_accounts_failure_without_projinfo_is_reported():
    run = fake_run({"sinfo --version": (0, "slurm 22.05.8\n", ""), "sinfo -h": (0, "", ""),
                    "sacctmgr": (1, "", "sacctmgr: error: accounting storage is disabled\n"),
                    "scontrol": (0, "MaxArraySize = 5\n", "")})
    info = discovery.discover(run, user="bob")
    assert info.accounts == [] and info.max_array_size == 5
    assert any("accounting storage is disabled" in e for e in info.errors)


def test_cache_round_trip_and_refresh(tmp_path):
    info = ClusterInfo(scheduler="slurm", version="22.05.8", accounts=["course"],
                       partitions=[Partition(name="debug", default=True, gpu_types=["a100"])], discovered_at=1.0)
    assert discovery.save_cache(tmp_path / "missing", info) is None
    path = discovery.save_cache(tmp_path, info)
    assert path == tmp_path / ".hptune" / "cluster.json"
    assert discovery.load_cached(tmp_path) == info
    # Old (discovered_at=1.0), so cluster_info asks again; the new answer replaces the cache.
    fresh = discovery.cluster_info(tmp_path, run=fake_run({}))
    assert fresh.scheduler == "none" and discovery.load_cached(tmp_path).scheduler == "none"
    assert discovery.cluster_info(tmp_path, run=None) == fresh  # fresh enough: `run` is not called


def test_a_broken_cache_is_ignored(tmp_path):
    (tmp_path / ".hptune").mkdir()
    (tmp_path / ".hptune" / "cluster.json").write_text("{not json")
    assert discovery.load_cached(tmp_path) is None
    (tmp_path / ".hptune" / "cluster.json").write_text(json.dumps({"partitions": [{"nope": 1}]}))
    assert discovery.load_cached(tmp_path) is None


def test_local_run_reports_missing_programs():
    code, _, err = discovery.local_run(["hptune-no-such-program"])
    assert code == 127 and "command not found" in err


@pytest.mark.slurm
def test_discovery_on_the_real_cluster(slurm_cluster):
    info = discovery.discover(functools.partial(discovery.local_run, env=slurm_cluster.env))
    assert info.errors == []
    expected = slurm_cluster.run("sinfo", "--version").stdout.split()[-1]
    assert info.has_slurm and info.version == expected
    assert "course" in info.accounts and info.account_source == "sacctmgr"
    parts = {p.name: p for p in info.partitions}
    assert set(parts) == {"debug", "short"} and info.default_partition == "debug"
    assert parts["debug"].max_seconds is None and parts["short"].max_seconds == 300
    assert parts["debug"].nodes == 1 and parts["short"].gpu_types == []
    assert info.max_array_size == slurm_cluster.max_array_size
    assert info.max_job_count == slurm_cluster.max_job_count
