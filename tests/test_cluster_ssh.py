"""The ssh backend's connection: targets, host keys, keys, refusals and reconnects (real sshd)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import pytest

from tui.cluster.poller import Poller
from tui.cluster.ssh import SshBackend
from tui.cluster.ssh_target import (AuthFailed, ConnectFailed, HostKeyMismatch, SshError, UnknownHostKey,
                                    add_known_host, resolve_target, split_target)

CONFIG = """\
Host login
    HostName login.example.org
    User learner
    Port 2222
    IdentityFile ~/.ssh/course_key
    ProxyJump gateway
    UserKnownHostsFile /tmp/kh
Host *
    User fallback
"""


def test_resolve_target_applies_the_ssh_config(tmp_path):
    config = tmp_path / "config"
    config.write_text(CONFIG)
    t = resolve_target("login", config)
    assert (t.hostname, t.port, t.user, t.proxy_jump) == ("login.example.org", 2222, "learner", "gateway")
    assert t.identity_files[0].name == "course_key" and str(t.known_hosts) == "/tmp/kh"
    t = resolve_target("me@other:2200", config)
    assert (t.hostname, t.port, t.user, t.proxy_jump) == ("other", 2200, "me", "")


@pytest.mark.parametrize("text, parts", [("h", ("", "h", None)), ("u@h", ("u", "h", None)),
                                         ("u@h:22", ("u", "h", 22)), ("[::1]:2022", ("", "::1", 2022))])
def test_split_target(text, parts):
    assert split_target(text) == parts


@pytest.mark.parametrize("text", ["u@", "u@h:port", ""])
def test_bad_targets_are_clear_errors(text):
    with pytest.raises(SshError):
        split_target(text)


def ssh_backend(server, tmp_path, known_hosts=None, key=None):
    """A backend that reaches `server` with a config of our own (key and known_hosts may differ)."""
    config = tmp_path / "ssh_config"
    config.write_text(f"Host t\n  HostName {server.host}\n  Port {server.port}\n  User {server.user}\n"
                      f"  IdentityFile {key or server.key_path}\n"
                      f"  UserKnownHostsFile {known_hosts or server.known_hosts}\n")
    return SshBackend("t", ssh_config=config)


@pytest.fixture
def no_agent(monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.mark.sshd
def test_runs_commands_and_files_over_sftp(sshd_server, tmp_path, no_agent):
    backend = ssh_backend(sshd_server, tmp_path)
    try:
        assert backend.run(["echo", "a b", "$HOME"], None, 10) == (0, "a b $HOME\n", "")
        assert backend.run(["pwd"], str(tmp_path), 10)[1].strip() == str(tmp_path)
        local = tmp_path / "up.txt"
        local.write_text("hello")
        remote = backend.put(local, str(tmp_path / "remote" / "up.txt"))
        assert backend.read_file(remote, offset=1) == b"ello"
        backend.get(remote, tmp_path / "back" / "up.txt")
        assert (tmp_path / "back" / "up.txt").read_text() == "hello"
    finally:
        backend.close()


@pytest.mark.sshd
def test_unknown_host_is_rejected_with_its_fingerprint_until_accepted(sshd_server, tmp_path, no_agent):
    known = tmp_path / "known_hosts"
    backend = ssh_backend(sshd_server, tmp_path, known_hosts=known)
    with pytest.raises(UnknownHostKey) as info:
        backend.run(["true"], None, 10)
    expected = subprocess.run(["ssh-keygen", "-lf", str(sshd_server.host_key_path) + ".pub"], capture_output=True,
                              text=True).stdout.split()[1]
    assert info.value.fingerprint == expected and expected in str(info.value)
    assert not known.exists(), "an unknown key must never be added silently"
    add_known_host(known, info.value.hostname, info.value.port, info.value.key)  # the learner said yes
    assert backend.run(["true"], None, 10)[0] == 0
    backend.close()


@pytest.mark.sshd
def test_changed_host_key_is_refused(sshd_server, tmp_path, no_agent):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    other = (tmp_path / "other.pub").read_text().split()
    known = tmp_path / "known_hosts"
    known.write_text(f"[{sshd_server.host}]:{sshd_server.port} {other[0]} {other[1]}\n")
    with pytest.raises(HostKeyMismatch, match="CHANGED") as info:
        ssh_backend(sshd_server, tmp_path, known_hosts=known).run(["true"], None, 10)
    assert str(known) in info.value.hint
    assert known.read_text().count("\n") == 1


@pytest.mark.sshd
def test_wrong_key_is_a_clear_auth_error(sshd_server, tmp_path, no_agent):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "wrong")], check=True)
    with pytest.raises(AuthFailed, match="permission denied"):
        ssh_backend(sshd_server, tmp_path, key=tmp_path / "wrong").run(["true"], None, 10)


def test_refused_port_is_a_connect_error(tmp_path, no_agent):
    from tests.services.procs import free_ports

    port = free_ports(1)[0]
    backend = SshBackend(f"root@127.0.0.1:{port}", ssh_config=tmp_path / "none", known_hosts=tmp_path / "kh")
    with pytest.raises(ConnectFailed, match="cannot connect"):
        backend.run(["true"], None, 5)
    with pytest.raises(ConnectFailed, match="next try"):  # backs off instead of hammering the host
        backend.run(["true"], None, 5)


@pytest.mark.slurm
@pytest.mark.sshd
def test_sshd_restart_mid_watch_goes_stale_then_reconnects(sshd_slurm, tmp_path, no_agent):
    backend = SshBackend(sshd_slurm.alias, ssh_config=sshd_slurm.ssh_config)
    script = tmp_path / "s.sh"
    script.write_text("#!/bin/bash\n#SBATCH -o /dev/null\nsleep 60\n")
    job_id = backend.submit(script, tmp_path).job_id
    poller = Poller(backend, interval=2)
    poller.watch("test", [job_id])
    try:
        assert not poller.tick().stale
        sshd_slurm.stop()
        snap = poller.tick()
        assert snap.stale and snap.tasks[job_id].state in ("PENDING", "RUNNING")
        sshd_slurm.start()
        deadline = time.monotonic() + 30
        while poller.tick().stale:
            assert time.monotonic() < deadline, poller.snapshot.error
            time.sleep(0.5)
        assert backend.conn.connects == 2
    finally:
        if not sshd_slurm.running:
            sshd_slurm.start()
        backend.cancel(job_id)
        backend.close()


@pytest.mark.sshd
def test_proxy_jump_goes_through_a_direct_tcpip_channel(sshd_server, tmp_path, no_agent):
    s = sshd_server
    config = tmp_path / "ssh_config"
    common = f"  Port {s.port}\n  User {s.user}\n  IdentityFile {s.key_path}\n  UserKnownHostsFile {s.known_hosts}\n"
    config.write_text(f"Host gateway\n  HostName {s.host}\n{common}"
                      f"Host inside\n  HostName localhost\n  ProxyJump gateway\n{common}")
    backend = SshBackend("inside", ssh_config=config)
    try:
        assert backend.run(["echo", "through"], None, 10) == (0, "through\n", "")
        assert backend.conn._jump is not None and backend.conn._jump.connects == 1
    finally:
        backend.close()


@pytest.mark.sshd
def test_at_most_four_channels_at_once(sshd_server, tmp_path, no_agent):
    import threading

    backend = ssh_backend(sshd_server, tmp_path)
    backend.run(["true"], None, 10)
    transport = backend.conn.ensure()
    most, stop = [0], threading.Event()

    def sample():
        while not stop.is_set():
            most[0] = max(most[0], len(transport._channels.values()))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    workers = [threading.Thread(target=backend.run, args=(["sleep", "0.4"], None, 10)) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    sampler.join()
    backend.close()
    assert 2 <= most[0] <= 4


# ---- a stalled server (SIGSTOP: it accepts connections and never answers) ----------------------

@contextlib.contextmanager
def stalled(server):
    """The sshd and its per-connection children stopped with SIGSTOP, resumed on leaving."""
    from tests.services.procs import descendants

    pids = [server.daemon.proc.pid, *descendants(server.daemon.proc.pid)]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@pytest.mark.sshd
@pytest.mark.timeout(120)
def test_the_cli_says_one_line_when_the_server_stalls(sshd_server, tmp_path, no_agent, monkeypatch, capsys):
    from tui.cli import main

    monkeypatch.setenv("HPTUNE_SSH_HOST", sshd_server.alias)
    monkeypatch.setenv("HPTUNE_SSH_CONFIG", str(sshd_server.ssh_config))
    with stalled(sshd_server):
        code = main(["-w", str(tmp_path), "status", "--backend", "ssh", "123"])
        out, err = capsys.readouterr()
        assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert "did not answer within" in err and out == ""
        code = main(["-w", str(tmp_path), "cancel", "--backend", "ssh", "123"])
        out, err = capsys.readouterr()
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err


@pytest.mark.sshd
@pytest.mark.timeout(120)
def test_a_command_on_a_connection_that_stalls_ends_at_its_deadline(sshd_server, tmp_path, no_agent):
    backend = ssh_backend(sshd_server, tmp_path)
    try:
        assert backend.run(["true"], None, 10)[0] == 0
        with stalled(sshd_server):
            with pytest.raises(ConnectFailed):
                backend.run(["true"], None, 3)
            with pytest.raises(SshError):
                backend.read_file(tmp_path / "log.out")
        assert _eventually(lambda: backend.run(["echo", "back"], None, 10)[1] == "back\n")
    finally:
        backend.close()


def _eventually(check, timeout: float = 60):
    from tests.waiting import poll

    def attempt():
        try:
            return check()
        except SshError:
            return False

    return poll(attempt, timeout, 1.0)


@pytest.mark.slurm
@pytest.mark.sshd
@pytest.mark.timeout(240)
async def test_the_jobs_screen_goes_stale_while_sshd_stalls_and_recovers_by_itself(sshd_slurm, tmp_path, no_agent):
    from tests.waiting import pilot_wait
    from tui.app import make_app
    from tui.cluster.tracking import record_submission
    from tui.course.workspace import init_workspace
    from tui.settings import Settings

    ws = tmp_path / "ws"
    init_workspace(ws)
    run_dir = ws / "01_random_search" / "runs" / "r1"
    run_dir.mkdir(parents=True)
    (run_dir / "job.sh").write_text(f"#!/bin/bash\n#SBATCH -o {run_dir}/out.log\necho started\nsleep 120\n")
    backend = SshBackend(sshd_slurm.alias, ssh_config=sshd_slurm.ssh_config)
    job_id = backend.submit(run_dir / "job.sh", run_dir).job_id
    record_submission(run_dir, "ssh", job_id, host=sshd_slurm.alias)
    settings = Settings(workspace=ws, backend="ssh", ssh_host=sshd_slurm.alias, poll_interval=2,
                        ssh_config=str(sshd_slurm.ssh_config))
    app = make_app(settings, start_screen="jobs", resume=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            status = app.screen.query_one("#jobs-status")
            grid = app.screen.query_one("#jobs-grid")
            await pilot_wait(pilot, lambda: [s for _, s in grid.tasks] == ["RUNNING"], "the running job", 300)
            with stalled(sshd_slurm):
                await pilot_wait(pilot, lambda: "not answering" in str(status.content), "the stale notice", 600)
                assert [s for _, s in grid.tasks] == ["RUNNING"]  # the last known state, marked stale
            await pilot_wait(pilot, lambda: "not answering" not in str(status.content), "the recovery", 900)
            assert "1 jobs" in str(status.content)
    finally:
        backend.cancel(job_id)
        backend.close()
