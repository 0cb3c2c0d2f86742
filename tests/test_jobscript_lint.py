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


def test_mem_with_mem_per_cpu_or_gpu_is_an_error():
    found = ids(script("#SBATCH --mem=4G", "#SBATCH --mem-per-cpu=1G"))
    assert found["mem-exclusive"] == ("error", 3)  # the later of the two
    assert ids(script("#SBATCH --mem-per-gpu=8G", "#SBATCH --mem=4G"))["mem-exclusive"][0] == "error"
    assert "mem-exclusive" not in ids(script("#SBATCH --mem-per-cpu=1G", "#SBATCH --mem-per-cpu=2G"))


def test_time_over_the_default_partition_limit():
    limits = ClusterLimits(partitions={"short": 300, "long": None}, default_partition="short")
    found = lint_script(script("#SBATCH -t 6:00"), limits=limits).findings
    over = [f for f in found if f.id == "time-over-limit"]
    assert over and over[0].severity == "error" and "default partition 'short'" in over[0].message
    assert "time-over-limit" not in ids(script("#SBATCH -p long", "#SBATCH -t 6:00"), limits=limits)
    assert "time-over-limit" not in ids(script("#SBATCH -p short,long", "#SBATCH -t 6:00"), limits=limits)


def test_missing_output_folder_says_who_creates_it(tmp_path: Path):
    (finding,) = [f for f in lint_script(script("#SBATCH -o logs/%j.out"), submit_dir=tmp_path).findings
                  if f.id == "output-folder-missing"]
    assert "`hptune-tui submit` and the app's Submit create it" in finding.message
    assert "plain sbatch does not" in finding.message and "mkdir -p logs" in finding.message


def test_python_without_software_set_up():
    bare = script("#SBATCH -t 5", "set -euo pipefail")  # ends with: python train.py
    assert ids(bare)["python-no-setup"] == ("info", 4)
    assert ids(bare, remote=True)["python-no-setup"] == ("warning", 4)
    message = next(f.message for f in lint_script(bare).findings if f.id == "python-no-setup")
    assert "get its Python (with torch) first on PATH" in message and "over ssh" in message
    for setup in ("module load PyTorch/2.1", "ml PyTorch", "source ~/venvs/x/bin/activate", ". venv/bin/activate",
                  "conda activate torch", "apptainer exec img.sif bash -c 'true'", "singularity run x.sif"):
        assert "python-no-setup" not in ids(script("#SBATCH -t 5", setup), remote=True), setup
    for explicit in ("/opt/venv/bin/python x.py", '"$HPTUNE_PYTHON" x.py', "echo done"):
        text = "#!/bin/bash\n#SBATCH -t 5\n" + explicit + "\n"
        assert "python-no-setup" not in ids(text, remote=True), explicit
    assert ids("#!/bin/bash\nsrun python3 x.py\n", remote=True)["python-no-setup"] == ("warning", 2)


def test_random_binary_is_called_binary_not_windows_text():
    import random

    from tui.jobscript.source import decode_script

    for seed in range(20):
        raw = random.Random(seed).randbytes(random.Random(seed).randrange(64, 5000))
        findings = lint_script(decode_script(raw)).findings
        messages = " ".join(f.message for f in findings)
        assert "Windows line ends" not in messages and "U+DC" not in messages, seed
        assert any(f.severity == "error" and f.message.startswith("not a text file") for f in findings), seed
    # NUL bytes: named with their offset; the \r\n beside them is not "Windows line ends".
    found = lint_script(decode_script(b"#!/bin/bash\r\n\x00\x01\x02")).findings
    assert [f.message for f in found if f.id == "nul-character"] == [
        "not a text file: NUL byte at offset 13; sbatch refuses a script with NUL bytes"]
    assert "dos-line-breaks" not in {f.id for f in found}


def test_a_byte_that_is_not_utf8_is_named():
    from tui.jobscript.source import decode_script

    text = decode_script(b"#!/bin/bash\n#SBATCH -J caf\xe9\n# \xff\nmodule load x\npython x.py\n")
    (finding,) = [f for f in lint_script(text).findings if f.id == "not-utf8"]
    assert finding.severity == "warning" and finding.line == 2
    assert finding.message.startswith("byte 0xE9 at line 2 is not UTF-8 (and 1 more such byte)")
    assert "binary-file" not in ids(text) and "nul-character" not in ids(text)
