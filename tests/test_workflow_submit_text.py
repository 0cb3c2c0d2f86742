"""The form's Submit and Test on cluster through the workflow (tui.workflows.submit.submit_text):
a test hands the backend a copy of the text on screen and leaves the learner's file as it is; a
backend that cannot test says so; Submit submits and records the saved file."""

from __future__ import annotations

import pytest

from tests.test_workflow_submit import RecordingBackend
from tui.cluster.backend import BackendError
from tui.workflows.submit import submit_text

TEXT = "#!/bin/bash\n#SBATCH -J form\n#SBATCH -o logs/%x-%j.out\necho hi\n"


def test_a_test_uses_a_copy_of_the_text_and_leaves_the_file_alone(tmp_path):
    path = tmp_path / "job.sh"
    path.write_text("#!/bin/bash\necho an older script\n")
    backend = RecordingBackend()
    done = submit_text(backend, TEXT, path, test_only=True, workspace=tmp_path)
    (script, workdir, test_only), = backend.calls
    assert test_only and workdir == tmp_path and script != path and script.name == "job.sh"
    assert not script.exists()  # the copy is gone again
    assert path.read_text() == "#!/bin/bash\necho an older script\n"
    assert done.job_id == "" and done.message == "would start now" and done.run_dir is None


def test_a_backend_that_cannot_test_says_so(tmp_path):
    backend = RecordingBackend()
    backend.IMPLEMENTS_TEST_ONLY = False
    with pytest.raises(BackendError, match="the local backend cannot test a script"):
        submit_text(backend, TEXT, tmp_path / "job.sh", test_only=True)
    assert backend.calls == []


def test_submit_submits_the_saved_file_and_records_it(tmp_path):
    path = tmp_path / "ws" / "01_random_search" / "job.sh"
    path.parent.mkdir(parents=True)
    path.write_text(TEXT)
    backend = RecordingBackend()
    done = submit_text(backend, TEXT, path, workspace=tmp_path / "ws")
    assert backend.calls == [(path, path.parent, False)] and done.job_id == "77"
    assert (path.parent / "logs").is_dir()
