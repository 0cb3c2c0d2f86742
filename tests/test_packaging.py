"""A non-editable install finds the course content inside the wheel, not in a checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_course_content_and_finds_it(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("hptune_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "tui/_data/exercises/info.toml" in names
    assert any(n.startswith("tui/_data/solutions/") for n in names)
    assert any(n.startswith("tui/_data/slurm_templates/") for n in names)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = subprocess.run(
        [sys.executable, "-c",
         "from tui.resources import exercises_dir; from tui.course.catalog import bundled_catalog;"
         "print(exercises_dir()); print(len(bundled_catalog().exercises))"],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        timeout=60)
    assert probe.returncode == 0, probe.stderr
    where, count = probe.stdout.split()
    assert where == str(target / "tui" / "_data" / "exercises")
    assert count == "3"
