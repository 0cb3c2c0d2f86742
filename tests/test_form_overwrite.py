"""When the job form asks before saving over a file (tui.jobscript.form_memory.overwrite_needs_asking):
never for a new file, the same text, or what the form itself saved there; always for a file that
someone edited by hand or that is not text."""

from __future__ import annotations

from tui.jobscript.form_memory import overwrite_needs_asking, remember
from tui.jobscript.spec import JobSpec

TEMPLATE = "array.sh.j2"
NEW = "#!/bin/bash\n#SBATCH -J new\necho new\n"


def test_no_file_or_the_same_text_asks_nothing(tmp_path):
    path = tmp_path / "job.sh"
    assert not overwrite_needs_asking(tmp_path, path, TEMPLATE, NEW)
    path.write_text(NEW)
    assert not overwrite_needs_asking(tmp_path, path, TEMPLATE, NEW)


def test_what_the_form_saved_is_replaced_without_asking(tmp_path):
    path = tmp_path / "job.sh"
    old = "#!/bin/bash\n#SBATCH -J old\necho old\n"
    path.write_text(old)
    remember(tmp_path, path, TEMPLATE, JobSpec(job_name="old"), old)
    assert not overwrite_needs_asking(tmp_path, path, TEMPLATE, NEW)


def test_a_hand_edited_or_binary_file_asks(tmp_path):
    path = tmp_path / "job.sh"
    path.write_text("#!/bin/bash\n#SBATCH -J mine\necho typed by hand\n")
    assert overwrite_needs_asking(tmp_path, path, TEMPLATE, NEW)
    path.write_bytes(b"\x7fELF\xff\xfe")
    assert overwrite_needs_asking(tmp_path, path, TEMPLATE, NEW)
