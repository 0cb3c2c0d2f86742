"""SLURM on a login node over SSH: the slurm backend with a remote runner, plus SFTP for files.

The same SlurmBackend class and the same parser run the same commands; only `run` goes through
paramiko. Paths are the same on both sides unless `remote_root` maps the local workspace to a
folder on the cluster.
"""

from __future__ import annotations

import errno
import posixpath
from pathlib import Path, PurePosixPath

from tui.cluster.backend import READ_LIMIT, BackendError, SubmitResult
from tui.cluster.slurm import SlurmBackend
from tui.cluster.ssh_conn import InteractiveHandler, SshConnection
from tui.cluster.ssh_target import resolve_target


class SshBackend(SlurmBackend):
    """The Backend for SLURM reached over SSH."""

    name = "ssh"

    def __init__(self, target: str, ssh_config: Path | None = None, known_hosts: Path | None = None,
                 interactive: InteractiveHandler | None = None, remote_env: dict[str, str] | None = None,
                 local_root: Path | None = None, remote_root: str = "", timeout: float = 20.0) -> None:
        self.target = resolve_target(target, ssh_config, known_hosts)
        self.conn = SshConnection(self.target, interactive=interactive)
        self.remote_env = dict(remote_env or {})
        self.local_root = Path(local_root).resolve() if local_root else None
        self.remote_root = remote_root
        super().__init__(runner=self._run_remote, timeout=timeout)

    def _run_remote(self, argv: list[str], cwd: str | None, timeout: float) -> tuple[int, str, str]:
        if self.remote_env:  # e.g. SLURM_CONF of a test cluster: `env K=V sbatch ...`
            argv = ["env", *(f"{k}={v}" for k, v in self.remote_env.items()), *argv]
        return self.conn.run(argv, cwd, timeout)

    def remote_path(self, local: Path) -> str:
        """Where a local workspace path lives on the cluster."""
        local = Path(local).resolve()
        if self.local_root and self.remote_root and local.is_relative_to(self.local_root):
            return posixpath.join(self.remote_root, *local.relative_to(self.local_root).parts)
        return str(PurePosixPath(local))

    # -- files -----------------------------------------------------------------------------
    def put(self, local: Path, remote: str | None = None) -> str:
        """Upload a file (creating its folders); returns the remote path."""
        remote = remote or self.remote_path(local)
        self._mkdirs(posixpath.dirname(remote))
        self.conn.sftp().put(str(local), remote)
        return remote

    def get(self, remote: str, local: Path) -> None:
        """Download a file."""
        Path(local).parent.mkdir(parents=True, exist_ok=True)
        self.conn.sftp().get(remote, str(local))

    def _mkdirs(self, folder: str) -> None:
        rc, _, err = self.conn.run(["mkdir", "-p", folder], None, self.timeout)
        if rc != 0:
            raise BackendError(f"cannot create {folder} on {self.target.name}: {err.strip()}")

    def read_file(self, path: Path, offset: int = 0) -> bytes:
        """Bytes of a remote file from `offset` on (b"" while it does not exist): incremental tails."""
        try:
            with self.conn.sftp().open(str(path), "rb") as handle:
                handle.seek(offset)
                return handle.read(READ_LIMIT)
        except BackendError:
            raise
        except OSError as exc:
            if getattr(exc, "errno", None) == errno.ENOENT:
                return b""
            if isinstance(exc, TimeoutError):  # a stalled server: the next read opens a fresh client
                self.conn.drop_sftp()
            raise BackendError(f"cannot read {path} on {self.target.name}: {exc or type(exc).__name__}") from exc
        except Exception as exc:  # paramiko's SSHException or EOFError when the connection drops
            self.conn.drop_sftp()
            raise BackendError(f"cannot read {path} on {self.target.name}: {exc or type(exc).__name__}") from exc

    # -- submit ----------------------------------------------------------------------------
    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult:
        """Upload the script (when the cluster's copy would differ) and sbatch it there."""
        remote_script = self.remote_path(script)
        remote_dir = self.remote_path(workdir)
        # Skip the upload when the cluster already has these bytes: on a shared filesystem the
        # remote path is this very file, and writing it while reading it would empty it.
        if self.read_file(Path(remote_script)) != Path(script).read_bytes():
            self.put(Path(script), remote_script)
        self._mkdirs(remote_dir)
        return super().submit(Path(remote_script), Path(remote_dir), test_only)

    def close(self) -> None:
        self.conn.close()
