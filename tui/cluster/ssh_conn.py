"""One paramiko connection to a login node: host-key check, authentication, commands, SFTP.

Host keys are checked against known_hosts and an unknown one is rejected (UnknownHostKey carries
its fingerprint); a changed one is refused (HostKeyMismatch). Authentication tries the config's
keys, then the agent, then a keyboard-interactive handler (two-factor prompts); passwords are
never stored. A dropped connection is reopened on the next call, with a growing backoff.

Every step has a deadline (`timeout`, 10 s by default): the TCP connect, the banner and key
exchange, each authentication, opening a channel, the command's reply and SFTP reads. A server
that accepts connections but never answers (stopped, overloaded) is a ConnectFailed within the
deadline, never a hang and never paramiko's own exception.
"""

from __future__ import annotations

import shlex
import socket
import threading
import time
from pathlib import Path
from typing import Callable

from tui.cluster.ssh_target import (AuthFailed, ConnectFailed, HostKeyMismatch, SshError, SshTarget,
                                    UnknownHostKey, fingerprint, host_entry, resolve_target)

# handler(title, instructions, [(prompt, echo), ...]) -> [answer, ...], as paramiko's auth_interactive.
INTERACTIVE_AUTH_TIMEOUT_S = 300.0
InteractiveHandler = Callable[[str, str, list], list]
DEFAULT_KEYS = ("id_ed25519", "id_ecdsa", "id_rsa")


def within(timeout: float, chan, call, *args):
    """`call(*args)`, closing `chan` if it has not returned after `timeout` s: paramiko's channel
    requests (exec, subsystem) wait for the server's reply with no timeout of their own, and a
    closed channel ends that wait with an SSHException."""
    watchdog = threading.Timer(timeout, chan.close)
    watchdog.daemon = True
    watchdog.start()
    try:
        return call(*args)
    finally:
        watchdog.cancel()


class SshConnection:
    """A reconnecting SSH connection with at most `max_channels` channels open at once."""

    def __init__(self, target: SshTarget, interactive: InteractiveHandler | None = None, timeout: float = 10.0,
                 keepalive: int = 15, max_channels: int = 4, use_agent: bool = True) -> None:
        self.target, self.interactive, self.timeout = target, interactive, timeout
        self.keepalive, self.use_agent = keepalive, use_agent
        self.channels = threading.BoundedSemaphore(max_channels)
        self._lock = threading.Lock()
        self._sftp_lock = threading.Lock()
        self._transport = None
        self._jump: SshConnection | None = None
        self._sftp = None
        self._backoff = 0.0
        self._retry_at = 0.0
        self.connects = 0  # how many times a connection was opened (tests watch reconnects)

    # -- connecting ------------------------------------------------------------------------
    def ensure(self):
        """The open transport; connects (or reconnects, after the backoff) when needed."""
        with self._lock:
            if self._transport is not None and self._transport.is_active():
                return self._transport
            self._drop()
            wait = self._retry_at - time.monotonic()
            if wait > 0:
                raise ConnectFailed(f"not connected to {self.target.name}; next try in {wait:.0f} s",
                                    "the connection dropped; it is retried automatically")
            try:
                self._transport = self._connect()
            except ConnectFailed:
                self._backoff = min(max(self._backoff * 2, 1.0), 30.0)
                self._retry_at = time.monotonic() + self._backoff
                raise
            self._backoff, self._retry_at = 0.0, 0.0
            self.connects += 1
            return self._transport

    def _connect(self):
        import paramiko

        sock = self._open_socket()
        transport = paramiko.Transport(sock)
        transport.banner_timeout = transport.handshake_timeout = transport.auth_timeout = self.timeout
        self._prefer_known_key_types(transport)
        try:
            transport.start_client(timeout=self.timeout)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            transport.close()
            # paramiko's reader gives up on the banner at the same deadline, and which of the two
            # ends first depends on the load: a timeout under it is the same silent server
            if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
                raise self._silent() from exc
            raise ConnectFailed(f"SSH handshake with {self.target.name} failed: {exc}") from exc
        try:
            # start_client returns at its timeout without raising: a server that accepted the
            # connection but never answered has not finished the key exchange.
            if not (transport.is_active() and transport.initial_kex_done):
                raise self._silent()
            self._check_host_key(transport)
            self._authenticate(transport)
        except SshError:
            transport.close()
            raise
        except Exception as exc:  # paramiko's SSHException, EOFError, socket errors mid-login
            transport.close()
            raise ConnectFailed(f"the connection to {self.target.name} failed during login: {exc}") from exc
        except BaseException:
            transport.close()
            raise
        transport.set_keepalive(self.keepalive)
        return transport

    def _silent(self) -> ConnectFailed:
        return ConnectFailed(f"{self.target.name} accepted the connection but did not answer within "
                             f"{self.timeout:g} s", "the server may be stopped or overloaded; retried automatically")

    def _open_socket(self):
        t = self.target
        if t.proxy_jump:  # through the jump host's transport: a direct-tcpip channel
            jump_target = resolve_target(t.proxy_jump.split(",")[-1], t.config_path, t.known_hosts)
            self._jump = self._jump or SshConnection(jump_target, self.interactive, self.timeout)
            try:
                return self._jump.ensure().open_channel("direct-tcpip", (t.hostname, t.port), ("127.0.0.1", 0),
                                                        timeout=self.timeout)
            except Exception as exc:  # paramiko's ChannelException, SSHException, EOFError, OSError
                if isinstance(exc, SshError):
                    raise
                raise ConnectFailed(f"the jump host {t.proxy_jump} could not reach {t.hostname}:{t.port}: {exc}") \
                    from exc
        try:
            return socket.create_connection((t.hostname, t.port), timeout=self.timeout)
        except socket.timeout as exc:
            raise ConnectFailed(f"connecting to {t.hostname}:{t.port} timed out",
                                "check the host name and your network (VPN?)") from exc
        except OSError as exc:
            raise ConnectFailed(f"cannot connect to {t.hostname}:{t.port}: {exc.strerror or exc}",
                                "is the host up, and is the port right?") from exc

    def _known_keys(self) -> dict:
        import paramiko

        keys = paramiko.HostKeys()
        if self.target.known_hosts.is_file():
            keys.load(str(self.target.known_hosts))
        return keys.lookup(host_entry(self.target.hostname, self.target.port)) or {}

    def _prefer_known_key_types(self, transport) -> None:
        known = []  # ask for the key type we know, as OpenSSH does (RSA keys sign as rsa-sha2-*)
        for name in self._known_keys():
            known += ["rsa-sha2-512", "rsa-sha2-256", name] if name == "ssh-rsa" else [name]
        options = transport.get_security_options()
        first = [k for k in known if k in options.key_types]
        if first:
            options.key_types = tuple(first + [k for k in options.key_types if k not in first])

    def _check_host_key(self, transport) -> None:
        key = transport.get_remote_server_key()
        known = self._known_keys()
        if not known:
            raise UnknownHostKey(self.target.hostname, self.target.port, key, self.target.known_hosts)
        if known.get(key.get_name()) != key:
            raise HostKeyMismatch(
                f"WARNING: the host key of {host_entry(self.target.hostname, self.target.port)} has CHANGED "
                f"(now {key.get_name()} {fingerprint(key)}); someone could be intercepting "
                f"the connection. Refused.",
                f"if the cluster's admins announced a new key, remove the old line from {self.target.known_hosts}")

    # -- authentication --------------------------------------------------------------------
    def _candidate_keys(self) -> list:
        import paramiko

        files = list(self.target.identity_files) or [Path.home() / ".ssh" / n for n in DEFAULT_KEYS]
        keys = []
        for path in files:
            try:
                keys.append(paramiko.PKey.from_path(str(path)))
            except (OSError, paramiko.SSHException, ValueError):
                continue  # missing, or encrypted: the agent may hold it
        if self.use_agent:
            try:
                keys.extend(paramiko.Agent().get_keys())
            except paramiko.SSHException:
                pass
        return keys

    def _authenticate(self, transport) -> None:
        import paramiko

        user = self.target.user
        for key in self._candidate_keys():
            try:
                transport.auth_publickey(user, key)
                return
            except paramiko.AuthenticationException:
                continue
            except (paramiko.SSHException, EOFError, OSError) as exc:
                raise ConnectFailed(f"the connection to {self.target.name} dropped during login: {exc}") from exc
        if self.interactive is not None:
            # a person types the code: give them minutes, not paramiko's 30 s default
            transport.auth_timeout = max(transport.auth_timeout or 0, INTERACTIVE_AUTH_TIMEOUT_S)
            try:
                transport.auth_interactive(user, self.interactive)
                return
            except (paramiko.AuthenticationException, paramiko.BadAuthenticationType):
                pass
        raise AuthFailed(f"{user}@{self.target.hostname}: permission denied (no key was accepted)",
                         "check IdentityFile in your ssh config, that your key is in the agent (`ssh-add -l`), "
                         "and that its public half is in ~/.ssh/authorized_keys on the cluster")

    # -- using the connection --------------------------------------------------------------
    def run(self, argv: list[str], cwd: str | None, timeout: float) -> tuple[int, str, str]:
        """Run argv remotely (quoted with shlex); returns (rc, stdout, stderr)."""
        command = shlex.join(argv)
        if cwd:
            command = f"cd {shlex.quote(str(cwd))} && {command}"
        with self.channels:
            chan = self._open_session()
            try:
                return self._collect(chan, command, timeout)
            finally:
                chan.close()

    def _open_session(self):
        transport = self.ensure()
        try:
            return transport.open_session(timeout=self.timeout)
        except Exception as exc:  # paramiko raises SSHException, EOFError or socket errors here
            self.close()
            raise ConnectFailed(f"the connection to {self.target.name} dropped: {exc}",
                                "it is reopened automatically on the next try") from exc

    def _collect(self, chan, command: str, timeout: float) -> tuple[int, str, str]:
        out, err = bytearray(), bytearray()
        deadline = time.monotonic() + timeout
        chan.settimeout(timeout)
        try:
            within(timeout, chan, chan.exec_command, command)
        except Exception as exc:  # paramiko's SSHException("Channel closed."), EOFError, socket errors
            self.close()
            raise ConnectFailed(f"`{command[:60]}` on {self.target.name} did not start within {timeout:g} s: {exc}",
                                "the server may be stopped or overloaded; the connection is reopened") from exc
        while True:
            while chan.recv_ready():
                out += chan.recv(65536)
            while chan.recv_stderr_ready():
                err += chan.recv_stderr(65536)
            if chan.exit_status_ready() and not chan.recv_ready() and not chan.recv_stderr_ready():
                break
            if chan.closed and not chan.exit_status_ready() or not self._transport_alive():
                self.close()
                raise ConnectFailed(f"the connection to {self.target.name} dropped during `{command[:60]}`")
            if time.monotonic() > deadline:
                self.close()  # a server that stopped answering: the next call reconnects
                raise ConnectFailed(f"`{command[:60]}` on {self.target.name} did not answer within {timeout:g} s")
            time.sleep(0.01)
        return chan.recv_exit_status(), out.decode(errors="replace"), err.decode(errors="replace")

    def _transport_alive(self) -> bool:
        transport = self._transport
        return transport is not None and transport.is_active()

    def sftp(self):
        """The SFTP client (opened once; it holds one of the channels)."""
        import paramiko

        with self._sftp_lock:  # one SFTP client, however many threads ask at once
            if self._sftp is not None and self._transport_alive():
                return self._sftp
            transport = self.ensure()
            self.channels.acquire()
            try:
                self._sftp = self._open_sftp(transport)
            except Exception as exc:  # paramiko's SSHException, EOFError or socket errors
                self.channels.release()
                self.close()
                raise ConnectFailed(f"SFTP to {self.target.name} failed: {exc}") from exc
            return self._sftp

    def _open_sftp(self, transport):
        """An SFTP client whose every request waits at most `timeout` (paramiko's waits forever)."""
        import paramiko

        chan = transport.open_session(timeout=self.timeout)
        chan.settimeout(self.timeout)
        within(self.timeout, chan, chan.invoke_subsystem, "sftp")
        return paramiko.SFTPClient(chan)

    def drop_sftp(self) -> None:
        """Forget the SFTP client (after a timeout): the next `sftp()` opens a fresh one."""
        with self._lock:
            if self._sftp is not None:
                self._sftp.close()
                self._sftp = None
                self.channels.release()

    def _drop(self) -> None:
        if self._sftp is not None:
            self._sftp = None
            self.channels.release()
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def close(self) -> None:
        with self._lock:
            self._drop()
        if self._jump is not None:
            self._jump.close()
