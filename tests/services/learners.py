"""Learners as on a real login node: plain Unix users in the course account, running the app from a
shared install made with the system Python (nobody is root there).

`SharedInstall` is that install: a venv of the system Python holding the project's wheel (built
from this checkout, as a site would `pip install` it) and the test venv's dependencies (hard
links, so no download). `Learner` is one user with a home of its own; `run` runs a command as it.
Needs root (useradd, runuser, sacctmgr); everything is removed at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.services.procs import ServiceError, run_quiet

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
BINARIES = ("useradd", "userdel", "runuser")
# What the learner's copy of the dependencies leaves out: the checkout's own editable install.
_SKIP = ("_editable_impl_hptune", "__editable__", "hptune_tui-", "tui")


def missing() -> list[str]:
    absent = [name for name in BINARIES if not shutil.which(name)]
    if not SYSTEM_PYTHON.exists():
        absent.append(str(SYSTEM_PYTHON))
    return absent


class SharedInstall:
    """`/tmp/hptune-shared-*/venv`: the app as a site installs it for everyone."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hptune-shared-"))
        self.root.chmod(0o755)
        self.venv = self.root / "venv"
        self.python = self.venv / "bin" / "python"
        self.app = self.venv / "bin" / "hptune-tui"
        self.src = self.root / "src"  # the journey driver (tests/journey), not part of the app

    def build(self) -> "SharedInstall":
        version = run_quiet([str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"]).stdout.strip()
        if version != str(sys.version_info[:2]):
            raise ServiceError(f"the system Python is {version}, the test venv's {sys.version_info[:2]}: "
                               "make the venv from /usr/bin/python3 (the Makefile does)")
        self._run([str(SYSTEM_PYTHON), "-m", "venv", str(self.venv)])
        self._link_dependencies()
        wheels = self.root / "wheel"
        self._run([str(self.python), "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                  timeout=300)
        wheel = next(wheels.glob("hptune_tui-*.whl"))
        self._run([str(self.python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)])
        shutil.copytree(ROOT / "tests" / "journey", self.src / "tests" / "journey",
                        ignore=shutil.ignore_patterns("__pycache__"))
        (self.src / "tests" / "__init__.py").write_text("")
        shutil.copy2(ROOT / "tests" / "waiting.py", self.src / "tests" / "waiting.py")  # play3 polls with it
        for path in [self.root, *self.root.rglob("*")]:  # readable by every learner, writable by none
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
        return self

    def _link_dependencies(self) -> None:
        source = Path(sysconfig.get_paths()["purelib"])
        target = Path(run_quiet([str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                                ).stdout.strip())
        for entry in source.iterdir():
            if entry.name.startswith(_SKIP) or (target / entry.name).exists():
                continue
            done = run_quiet(["cp", "-al", str(entry), str(target / entry.name)], timeout=120)
            if done.returncode != 0:  # another filesystem: copy instead
                (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, target / entry.name)

    def _run(self, argv: list[str], timeout: float = 120) -> None:
        done = run_quiet(argv, timeout=timeout)
        if done.returncode != 0:
            raise ServiceError(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Learner:
    """One plain Unix user of the class, with its own home."""

    name: str
    home: Path

    def run(self, argv: list[str], env: dict[str, str], cwd: Path | None = None,
            timeout: float = 900) -> subprocess.CompletedProcess:
        """Run argv as this user with exactly `env` (plus HOME, USER, LOGNAME), as a login shell would."""
        full = {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name, "LANG": "C.UTF-8", **env}
        return subprocess.run(["runuser", "-u", self.name, "--", "env", "-i",
                               *(f"{k}={v}" for k, v in full.items()), *argv],
                              capture_output=True, text=True, timeout=timeout, cwd=cwd or self.home)


class Learners:
    """Creates learner accounts (and their SLURM associations) and removes them all at the end."""

    def __init__(self, cluster=None) -> None:
        self.cluster = cluster
        self.homes = Path(tempfile.mkdtemp(prefix="hptune-homes-"))
        self.homes.chmod(0o755)
        self.made: list[Learner] = []
        self.prefix = f"hpl{os.getpid() % 100000}x"

    def add(self) -> Learner:
        name = f"{self.prefix}{len(self.made)}"
        home = self.homes / name
        done = run_quiet(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                          "--user-group", name])
        if done.returncode != 0:
            raise ServiceError(f"useradd {name} failed: {done.stderr.strip()}")
        learner = Learner(name, home)
        self.made.append(learner)
        if self.cluster is not None:
            done = self.cluster.run("sacctmgr", "-i", "add", "user", name, f"account={self.cluster.account}",
                                    f"cluster={self.cluster.cluster_name}")
            if done.returncode != 0:
                raise ServiceError(f"sacctmgr add user {name} failed: {done.stdout}{done.stderr}")
        return learner

    def remove(self) -> None:
        for learner in self.made:
            subprocess.run(["pkill", "-KILL", "-u", learner.name], capture_output=True)
            run_quiet(["userdel", "--remove", learner.name])
        self.made.clear()
        shutil.rmtree(self.homes, ignore_errors=True)
