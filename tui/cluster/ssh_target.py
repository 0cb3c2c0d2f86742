"""Where an SSH backend connects: an `~/.ssh/config` alias or `user@host[:port]`, and its host keys.

Also the typed errors the UI shows (an unknown host key carries its fingerprint so that the
app can ask the learner; only an explicit yes calls `add_known_host`).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tui.cluster.backend import BackendError, SchedulerUnavailable


class SshError(BackendError):
    """Any SSH failure."""


class ConnectFailed(SshError, SchedulerUnavailable):
    """The host refused, timed out, or the connection dropped (retried with backoff)."""


class AuthFailed(SshError):
    """No key, agent key or keyboard-interactive answer was accepted."""


class HostKeyMismatch(SshError):
    """The host's key differs from the one in known_hosts: refused (a possible attack)."""


class UnknownHostKey(SshError):
    """The host is not in known_hosts; `fingerprint` is shown to the learner, `key` added on a yes."""

    def __init__(self, hostname: str, port: int, key, known_hosts: Path) -> None:
        self.hostname, self.port, self.key, self.known_hosts = hostname, port, key, known_hosts
        self.fingerprint = fingerprint(key)
        super().__init__(
            f"the authenticity of host {host_entry(hostname, port)} can't be established: "
            f"{key.get_name()} key fingerprint is {self.fingerprint}",
            "check the fingerprint with your cluster's documentation before accepting it")


def fingerprint(key) -> str:
    """OpenSSH's SHA256 fingerprint of a paramiko key."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def host_entry(hostname: str, port: int) -> str:
    """The name known_hosts uses: `host` on port 22, `[host]:port` otherwise."""
    return hostname if port == 22 else f"[{hostname}]:{port}"


def add_known_host(known_hosts: Path, hostname: str, port: int, key) -> None:
    """Append the host's key to known_hosts (after the learner accepted its fingerprint)."""
    known_hosts = Path(known_hosts)
    known_hosts.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(known_hosts, "a", encoding="utf-8") as handle:
        handle.write(f"{host_entry(hostname, port)} {key.get_name()} {key.get_base64()}\n")


@dataclass
class SshTarget:
    """A resolved destination."""

    name: str  # what the learner typed
    hostname: str
    port: int = 22
    user: str = field(default_factory=getpass.getuser)
    identity_files: list[Path] = field(default_factory=list)
    proxy_jump: str = ""
    known_hosts: Path = field(default_factory=lambda: Path.home() / ".ssh" / "known_hosts")
    config_path: Path | None = None


def default_config_path() -> Path:
    return Path.home() / ".ssh" / "config"


def split_target(target: str) -> tuple[str, str, int | None]:
    """`user@host:port` -> (user, host, port); user and port may be missing ("" / None)."""
    user, at, rest = target.rpartition("@")
    host, port = rest, None
    if rest.startswith("["):  # [ipv6]:port
        host, _, tail = rest[1:].partition("]")
        port = int(tail[1:]) if tail.startswith(":") and tail[1:].isdigit() else None
    elif rest.count(":") == 1:
        host, _, port_text = rest.partition(":")
        if not port_text.isdigit():
            raise SshError(f"bad port in {target!r}", "write the target as user@host:port or an ssh config alias")
        port = int(port_text)
    if not host:
        raise SshError(f"no host in {target!r}", "write the target as user@host[:port] or an ssh config alias")
    return (user if at else ""), host, port


def resolve_target(target: str, config_path: Path | None = None, known_hosts: Path | None = None) -> SshTarget:
    """Apply the ssh config's HostName, User, Port, IdentityFile, ProxyJump and UserKnownHostsFile."""
    import paramiko

    user, host, port = split_target(target.strip())
    config_path = Path(config_path) if config_path else default_config_path()
    options: dict = {}
    if config_path.is_file():
        options = paramiko.SSHConfig.from_path(str(config_path)).lookup(host)
    resolved = SshTarget(name=target, hostname=options.get("hostname", host), config_path=config_path)
    resolved.port = port or int(options.get("port", 22))
    resolved.user = user or options.get("user") or resolved.user
    resolved.identity_files = [Path(p).expanduser() for p in options.get("identityfile", [])]
    resolved.proxy_jump = options.get("proxyjump", "") if options.get("proxyjump", "none") != "none" else ""
    files = options.get("userknownhostsfile", "")
    if known_hosts:
        resolved.known_hosts = Path(known_hosts)
    elif files:
        resolved.known_hosts = Path(files.split()[0]).expanduser()
    return resolved
