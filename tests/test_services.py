"""Smoke tests of the real services the suite starts: the SLURM cluster and the sshd."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.services import fixtures
from tests.waiting import poll as _wait_for

ARRAY_SCRIPT = """\
#!/bin/bash
#SBATCH -J smoke
#SBATCH -a 0-3
#SBATCH -A course
#SBATCH -o {out}/%x-%A_%a.out
#SBATCH -t 00:01:00
echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID"
"""


def _sacct_states(cluster, job_id: str) -> dict[str, str]:
    done = cluster.run("sacct", "-X", "--parsable2", "-n", "-j", job_id, "--format=JobID,State")
    assert done.returncode == 0, done.stderr
    return dict(line.split("|")[:2] for line in done.stdout.splitlines() if "|" in line)


@pytest.mark.slurm
def test_array_of_four_completes_in_sacct(slurm_cluster, tmp_path):
    script = tmp_path / "array.sh"
    script.write_text(ARRAY_SCRIPT.format(out=tmp_path / "logs"))
    (tmp_path / "logs").mkdir()
    done = slurm_cluster.run("sbatch", "--parsable", str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip().split(";")[0]

    def all_completed():
        states = _sacct_states(slurm_cluster, job_id)
        return states if len(states) == 4 and set(states.values()) == {"COMPLETED"} else None

    states = _wait_for(all_completed, 90)
    assert states, f"sacct shows {_sacct_states(slurm_cluster, job_id)}\n{slurm_cluster.logs()}"
    assert sorted(states) == [f"{job_id}_{i}" for i in range(4)]
    for i in range(4):
        assert (tmp_path / "logs" / f"smoke-{job_id}_{i}.out").read_text() == f"task {i} of {job_id}\n"


@pytest.mark.slurm
def test_test_only_prints_an_estimated_start(slurm_cluster, tmp_path):
    script = tmp_path / "one.sh"
    script.write_text("#!/bin/bash\n#SBATCH -A course\nhostname\n")
    done = slurm_cluster.run("sbatch", "--test-only", str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "to start at" in done.stderr and "partition debug" in done.stderr


@pytest.mark.slurm
def test_unknown_account_is_refused(slurm_cluster, tmp_path):
    script = tmp_path / "one.sh"
    script.write_text("#!/bin/bash\nhostname\n")
    done = slurm_cluster.run("sbatch", "-A", "nosuch", str(script), cwd=tmp_path)
    assert done.returncode != 0
    assert "Invalid account" in done.stderr


@pytest.mark.slurm
def test_time_over_the_partition_limit_is_refused(slurm_cluster, tmp_path):
    script = tmp_path / "one.sh"
    script.write_text("#!/bin/bash\nhostname\n")
    done = slurm_cluster.run("sbatch", "-p", "short", "-t", "00:10:00", str(script), cwd=tmp_path)
    assert done.returncode != 0
    assert "time limit" in done.stderr.lower()


@pytest.mark.slurm
def test_controller_outage_and_return(slurm_cluster, tmp_path):
    script = tmp_path / "held.sh"
    script.write_text("#!/bin/bash\n#SBATCH -A course\nhostname\n")
    done = slurm_cluster.run("sbatch", "--parsable", "--hold", str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip()
    slurm_cluster.stop_controller()
    try:
        # scontrol ping answers at once; squeue would retry for about MessageTimeout first.
        down = slurm_cluster.run("scontrol", "ping")
        assert down.returncode != 0 and "DOWN" in down.stdout
    finally:
        slurm_cluster.start_controller()
    back = slurm_cluster.run("squeue", "-h", "-j", job_id, "-o", "%i %T")
    assert back.returncode == 0 and back.stdout.split() == [job_id, "PENDING"]
    slurm_cluster.run("scancel", job_id)
    slurm_cluster.wait_ready()


def _paramiko_client(server):
    import paramiko

    client = paramiko.SSHClient()
    client.load_host_keys(str(server.known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(server.host, port=server.port, username=server.user, key_filename=str(server.key_path),
                   look_for_keys=False, allow_agent=False, timeout=10)
    return client


def _echo_ok(client) -> str:
    _, stdout, _ = client.exec_command("echo ok", timeout=10)
    return stdout.read().decode().strip()


@pytest.mark.sshd
def test_paramiko_logs_in_with_the_key_and_checks_the_host_key(sshd_server):
    client = _paramiko_client(sshd_server)
    try:
        assert _echo_ok(client) == "ok"
    finally:
        client.close()


@pytest.mark.sshd
def test_an_unknown_host_key_is_rejected(sshd_server, tmp_path):
    import paramiko

    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())  # no known_hosts loaded
    with pytest.raises(paramiko.SSHException):
        client.connect(sshd_server.host, port=sshd_server.port, username="root",
                       key_filename=str(sshd_server.key_path), look_for_keys=False, allow_agent=False, timeout=10)
    client.close()


@pytest.mark.sshd
def test_stopping_drops_the_connection_and_start_restores_it(sshd_server):
    import paramiko

    client = _paramiko_client(sshd_server)
    sshd_server.stop()
    try:
        with pytest.raises((paramiko.SSHException, EOFError, OSError)):
            _echo_ok(client)
        with pytest.raises((paramiko.SSHException, OSError)):
            _paramiko_client(sshd_server)
    finally:
        client.close()
        sshd_server.start()
    again = _paramiko_client(sshd_server)
    try:
        assert _echo_ok(again) == "ok"
    finally:
        again.close()


@pytest.mark.sshd
@pytest.mark.skipif(shutil.which("ssh") is None, reason="no OpenSSH client")
def test_openssh_client_uses_the_alias(sshd_server):
    done = subprocess.run(sshd_server.ssh_argv("echo", "ok"), capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.mark.slurm
@pytest.mark.sshd
def test_sshd_slurm_sessions_see_the_test_cluster(sshd_slurm):
    client = _paramiko_client(sshd_slurm)
    try:
        _, stdout, _ = client.exec_command("sinfo -h -o %P", timeout=30)
        assert stdout.read().decode().split() == ["debug*", "short"]
    finally:
        client.close()


def test_a_missing_service_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(fixtures.os, "geteuid", lambda: 0)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs nothing-here"):
        fixtures.require("demo", lambda: ["nothing-here"])
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true and .*needs nothing-here"):
        fixtures.require("demo", lambda: ["nothing-here"])


def test_not_root_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(fixtures.os, "geteuid", lambda: 1000)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="needs root"):
        fixtures.require("demo", lambda: [])
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="needs root"):
        fixtures.require("demo", lambda: [])
