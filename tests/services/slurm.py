"""A throwaway single-node SLURM cluster (munge, MariaDB, slurmdbd, slurmctld, slurmd) in a temp folder.

Every daemon and client is pointed at the cluster through `SLURM_CONF` only; nothing under /etc
is read or written. Each cluster has its own munged (own key and socket, named in AuthInfo), its
own ports and ClusterName, so two test runs on one machine do not meet. Needs root.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services import mariadb
from tests.services.procs import (Daemon, ServiceError, find_binary, free_ports, kill_processes_with_env, log_tail,
                                  missing_binaries, port_open, run_quiet, wait_until)

ACCOUNT = "course"
BINARIES = ("munged", "mungekey", "slurmctld", "slurmd", "slurmdbd", "sbatch", "sinfo", "sacct", "sacctmgr",
            "scontrol", "squeue", "scancel")
PARTITIONS = {"debug": "INFINITE", "short": "00:05:00"}  # name -> MaxTime
MAX_ARRAY_SIZE = 1001
MAX_JOB_COUNT = 10000

SLURM_CONF = """\
ClusterName={cluster}
SlurmctldHost=localhost
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={munge_socket}
CredType=cred/munge
PlugStackConfig={etc}/plugstack.conf
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/run/slurmctld.pid
SlurmdPidFile={root}/run/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
InactiveLimit=0
KillWait=5
MaxArraySize={max_array_size}
EnforcePartLimits=ALL
MaxJobCount={max_job_count}
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort={dbd_port}
AccountingStoragePass={munge_socket}
AccountingStorageEnforce=associations
JobAcctGatherType=jobacct_gather/linux
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime={debug_max} State=UP
PartitionName=short Nodes=localhost MaxTime={short_max} DefaultTime=00:01:00 State=UP
"""

SLURMDBD_CONF = """\
AuthType=auth/munge
AuthInfo=socket={munge_socket}
DbdHost=localhost
DbdPort={dbd_port}
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={db_port}
StorageUser={db_user}
StoragePass={db_password}
StorageLoc={database}
LogFile={root}/log/slurmdbd.log
PidFile={root}/run/slurmdbd.pid
"""


def missing() -> list[str]:
    """The programs a cluster needs that this machine lacks."""
    return missing_binaries(BINARIES) + mariadb.missing()


class SlurmCluster:
    """Start with `SlurmCluster().start()`; pass `.env` to subprocesses; `.stop()` ends and removes it all."""

    def __init__(self, cpus: int | None = None, keep: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hptune-slurm-"))
        self.root.chmod(0o755)  # munged and mysqld (user mysql) need to traverse it
        self.etc = self.root / "etc"
        self.conf = self.etc / "slurm.conf"
        self.cpus = cpus or len(os.sched_getaffinity(0)) or 1  # as nproc counts them
        self.cluster_name = f"hpt{os.getpid()}{secrets.token_hex(2)}"
        self.ctld_port, self.slurmd_port, self.dbd_port = free_ports(3)
        self.munge_socket = self.root / "munge" / "munge.sock"
        self.account = ACCOUNT
        self.partitions = dict(PARTITIONS)
        self.max_array_size = MAX_ARRAY_SIZE
        self.max_job_count = MAX_JOB_COUNT
        self.keep = keep
        self.db = mariadb.MariaDB(self.root / "mysql")
        self.daemons: dict[str, Daemon] = {}
        self.timings: dict[str, float] = {}
        self.env = self._make_env()

    def _make_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_", "SQUEUE_", "SACCT_"))}
        env["SLURM_CONF"] = str(self.conf)
        return env

    # --- start -------------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> "SlurmCluster":
        """Start every daemon in order and wait until the node is idle. On failure, stop and raise with logs."""
        try:
            self._timed("munge", self._start_munge)
            self._timed("mariadb", self.db.start)
            self._write_configs()
            self._timed("slurmdbd", lambda: self._start_slurmdbd(timeout))
            self._timed("sacctmgr", self._add_associations)
            self._timed("slurmctld+slurmd", lambda: self._start_ctld_and_slurmd(timeout))
        except Exception as exc:
            logs = self.logs()
            self.stop(keep=True)
            raise ServiceError(f"the test SLURM cluster did not start: {exc}\nfiles kept in {self.root}\n{logs}") \
                from exc
        return self

    def _timed(self, name: str, step) -> None:
        began = time.monotonic()
        step()
        self.timings[name] = round(time.monotonic() - began, 2)

    def _start_munge(self) -> None:
        folder = self.munge_socket.parent
        folder.mkdir(mode=0o755)
        key = folder / "munge.key"
        done = run_quiet([find_binary("mungekey"), "-c", "-k", str(key)])
        if done.returncode != 0:
            raise ServiceError(f"mungekey failed: {done.stderr.strip()}")
        argv = [find_binary("munged"), "-F", f"--socket={self.munge_socket}", f"--key-file={key}",
                f"--pid-file={folder / 'munged.pid'}", f"--log-file={folder / 'munged.log'}",
                f"--seed-file={folder / 'munged.seed'}"]
        self.daemons["munged"] = daemon = Daemon("munged", argv, folder / "munged.out").start()
        wait_until(lambda: daemon.check_alive() and self.munge_socket.exists(), 20, "munged's socket")

    def _write_configs(self) -> None:
        for sub in ("etc", "state", "spool", "run", "log"):
            (self.root / sub).mkdir(exist_ok=True)
        values = dict(cluster=self.cluster_name, ctld_port=self.ctld_port, slurmd_port=self.slurmd_port,
                      dbd_port=self.dbd_port, munge_socket=self.munge_socket, etc=self.etc, root=self.root,
                      cpus=self.cpus, max_array_size=self.max_array_size, max_job_count=self.max_job_count,
                      debug_max=PARTITIONS["debug"], short_max=PARTITIONS["short"], db_port=self.db.port,
                      db_user=mariadb.USER, db_password=self.db.password, database=mariadb.DATABASE)
        self.conf.write_text(SLURM_CONF.format(**values))
        (self.etc / "plugstack.conf").write_text("")
        dbd_conf = self.etc / "slurmdbd.conf"
        dbd_conf.touch(mode=0o600)
        dbd_conf.write_text(SLURMDBD_CONF.format(**values))

    def _start_slurmdbd(self, timeout: float) -> None:
        daemon = self._daemon("slurmdbd", [find_binary("slurmdbd"), "-D"])
        wait_until(lambda: daemon.check_alive() and port_open(self.dbd_port), timeout, "slurmdbd's port")

    def _add_associations(self) -> None:
        for argv in (["add", "cluster", self.cluster_name],
                     ["add", "account", ACCOUNT, f"cluster={self.cluster_name}", "Description=course"],
                     ["add", "user", "root", f"account={ACCOUNT}", f"cluster={self.cluster_name}"]):
            done = self.run("sacctmgr", "-i", *argv)
            if done.returncode != 0:
                raise ServiceError(f"sacctmgr {' '.join(argv)} failed: {done.stdout}{done.stderr}")

    def _start_ctld_and_slurmd(self, timeout: float) -> None:
        self.start_controller(timeout)
        self._daemon("slurmd", [find_binary("slurmd"), "-D", "-N", "localhost"])
        self.wait_ready(timeout)

    def _daemon(self, name: str, argv: list[str]) -> Daemon:
        daemon = Daemon(name, argv, self.root / "log" / f"{name}.out", env=self.env).start()
        self.daemons[name] = daemon
        return daemon

    # --- use ---------------------------------------------------------------------------------
    def run(self, *argv: str, timeout: float = 30.0, cwd: Path | None = None):
        """Run a SLURM client command against this cluster; returns the CompletedProcess (text)."""
        return subprocess.run(list(argv), env=self.env, capture_output=True, text=True, timeout=timeout, cwd=cwd)

    def node_state(self) -> str:
        """The node's state as sinfo prints it (e.g. 'idle', 'mix', 'down*'); '' when sinfo fails."""
        done = self.run("sinfo", "-h", "-N", "-n", "localhost", "-o", "%t", timeout=10)
        return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else ""

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Wait until sinfo shows the node idle (or busy with jobs); return the seconds waited."""
        def ready() -> bool:
            for name in ("slurmctld", "slurmd"):
                if name in self.daemons:
                    self.daemons[name].check_alive()
            return self.node_state() in ("idle", "mix", "alloc")

        return wait_until(ready, timeout, "the node to be idle in sinfo", interval=0.2)

    def stop_controller(self) -> None:
        """Stop slurmctld alone (a controller outage); its state is saved and kept for the restart."""
        daemon = self.daemons.pop("slurmctld", None)
        if daemon is not None:
            daemon.stop(timeout=20)

    def start_controller(self, timeout: float = 60.0) -> None:
        """Start slurmctld (again) on the same port and state; wait until it answers."""
        daemon = self._daemon("slurmctld", [find_binary("slurmctld"), "-D", "-i"])
        wait_until(lambda: daemon.check_alive() and self.run("scontrol", "ping", timeout=10).returncode == 0,
                   timeout, "slurmctld to answer scontrol ping", interval=0.2)

    def logs(self) -> str:
        """The tails of every log file of the cluster (for failure messages)."""
        files = sorted((self.root / "log").glob("*")) + sorted((self.root / "munge").glob("*.log"))
        return "\n".join(filter(None, [log_tail(f) for f in files] + [self.db.logs()]))

    # --- stop --------------------------------------------------------------------------------
    def stop(self, keep: bool | None = None) -> None:
        """Cancel jobs, shut SLURM down, stop slurmdbd, MariaDB and munged, and remove the folder."""
        if self.daemons.get("slurmctld") and self.daemons["slurmctld"].running:
            self.run("scancel", "--user=root", timeout=10)
            self.run("scontrol", "shutdown", timeout=10)
            for name in ("slurmctld", "slurmd"):
                if name in self.daemons:
                    self.daemons[name].wait_exit(15)
        for name in ("slurmd", "slurmctld", "slurmdbd"):
            daemon = self.daemons.pop(name, None)
            if daemon is not None:
                daemon.stop()
        # Job steps (slurmstepd and the job's own processes) outlive slurmd; they carry our SLURM_CONF.
        kill_processes_with_env("SLURM_CONF", str(self.conf))
        self.db.stop()
        munged = self.daemons.pop("munged", None)
        if munged is not None:
            munged.stop()
        if not (self.keep if keep is None else keep):
            shutil.rmtree(self.root, ignore_errors=True)
