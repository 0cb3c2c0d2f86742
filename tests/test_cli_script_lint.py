"""`hptune-tui script` and `hptune-tui lint` through tui.cli.main."""

import json
import os
import resource
import subprocess
import sys

import pytest

from tui.cli import main


def test_script_renders_to_stdout(capsys):
    assert main(["script", "array", "--set", "time=2:00:00", "--set", "array=0-9%2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#!/bin/bash\n")
    assert "#SBATCH --time=2:00:00  # time limit: 2 hours;" in out
    assert "#SBATCH --array=0-9%2" in out


def test_script_accepts_the_file_name_and_lists_templates(capsys):
    assert main(["script", "single.sh.j2"]) == 0
    assert "python train.py" in capsys.readouterr().out
    assert main(["script", "--list"]) == 0
    listing = capsys.readouterr().out
    for name in ("single", "array", "optuna_workers", "hq_workers", "hq_server"):
        assert name in listing
    assert "run_dir=runs" in listing


def test_invalid_fields_exit_2_with_one_line_each(capsys):
    code = main(["script", "array", "--set", "time=10h", "--set", "mem=4GB", "--set", "job_name=a\nb",
                 "--set", "run_dir=x\0y"])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["job_name", "time", "mem", "extras.run_dir"]


def test_unknown_key_and_template_exit_2(capsys):
    assert main(["script", "array", "--set", "cpus=4"]) == 2
    assert "cpus: unknown key" in capsys.readouterr().err
    assert main(["script", "nope"]) == 2
    assert "unknown template 'nope'" in capsys.readouterr().err
    assert main(["script"]) == 2
    assert "--list" in capsys.readouterr().err


def test_output_file_is_not_overwritten_without_force(tmp_path, capsys):
    target = tmp_path / "job.sh"
    assert main(["script", "single", "-o", str(target)]) == 0
    first = target.read_text()
    target.write_text("my edits\n")
    assert main(["script", "single", "-o", str(target), "--set", "time=5"]) == 2
    assert "exists; use --force" in capsys.readouterr().err
    assert target.read_text() == "my edits\n"
    assert main(["script", "single", "-o", str(target), "--force"]) == 0
    assert target.read_text() == first


def test_configured_account_and_partition_are_used(monkeypatch, capsys):
    monkeypatch.setenv("HPTUNE_ACCOUNT", "proj-7")
    monkeypatch.setenv("HPTUNE_PARTITION", "cpu")
    assert main(["script", "single"]) == 0
    out = capsys.readouterr().out
    assert "#SBATCH --account=proj-7" in out and "#SBATCH --partition=cpu" in out


@pytest.fixture
def bad_script(tmp_path):
    path = tmp_path / "bad.sh"
    path.write_text("#!/bin/bash\n#SBATCH --time=10:00\n#SBATCH --bogus\necho hi\n#SBATCH --mem=4G\n")
    return path


def test_lint_text_output_and_exit_code(bad_script, capsys):
    assert main(["lint", str(bad_script)]) == 1
    out = capsys.readouterr().out
    assert f"{bad_script}:3: error: --bogus is not an sbatch option [unknown-option]" in out
    assert f"{bad_script}:5: warning:" in out and "[ignored-directive]" in out
    assert out.strip().endswith("1 error(s), 2 warning(s)")


def test_lint_json(bad_script, capsys):
    assert main(["lint", str(bad_script), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["script"] == str(bad_script)
    assert data["directives"] == {"time": {"value": "10:00", "line": 2}}
    ids = {f["id"] for f in data["findings"]}
    assert {"unknown-option", "ignored-directive", "time-minutes-seconds", "time-limit"} <= ids
    assert set(data["findings"][0]) == {"id", "severity", "line", "message"}


def test_lint_clean_script_exits_0(tmp_path, capsys):
    script = tmp_path / "job.sh"
    assert main(["script", "array", "-o", str(script)]) == 0
    capsys.readouterr()
    assert main(["lint", str(script)]) == 0


def test_lint_missing_or_binary_file(tmp_path, capsys):
    assert main(["lint", str(tmp_path / "missing.sh")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["lint", str(tmp_path / "missing.sh"), "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert "findings" not in data and data["error"].startswith(f"cannot read {tmp_path / 'missing.sh'}")
    binary = tmp_path / "bin.sh"
    binary.write_bytes(b"\xff\xfe\x00#SBATCH")
    assert main(["lint", str(binary), "--json"]) == 1
    findings = {f["id"]: f["message"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert {"no-shebang", "nul-character"} <= set(findings)
    assert findings["nul-character"].startswith("not a text file: NUL byte at offset 2")


def test_lint_names_a_byte_that_is_not_utf8(tmp_path, capsys):
    script = tmp_path / "latin1.sh"
    script.write_bytes(b"#!/bin/bash\n#SBATCH -t 5\n# caf\xe9\nmodule load x\npython x.py\n")
    assert main(["lint", str(script)]) == 0
    out = capsys.readouterr().out
    assert f"{script}:3: warning: byte 0xE9 at line 3 is not UTF-8" in out and "U+DC" not in out


def _site(workspace):
    from tui.cluster.discovery import ClusterInfo, Partition, save_cache

    save_cache(workspace, ClusterInfo(scheduler="slurm", max_array_size=1001, partitions=[
        Partition("debug", default=True, max_seconds=3600), Partition("short", max_seconds=300)]))


@pytest.fixture
def lint_in(workspace, tmp_path, capsys):
    """lint_in(*lines, backend=()) -> (exit code, {finding id: severity}) for a script in `workspace`."""
    def lint(*lines, backend=()):
        script = tmp_path / "job.sh"
        script.write_text("\n".join(["#!/bin/bash", *lines, "python train.py"]) + "\n")
        code = main(["-w", str(workspace), *backend, "lint", str(script), "--json"])
        return code, {f["id"]: f["severity"] for f in json.loads(capsys.readouterr().out)["findings"]}
    return lint


def test_lint_uses_the_limits_doctor_recorded(workspace, lint_in):
    # Before doctor: only Slurm's default MaxArraySize can be guessed, so it is a warning.
    code, found = lint_in("#SBATCH -a 0-2000")
    assert code == 0 and found["array-over-default-max"] == "warning"
    _site(workspace)
    code, found = lint_in("#SBATCH -a 0-2000")
    assert code == 1 and found["bad-array"] == "error" and "array-over-default-max" not in found
    code, found = lint_in("#SBATCH -p short", "#SBATCH -t 6:00")
    assert code == 1 and found["time-over-limit"] == "error"
    code, found = lint_in("#SBATCH -p short", "#SBATCH -t 4:00")
    assert code == 0 and "time-over-limit" not in found


def test_lint_refuses_mem_with_mem_per_cpu(workspace, lint_in):
    code, found = lint_in("#SBATCH --mem=4G", "#SBATCH --mem-per-cpu=1G")
    assert code == 1 and found["mem-exclusive"] == "error"


def test_lint_for_the_ssh_backend_warns_about_python_without_set_up(workspace, lint_in):
    assert lint_in("#SBATCH -t 5")[1]["python-no-setup"] == "info"
    assert lint_in("#SBATCH -t 5", backend=["--backend", "ssh"])[1]["python-no-setup"] == "warning"


def _lint_contained(path) -> subprocess.CompletedProcess:
    """`hptune-tui lint PATH` in a child with 1 GiB of address space and a deadline, so that a
    reader that is not bounded fails this test instead of taking the machine's memory or hanging."""
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "tui", "lint", str(path)], capture_output=True, text=True,
                          timeout=120, preexec_fn=limit_memory, stdin=subprocess.DEVNULL)


def test_lint_of_dev_zero_is_refused_with_sbatchs_limit():
    done = _lint_contained("/dev/zero")
    assert done.returncode == 2, done.stderr[-500:]
    assert "/dev/zero goes on past 4 MiB (a device or a pipe?)" in done.stderr and "max_script_size" in done.stderr


def test_lint_of_a_huge_script_is_refused_without_reading_it(tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.sh"
    with open(big, "wb") as handle:  # 50 MB, sparse: made instantly
        handle.write(b"#!/bin/bash\n")
        handle.truncate(50 * 10**6)
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    assert main(["lint", str(big)]) == 2
    assert "is over 4 MiB (47.7 MiB); sbatch refuses scripts larger than its max_script_size" in capsys.readouterr().err
    assert reads == []


def test_lint_of_a_fifo_without_a_writer_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.sh"
    os.mkfifo(fifo)
    done = _lint_contained(fifo)  # no writer: an empty script, whose first line is no #!
    assert done.returncode == 1 and "no-shebang" in done.stdout


def test_script_refuses_a_newline_in_modules(capsys):
    assert main(["script", "single", "--set", "env=modules", "--set", "modules=a\nb"]) == 2
    assert capsys.readouterr().err.strip() == "modules: contains a newline at position 2; a value must be one line of text"
    assert main(["script", "single", "--set", "env=modules", "--set", "modules=a,b c"]) == 0
    assert "module load a\nmodule load b\nmodule load c\n" in capsys.readouterr().out


def test_script_names_a_byte_that_is_not_utf8(capsys):
    undecodable = b"caf\xe9".decode("utf-8", "surrogateescape")  # as Python hands over such an argument
    assert main(["script", "single", "--set", f"job_name={undecodable}"]) == 2
    err = capsys.readouterr().err
    assert "job_name: has the byte 0xE9 at position 4, which is not UTF-8 text" in err and "U+DC" not in err


def test_script_checks_the_limits_doctor_recorded(workspace, capsys):
    args = ["-w", str(workspace), "script", "single", "--set", "partition=short", "--set", "time=6:00"]
    assert main(args) == 0  # nothing known yet
    capsys.readouterr()
    _site(workspace)
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("time: 6 minutes is over the limit of partition 'short', 5 minutes")
