"""Debian's sshd on 127.0.0.1 and a free port, with throwaway host and user keys, as our own child process.

Root may log in with the user key only. Besides the server, the folder holds everything a client
needs: the private key, a known_hosts file with the host key, and an ssh_config with an alias.
`stop()` and `start()` reuse the same port and keys, so a test can drop and restore the connection.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Mapping

from tests.services.procs import (Daemon, ServiceError, find_binary, free_ports, log_tail, missing_binaries,
                                  port_open, run_quiet, wait_until)

BINARIES = ("sshd", "ssh-keygen")
ALIAS = "hptune-test"

SSHD_CONFIG = """\
ListenAddress 127.0.0.1:{port}
HostKey {root}/ssh_host_ed25519_key
PidFile {root}/sshd.pid
AuthorizedKeysFile {root}/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
Subsystem sftp internal-sftp
{set_env}"""

SSH_CONFIG = """\
Host {alias}
    HostName {host}
    Port {port}
    User {user}
    IdentityFile {key}
    IdentitiesOnly yes
    UserKnownHostsFile {known_hosts}
    StrictHostKeyChecking yes
    BatchMode yes
"""


def missing() -> list[str]:
    """The programs an sshd server needs that this machine lacks."""
    return missing_binaries(BINARIES)


class SshdServer:
    """Start with `SshdServer().start()`; `.stop()` ends it; `.cleanup()` also removes its folder.

    Args:
        session_env: variables set in every session (sshd's SetEnv), e.g. SLURM_CONF of a test cluster.
    """

    def __init__(self, session_env: Mapping[str, str] | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hptune-sshd-"))
        self.host = "127.0.0.1"
        self.port = free_ports(1)[0]
        self.user = "root"
        self.alias = ALIAS
        self.key_path = self.root / "id_ed25519"
        self.host_key_path = self.root / "ssh_host_ed25519_key"
        self.known_hosts = self.root / "known_hosts"
        self.ssh_config = self.root / "ssh_config"
        self.config = self.root / "sshd_config"
        self.log = self.root / "sshd.log"
        self.session_env = dict(session_env or {})
        self.daemon: Daemon | None = None
        self._write_files()

    def _keygen(self, path: Path, comment: str) -> None:
        done = run_quiet([find_binary("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])
        if done.returncode != 0:
            raise ServiceError(f"ssh-keygen failed: {done.stderr.strip()}")

    def _write_files(self) -> None:
        self._keygen(self.host_key_path, "hptune-test-host")
        self._keygen(self.key_path, "hptune-test-user")
        shutil.copyfile(self.key_path.with_suffix(".pub"), self.root / "authorized_keys")
        host_key = self.host_key_path.with_suffix(".pub").read_text().split()[:2]
        names = f"[{self.host}]:{self.port},[localhost]:{self.port}"
        self.known_hosts.write_text(f"{names} {' '.join(host_key)}\n")
        set_env = " ".join(f'"{k}={v}"' for k, v in self.session_env.items())
        self.config.write_text(SSHD_CONFIG.format(port=self.port, root=self.root,
                                                  set_env=f"SetEnv {set_env}\n" if set_env else ""))
        self.ssh_config.write_text(SSH_CONFIG.format(alias=self.alias, host=self.host, port=self.port, user=self.user,
                                                     key=self.key_path, known_hosts=self.known_hosts))

    @property
    def host_key_line(self) -> str:
        """The public host key as 'ssh-ed25519 AAAA...'."""
        return " ".join(self.host_key_path.with_suffix(".pub").read_text().split()[:2])

    def start(self, timeout: float = 20.0) -> "SshdServer":
        """Start sshd in the foreground (-D) and wait until the port accepts connections."""
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
        check = run_quiet([find_binary("sshd"), "-t", "-f", str(self.config)])
        if check.returncode != 0:
            raise ServiceError(f"sshd -t rejected {self.config}: {check.stderr.strip()}")
        self.daemon = Daemon("sshd", [find_binary("sshd"), "-D", "-e", "-f", str(self.config)], self.log).start()
        try:
            wait_until(lambda: self.daemon.check_alive() and port_open(self.port), timeout, "sshd's port")
        except ServiceError as exc:
            raise ServiceError(f"{exc}\n{log_tail(self.log)}") from exc
        return self

    @property
    def running(self) -> bool:
        return self.daemon is not None and self.daemon.running

    def stop(self) -> None:
        """Stop the server; the keys and files stay, so `start()` brings the same server back."""
        if self.daemon is not None:
            # With its per-connection children, so that open sessions drop as on a lost network.
            self.daemon.stop(timeout=5, tree=True)
            self.daemon = None
        wait_until(lambda: not port_open(self.port), 10, "sshd's port to close")

    def cleanup(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def ssh_argv(self, *command: str) -> list[str]:
        """An OpenSSH client command line that runs `command` on this server through the alias."""
        return ["ssh", "-F", str(self.ssh_config), self.alias, *command]

