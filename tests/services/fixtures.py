"""Session fixtures for the real services: a single-node SLURM cluster and an sshd on 127.0.0.1.

Without root, or without a needed program, the tests that use them are skipped with the reason;
under CI=true that is a failure instead, so a CI run can never pass by skipping them.
"""

from __future__ import annotations

import atexit
import os
import time
from typing import Callable, Iterator

import pytest

from tests.services import learners, slurm, sshd
from tests.services.procs import ServiceError


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slurm: needs the real single-node SLURM cluster started by the test suite")
    config.addinivalue_line("markers", "sshd: needs the real sshd started by the test suite")


def in_ci() -> bool:
    """Whether this run is CI's (CI=true), where a service that cannot start must fail the run."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def cannot_run(reason: str) -> None:
    """Skip the test with `reason`, or fail it under CI=true."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def require(service: str, missing: Callable[[], list[str]]) -> None:
    """Skip (or fail in CI) unless we are root and the service's programs are installed."""
    if os.geteuid() != 0:
        cannot_run(f"the {service} test service needs root (run `make test` as root)")
    absent = missing()
    if absent:
        cannot_run(f"the {service} test service needs {', '.join(absent)} (run `make services-deps` as root)")


def _started(start: Callable[[], object], what: str) -> None:
    try:
        start()
    except ServiceError as exc:
        pytest.fail(f"{what} did not start:\n{exc}", pytrace=False)


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[slurm.SlurmCluster]:
    """A running throwaway SLURM cluster with accounting; use `.env` for every SLURM command."""
    require("SLURM", slurm.missing)
    cluster = slurm.SlurmCluster()
    atexit.register(cluster.stop)  # also when the session ends abruptly
    began = time.monotonic()
    _started(cluster.start, "the test SLURM cluster")
    cluster.timings["total"] = round(time.monotonic() - began, 2)
    yield cluster
    cluster.stop()


def _sshd(session_env: dict[str, str] | None = None) -> Iterator[sshd.SshdServer]:
    require("sshd", sshd.missing)
    server = sshd.SshdServer(session_env=session_env)
    atexit.register(server.cleanup)
    _started(server.start, "the test sshd")
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def sshd_server() -> Iterator[sshd.SshdServer]:
    """A running sshd on 127.0.0.1 that lets root in with `.key_path`; see its ssh_config and known_hosts."""
    yield from _sshd()


@pytest.fixture(scope="session")
def sshd_slurm(slurm_cluster: slurm.SlurmCluster) -> Iterator[sshd.SshdServer]:
    """An sshd whose sessions see the test cluster (SLURM_CONF set), as a login node would."""
    yield from _sshd({"SLURM_CONF": str(slurm_cluster.conf)})


@pytest.fixture(scope="session")
def shared_install() -> Iterator[learners.SharedInstall]:
    """The app installed for everyone from the system Python (a wheel of this checkout)."""
    require("shared install", learners.missing)
    install = learners.SharedInstall()
    atexit.register(install.remove)
    _started(install.build, "the shared install")
    yield install
    install.remove()


@pytest.fixture(scope="session")
def class_learners(slurm_cluster: slurm.SlurmCluster) -> Iterator[learners.Learners]:
    """Make plain Unix users in the test cluster's course account: `class_learners.add()`."""
    require("learner accounts", learners.missing)
    made = learners.Learners(slurm_cluster)
    atexit.register(made.remove)
    yield made
    made.remove()
