"""`hptune-tui script` and `hptune-tui lint` through tui.cli.main."""

import json

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
    binary = tmp_path / "bin.sh"
    binary.write_bytes(b"\xff\xfe\x00#SBATCH")
    assert main(["lint", str(binary), "--json"]) == 1
    ids = {f["id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert {"no-shebang", "nul-character"} <= ids
