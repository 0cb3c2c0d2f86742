"""A private MariaDB server for slurmdbd: own datadir, socket and TCP port, run as user `mysql`."""

from __future__ import annotations

import os
import pwd
import secrets
from pathlib import Path

from tests.services.procs import Daemon, ServiceError, find_binary, free_ports, log_tail, run_quiet, wait_until

DATABASE = "slurm_acct_db"
USER = "slurm"
BINARIES = ("mariadbd", "mariadb-install-db", "mariadb-admin", "mariadb")
# Older packages name the same programs mysql*; either set will do.
FALLBACK = {"mariadbd": "mysqld", "mariadb-install-db": "mysql_install_db", "mariadb-admin": "mysqladmin",
            "mariadb": "mysql"}


def binary(name: str) -> str | None:
    """A MariaDB program by its new name, or by its old mysql name."""
    return find_binary(name) or find_binary(FALLBACK[name])


def missing() -> list[str]:
    """The MariaDB programs this machine lacks."""
    return [name for name in BINARIES if binary(name) is None]


class MariaDB:
    """One throwaway MariaDB server; `start()` leaves it with the database and a user for slurmdbd."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.datadir = root / "data"
        self.socket = root / "mysqld.sock"
        self.log = root / "mysqld.log"
        self.port = free_ports(1)[0]
        self.password = secrets.token_hex(12)
        self.daemon: Daemon | None = None

    def _install(self) -> None:
        mysql = pwd.getpwnam("mysql")
        for folder in (self.root, self.datadir):
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, mysql.pw_uid, mysql.pw_gid)
        done = run_quiet([binary("mariadb-install-db"), "--no-defaults", f"--datadir={self.datadir}", "--user=mysql",
                          "--auth-root-authentication-method=socket", "--skip-test-db"], timeout=120)
        if done.returncode != 0:
            raise ServiceError(f"mariadb-install-db failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> "MariaDB":
        """Create the datadir, start the server, create the slurm database and user."""
        self._install()
        # Durability settings are off: the data lives as long as one test session.
        argv = [binary("mariadbd"), "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}",
                f"--port={self.port}", "--bind-address=127.0.0.1", "--user=mysql", "--skip-name-resolve",
                f"--pid-file={self.root / 'mysqld.pid'}", f"--log-error={self.log}", "--skip-log-bin",
                "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0", "--skip-innodb-doublewrite",
                "--max-connections=60", "--innodb-lock-wait-timeout=900"]
        self.daemon = Daemon("mariadbd", argv, self.root / "mysqld.out").start()
        wait_until(lambda: self.daemon.check_alive() and self._ping(), 60, "mariadbd to answer")
        self._sql(f"CREATE DATABASE {DATABASE};"
                  f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{self.password}';"
                  f"CREATE USER '{USER}'@'localhost' IDENTIFIED BY '{self.password}';"
                  f"GRANT ALL ON {DATABASE}.* TO '{USER}'@'127.0.0.1';"
                  f"GRANT ALL ON {DATABASE}.* TO '{USER}'@'localhost';")
        return self

    def _ping(self) -> bool:
        return run_quiet([binary("mariadb-admin"), "--no-defaults", f"--socket={self.socket}", "-u", "root",
                          "ping"], timeout=10).returncode == 0

    def _sql(self, statements: str) -> str:
        done = run_quiet([binary("mariadb"), "--no-defaults", f"--socket={self.socket}", "-u", "root", "-e",
                          statements], timeout=30)
        if done.returncode != 0:
            raise ServiceError(f"SQL failed: {done.stderr.strip()}\n{self.logs()}")
        return done.stdout

    def logs(self) -> str:
        """Tails of the server's log files."""
        return "\n".join(filter(None, (log_tail(self.log), log_tail(self.root / "mysqld.out"))))

    def stop(self) -> None:
        """Shut the server down (SIGTERM is MariaDB's clean shutdown)."""
        if self.daemon is not None:
            self.daemon.stop(timeout=30)
            self.daemon = None
