"""One contract, every backend: the local runner, SLURM on this host, SLURM over SSH and HyperQueue.

Slurm and ssh run against the real single-node cluster (and the real sshd) that the test suite
starts; HyperQueue runs embedded (the `hyperqueue` package's LocalCluster). SLURM's shortest time
limit is one minute, so each class submits its TIMEOUT job first and checks it last, while the
other tests run. What a backend cannot do (HyperQueue keeps no `%N` limit, writes no `-o` file,
takes no time limit, cancels whole jobs only) is a class flag, and the test checks what it does instead.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tui.cluster import registry
from tui.cluster.backend import BackendError, TaskState

ARRAY_SCRIPT = """\
#!/bin/bash
#SBATCH -J contract
#SBATCH --array=0-7%2
#SBATCH -o logs/out-%A_%a.txt
echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT"
sleep 2
"""
FAIL_SCRIPT = "#!/bin/bash\n#SBATCH -J failing\n#SBATCH -o fail-%j.txt\necho about to fail\nexit 3\n"
LONG_SCRIPT = "#!/bin/bash\n#SBATCH -J long\n#SBATCH --array=0-1\n#SBATCH -o long-%A_%a.txt\nsleep 120\n"
TIMEOUT_SCRIPT = "#!/bin/bash\n#SBATCH -J limited\n#SBATCH -t {limit}\n#SBATCH -o limit-%j.txt\nsleep 300\n"


def states_of(backend, job_id: str) -> dict[str, TaskState]:
    return {t.job_id: t for t in backend.status([job_id])}


def wait_for(backend, job_id, done, timeout, every=0.4):
    """Poll until done(states) holds; returns the states (fails the test after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        states = states_of(backend, job_id)
        if done(states):
            return states
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} did not get there in {timeout} s: "
                        f"{ {k: (t.state, t.reason) for k, t in states.items()} }")
        time.sleep(every)


def all_finished(states):
    return bool(states) and all(t.finished for t in states.values())


class BackendContract:
    """The behaviour every backend owes the app. Subclasses provide `make_backend` and limits."""

    TIME_LIMIT = "1"
    TIMEOUT_WAIT_S = 200.0
    FINISH_WAIT_S = 90.0
    UNKNOWN_ID = "999999"
    ARRAY_LIMIT = True  # keeps --array's %N
    SBATCH_OUTPUT = True  # writes the -o file
    CANCELS_ONE_TASK = True
    TIME_LIMITS = True  # ends a job at its -t

    @pytest.fixture(scope="class")
    def workdir(self, tmp_path_factory) -> Path:
        path = tmp_path_factory.mktemp(f"contract-{self.__class__.__name__}")
        (path / "logs").mkdir()
        return path

    @pytest.fixture(scope="class")
    def timeout_job(self, backend, workdir) -> str:
        if not self.TIME_LIMITS:
            return ""
        script = workdir / "limit.sh"
        script.write_text(TIMEOUT_SCRIPT.format(limit=self.TIME_LIMIT))
        return backend.submit(script, workdir).job_id

    @pytest.fixture(autouse=True, scope="class")
    def _start_the_slow_job_first(self, timeout_job):
        yield

    def submit(self, backend, workdir, name, text) -> str:
        script = workdir / name
        script.write_text(text)
        job_id = backend.submit(script, workdir).job_id
        assert registry.get(backend.name).job_id.fullmatch(job_id), f"{job_id!r} is not a {backend.name} job id"
        return job_id

    def test_array_with_limit_runs_every_task_and_writes_its_output(self, backend, workdir):
        job_id = self.submit(backend, workdir, "array.sh", ARRAY_SCRIPT)
        seen: dict[str, set[str]] = {}
        most_running = 0
        deadline = time.monotonic() + self.FINISH_WAIT_S
        while True:
            states = states_of(backend, job_id)
            for key, task in states.items():
                if key != job_id:  # the whole job stands for its tasks until they are known
                    seen.setdefault(key, set()).add(task.state)
            most_running = max(most_running, sum(t.state == "RUNNING" for t in states.values()))
            if len(states) == 8 and all_finished(states):
                break
            assert time.monotonic() < deadline, f"array did not finish: {seen}"
            time.sleep(0.3)
        assert sorted(seen) == sorted(f"{job_id}_{i}" for i in range(8))
        assert all(t.state == "COMPLETED" and t.exit_code == "0:0" for t in states.values())
        assert sum("RUNNING" in s for s in seen.values()) >= 6
        if self.ARRAY_LIMIT:
            assert most_running <= 2, "the %2 limit was not kept"
            assert all("PENDING" in seen[f"{job_id}_{i}"] for i in range(2, 8))
        assert backend.read_file(workdir / "logs" / "never-written.txt") == b""
        if not self.SBATCH_OUTPUT:
            return
        for i in range(8):
            out = workdir / "logs" / f"out-{job_id}_{i}.txt"
            assert backend.read_file(out) == f"task {i} of 8\n".encode()
            assert backend.read_file(out, offset=5) == f"{i} of 8\n".encode()

    def test_cancel_one_task_leaves_the_other_running(self, backend, workdir):
        job_id = self.submit(backend, workdir, "long.sh", LONG_SCRIPT)
        try:
            wait_for(backend, job_id, lambda s: s.get(f"{job_id}_0", TaskState("")).state == "RUNNING", 60)
            if self.CANCELS_ONE_TASK:
                backend.cancel(f"{job_id}_1")
                states = wait_for(backend, job_id, lambda s: s[f"{job_id}_1"].state == "CANCELLED", 60)
                assert states[f"{job_id}_0"].state == "RUNNING"
            else:  # refused with a hint, and nothing was cancelled
                with pytest.raises(BackendError, match="cancel the whole job"):
                    backend.cancel(f"{job_id}_1")
                assert states_of(backend, job_id)[f"{job_id}_0"].state == "RUNNING"
        finally:
            backend.cancel(job_id)
        states = wait_for(backend, job_id, all_finished, 60)
        assert {t.state for t in states.values()} == {"CANCELLED"}

    def test_a_failing_job_is_failed_with_its_exit_code(self, backend, workdir):
        job_id = self.submit(backend, workdir, "fail.sh", FAIL_SCRIPT)
        states = wait_for(backend, job_id, all_finished, self.FINISH_WAIT_S)
        assert [(t.state, t.exit_code) for t in states.values()] == [("FAILED", "3:0")]
        if self.SBATCH_OUTPUT:
            assert backend.read_file(workdir / f"fail-{job_id}.txt") == b"about to fail\n"

    def test_unknown_job_is_reported_not_raised(self, backend):
        (task,) = backend.status([self.UNKNOWN_ID])
        assert task.state == "UNKNOWN" and not task.finished

    def test_zz_time_limit_ends_in_timeout(self, backend, timeout_job):
        if not self.TIME_LIMITS:
            pytest.skip(f"{backend.name} takes no time limit from #SBATCH -t")
        states = wait_for(backend, timeout_job, all_finished, self.TIMEOUT_WAIT_S, every=1.0)
        assert [t.state for t in states.values()] == ["TIMEOUT"]


class TestLocalBackend(BackendContract):
    TIME_LIMIT = "0:02"  # the local runner honours seconds
    TIMEOUT_WAIT_S = 30.0

    @pytest.fixture(scope="class")
    def backend(self, tmp_path_factory):
        from tui.cluster.local import LocalBackend

        return LocalBackend(tmp_path_factory.mktemp("local-ws"), force=True)


@pytest.mark.slurm
class TestSlurmBackend(BackendContract):
    @pytest.fixture(scope="class")
    def backend(self, slurm_cluster):
        from tui.cluster.slurm import SlurmBackend, subprocess_runner

        return SlurmBackend(subprocess_runner(slurm_cluster.env))


@pytest.mark.slurm
@pytest.mark.sshd
class TestSshBackend(BackendContract):
    @pytest.fixture(scope="class")
    def backend(self, sshd_slurm):
        from tui.cluster.ssh import SshBackend

        backend = SshBackend(sshd_slurm.alias, ssh_config=sshd_slurm.ssh_config)
        yield backend
        backend.close()


class TestHyperQueueBackend(BackendContract):
    """The embedded HyperQueue (no hq binary): a LocalCluster per job, tasks by $HQ_TASK_ID."""

    UNKNOWN_ID = "hq999999"
    ARRAY_LIMIT = SBATCH_OUTPUT = CANCELS_ONE_TASK = TIME_LIMITS = False

    @pytest.fixture(scope="class")
    def backend(self, tmp_path_factory):
        pytest.importorskip("hyperqueue")
        from tui.cluster.hyperqueue import HyperQueueBackend

        backend = HyperQueueBackend(tmp_path_factory.mktemp("hq-ws"), embedded=True, cores=2)
        yield backend
        for job_id in backend.job_ids():  # a failed test must not leave a driver running
            try:
                backend.cancel(job_id)
            except BackendError:
                pass  # it had ended
