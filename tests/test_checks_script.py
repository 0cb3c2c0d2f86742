"""The script.* checks read job.sh the way sbatch does."""

from __future__ import annotations

import pytest

from tui.checks.directives import read_directives
from tui.checks.ex01_script import script_checks

GOOD = """#!/bin/bash
#SBATCH --job-name=random-search
#SBATCH --array=0-31%8
#SBATCH --time=00:10:00
#SBATCH --output=logs/%x-%A_%a.out
python -m tui.runtime.random_search --sampler sample.py
"""


def results(tmp_path, text):
    (tmp_path / "job.sh").write_text(text)
    return {r.id: r for r in script_checks(tmp_path)}


def test_good_script_passes_everything(tmp_path):
    res = results(tmp_path, GOOD)
    assert all(r.passed for r in res.values()), {k: r.message for k, r in res.items()}
    assert "32 tasks" in res["script.array"].message and "10 minutes" in res["script.time_limit"].message


@pytest.mark.parametrize("replace, with_, failing, words", [
    ("#SBATCH --array=0-31%8\n", "", {"script.array", "script.concurrency_limit"}, "found none"),
    ("0-31%8", "0-31", {"script.concurrency_limit"}, "all 32 tasks may run at once"),
    ("0-31%8", "0-3%2", {"script.array"}, "found 4 tasks"),
    ("0-31%8", "0-7%8", {"script.concurrency_limit"}, "limits nothing"),
    ("0-31%8", "31-0", {"script.array", "script.concurrency_limit"}, "valid --array"),
    ("logs/%x-%A_%a.out", "logs/%x-%A.out", {"script.output_pattern"}, "same file"),
    ("logs/%x-%A_%a.out", "logs/%x-%A_%q.out", {"script.output_pattern"}, "not a file name pattern"),
    ("00:10:00", "2-00:00:00", {"script.time_limit"}, "2 days"),
    ("00:10:00", "0:30", {"script.time_limit"}, "30 seconds"),
    ("00:10:00", "ten", {"script.time_limit"}, "not a time limit"),
    ("#SBATCH --time=00:10:00\n", "", {"script.time_limit"}, "found none"),
])
def test_each_mistake_fails_its_check(tmp_path, replace, with_, failing, words):
    res = results(tmp_path, GOOD.replace(replace, with_))
    assert {k for k, r in res.items() if not r.passed} == failing
    assert any(words in res[k].message for k in failing), [res[k].message for k in failing]


def test_error_pattern_is_checked_too(tmp_path):
    res = results(tmp_path, GOOD.replace("#SBATCH --output", "#SBATCH --error=err.txt\n#SBATCH --output"))
    assert not res["script.output_pattern"].passed and "--error=err.txt" in res["script.output_pattern"].message


def test_directive_after_the_first_command_is_ignored_like_sbatch_does(tmp_path):
    text = GOOD.replace("#SBATCH --array=0-31%8\n", "") + "#SBATCH --array=0-31%8\n"
    res = results(tmp_path, text)
    assert not res["script.array"].passed
    assert "after the first command" in res["script.array"].message and "line 6" in res["script.array"].message


def test_short_options_and_space_separated_values(tmp_path):
    text = "#!/bin/bash\n#SBATCH -a 0-15%4\n#SBATCH -t 20\n#SBATCH -o logs/%j.out  # one per task\necho hi\n"
    res = results(tmp_path, text)
    assert all(r.passed for r in res.values()), {k: r.message for k, r in res.items()}


def test_missing_script_fails_every_script_check(tmp_path):
    res = {r.id: r for r in script_checks(tmp_path)}
    assert len(res) == 4 and not any(r.passed for r in res.values())
    assert "no such file" in res["script.array"].message


def test_reader_tolerates_unbalanced_quotes():
    d = read_directives('#SBATCH --job-name="oops\n#SBATCH --time=5\nrun\n')
    assert d.get("time") == "5"
