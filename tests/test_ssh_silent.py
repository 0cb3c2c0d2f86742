"""A server that accepts the connection and never speaks gets one message, whichever deadline ends first.

paramiko's reader thread gives up on the banner at the same deadline as start_client's wait;
under load either ends first. Both are the same stalled server (CI saw the other message once).
"""

from __future__ import annotations

import socket

import paramiko
import pytest

from tui.cluster.ssh_conn import SshConnection
from tui.cluster.ssh_target import ConnectFailed, resolve_target


@pytest.fixture
def silent_port():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield listener.getsockname()[1]
    listener.close()


def connection(port: int, tmp_path) -> SshConnection:
    (tmp_path / "config").write_text("")
    target = resolve_target(f"learner@127.0.0.1:{port}", tmp_path / "config", tmp_path / "known_hosts")
    return SshConnection(target, timeout=1.0)


def test_a_server_that_never_sends_its_banner_did_not_answer(silent_port, tmp_path):
    with pytest.raises(ConnectFailed, match="accepted the connection but did not answer within 1 s"):
        connection(silent_port, tmp_path).ensure()


def test_paramikos_banner_timeout_is_read_as_the_same_silent_server(silent_port, tmp_path, monkeypatch):
    def start_client(self, event=None, timeout=None):  # the reader's deadline ended first
        try:
            raise TimeoutError()
        except TimeoutError:
            raise paramiko.SSHException("Error reading SSH protocol banner") from None

    monkeypatch.setattr(paramiko.Transport, "start_client", start_client)
    with pytest.raises(ConnectFailed, match="accepted the connection but did not answer within 1 s"):
        connection(silent_port, tmp_path).ensure()
