"""The linter's findings: ids, severities, lines."""

from pathlib import Path

from tui.jobscript.limits import ClusterLimits
from tui.jobscript.lint import lint_script


def ids(text: str, **kwargs) -> dict[str, tuple[str, int]]:
    return {f.id: (f.severity, f.line) for f in lint_script(text, **kwargs).findings}


def script(*lines: str) -> str:
    return "\n".join(("#!/bin/bash",) + lines + ("python train.py",)) + "\n"


def test_a_clean_array_script_has_only_info():
    report = lint_script(script("#SBATCH --time=01:00:00", "#SBATCH --array=0-31%4",
                                "#SBATCH --output=logs/%x-%A_%a.out", "#SBATCH --mem=4G"))
    assert {f.severity for f in report.findings} == {"info"}
    assert not report.has_errors
    messages = [f.message for f in report.findings]
    assert "time limit '01:00:00' = 1 hour" in messages
    assert "--array=0-31%4: 32 tasks (ids 0-31), at most 4 at a time" in messages


def test_learner_mistakes():
    found = ids(script("# SBATCH --partition=gpu", "#SBATCH --time=10:00", "#SBATCH --array=0-9",
                       "#SBATCH --mem=4000", "#SBATCH --output=out.txt", "#SBATCH -t 5",
                       "echo start", "#SBATCH --cpus-per-task=4"))
    assert found["spaced-directive"] == ("warning", 2)
    assert found["time-minutes-seconds"] == ("warning", 3)
    assert found["mem-no-unit"] == ("warning", 5)
    assert found["array-output-shared"] == ("warning", 6)
    assert found["duplicate-option"] == ("warning", 7)
    assert found["ignored-directive"] == ("warning", 9)


def test_errors():
    found = ids("#SBATCH --time=soon\n#SBATCH --array=5-1\n#SBATCH --bogus\n#SBATCH -c 0\n#SBATCH --mem=4GB\n")
    for error in ("no-shebang", "bad-time", "bad-array", "unknown-option", "bad-number", "bad-mem"):
        assert found[error][0] == "error", error
    assert found["no-command"] == ("warning", 0)


def test_array_output_patterns():
    assert "array-output-jobid" in ids(script("#SBATCH -a 0-3", "#SBATCH -o logs/%j.out"))
    assert "array-output-no-array-id" in ids(script("#SBATCH -a 0-3", "#SBATCH -o logs/%a.out"))
    quiet = ids(script("#SBATCH -a 0-3", "#SBATCH -o logs/%A_%a.out", "#SBATCH -e logs/%A_%a.err"))
    assert not {"array-output-jobid", "array-output-shared", "array-output-no-array-id"} & set(quiet)
    assert "array-output-shared" in ids(script("#SBATCH -a 0-3", "#SBATCH -e same.err"))


def test_array_size_limits():
    assert ids(script("#SBATCH --array=0-2000"))["array-over-default-max"][0] == "warning"
    assert "array-no-limit" in ids(script("#SBATCH --array=0-200"))
    found = ids(script("#SBATCH --array=0-2000"), limits=ClusterLimits(max_array_size=1001))
    assert found["bad-array"][0] == "error"


def test_cluster_limits():
    limits = ClusterLimits(partitions={"short": 600}, accounts=("p1",))
    found = ids(script("#SBATCH -p short", "#SBATCH -t 1:00:00", "#SBATCH -A p2"), limits=limits)
    assert found["time-over-limit"][0] == "error"
    assert found["unknown-account"][0] == "error"
    assert "unknown-partition" in ids(script("#SBATCH -p long"), limits=limits)


def test_file_level_errors():
    assert ids("#!/bin/bash\r\n#SBATCH -t 5\r\ntrue\r\n")["dos-line-breaks"] == ("error", 1)
    assert ids("#!/bin/bash\ntrue\0\n")["nul-character"] == ("error", 2)
    assert ids("#!/bin/bash\ntrue\n")["no-directives"][0] == "info"


def test_missing_output_folder(tmp_path: Path):
    text = script("#SBATCH -o logs/%x.out", "#SBATCH -e %x/err.txt")
    found = ids(text, submit_dir=tmp_path)
    assert found["output-folder-missing"] == ("warning", 2)  # %x folders cannot be checked
    (tmp_path / "logs").mkdir()
    assert "output-folder-missing" not in ids(text, submit_dir=tmp_path)


def test_findings_are_sorted_by_line():
    report = lint_script(script("#SBATCH --mem=1", "#SBATCH --time=1:00"))
    lines = [f.line for f in report.findings]
    assert lines == sorted(lines)
