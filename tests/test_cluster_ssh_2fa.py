"""Keyboard-interactive (two-factor) logins, against a small in-process paramiko server
(the test sshd allows keys only)."""

from __future__ import annotations

import socket
import threading
import time

import paramiko
import pytest

from tui.cluster.ssh import SshBackend
from tui.cluster.ssh_target import AuthFailed

CODE = "123456"


class TwoFactorServer(paramiko.ServerInterface):
    def get_allowed_auths(self, username):
        return "keyboard-interactive"

    def check_auth_interactive(self, username, submethods):
        query = paramiko.InteractiveQuery("Duo", "enter your code")
        query.add_prompt("Verification code: ", echo=False)
        return query

    def check_auth_interactive_response(self, responses):
        return paramiko.AUTH_SUCCESSFUL if list(responses) == [CODE] else paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel, command):
        def reply():  # after paramiko has answered the exec request (it does so once we return)
            time.sleep(0.1)
            channel.sendall(b"ran: " + command)
            channel.send_exit_status(0)
            channel.close()
        threading.Thread(target=reply, daemon=True).start()
        return True


@pytest.fixture
def server(tmp_path):
    host_key = paramiko.RSAKey.generate(2048)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    transports = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(host_key)
            transports.append(transport)
            try:
                transport.start_server(server=TwoFactorServer())
            except (paramiko.SSHException, EOFError, OSError):
                continue  # a client that went away early

    threading.Thread(target=serve, daemon=True).start()
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_key.get_name()} {host_key.get_base64()}\n")
    yield port, known
    listener.close()
    for transport in transports:
        transport.close()


def test_two_factor_prompt_is_answered_by_the_handler(server, tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    port, known = server
    asked = []

    def handler(title, instructions, prompts):
        asked.append((title, instructions, list(prompts)))
        return [CODE]

    backend = SshBackend(f"learner@127.0.0.1:{port}", ssh_config=tmp_path / "none", known_hosts=known,
                         interactive=handler)
    assert backend.run(["squeue", "-h"], None, 10) == (0, "ran: squeue -h", "")
    assert asked == [("Duo", "enter your code", [("Verification code: ", False)])]
    assert CODE not in repr(vars(backend.conn)), "the code must not be kept"
    backend.close()


def test_without_a_handler_or_with_a_wrong_code_login_fails_clearly(server, tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    port, known = server
    for handler in (None, lambda title, instructions, prompts: ["000000"]):
        backend = SshBackend(f"learner@127.0.0.1:{port}", ssh_config=tmp_path / "none", known_hosts=known,
                             interactive=handler)
        with pytest.raises(AuthFailed, match="permission denied"):
            backend.run(["true"], None, 10)
