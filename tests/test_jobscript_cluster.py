"""Rendered scripts against the real single-node SLURM cluster of the test suite.

A valid script passes `sbatch --test-only`; a wrong account, an unknown partition and a time
over the partition's limit come back with the scheduler's own words; and sbatch reads
tricky values (quotes, #, $(...), non-ASCII) from our #SBATCH lines exactly as our parser does.
"""

from __future__ import annotations

import pytest

from tui.jobscript.parser import parse_script
from tui.jobscript.render import render
from tui.jobscript.spec import JobSpec
from tui.jobscript.templates import template_info

pytestmark = pytest.mark.slurm
BASE = ["account=course", "partition=debug", "time=00:01:00", "cpus_per_task=1", "mem=100M"]


def write_script(tmp_path, template: str, *pairs: str):
    info = template_info(template)
    spec = JobSpec.from_pairs(BASE + list(pairs), base=info.default_spec(), extra_keys=tuple(info.extras))
    script = tmp_path / "job.sh"
    script.write_text(render(template, spec))
    (tmp_path / "logs").mkdir(exist_ok=True)
    return script


@pytest.mark.parametrize("template", ["single", "array", "optuna_workers", "hq_workers"])
def test_rendered_scripts_pass_test_only(slurm_cluster, tmp_path, template):
    script = write_script(tmp_path, template)
    done = slurm_cluster.run("sbatch", "--test-only", str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "to start at" in done.stderr


@pytest.mark.parametrize("pair, words", [
    ("account=nosuch", "invalid account"),
    ("partition=nosuch", "invalid partition"),
    ("partition=short", "time limit"),  # with time=00:10:00 below, over short's 5 minutes
])
def test_scheduler_refusals_come_back_in_its_words(slurm_cluster, tmp_path, pair, words):
    script = write_script(tmp_path, "single", "time=00:10:00", pair)
    done = slurm_cluster.run("sbatch", "--test-only", str(script), cwd=tmp_path)
    assert done.returncode != 0
    assert words in done.stderr.lower()


@pytest.mark.parametrize("name", ["a b'c", 'q"uote #hash', "ñ 日本", "$(touch x)", "semi;colon", "`id`", "'", '"',
                                  "#", "a  b", "it's \"both\"", "--time=1", " lead"])
def test_sbatch_reads_the_job_name_as_our_parser_does(slurm_cluster, tmp_path, name):
    script = write_script(tmp_path, "single", f"job_name={name}")
    assert parse_script(script.read_text()).value("job-name") == name
    done = slurm_cluster.run("sbatch", "--hold", "--parsable", str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip().split(";")[0]
    try:
        shown = slurm_cluster.run("squeue", "--noheader", "-j", job_id, "-o", "%j")
        assert shown.stdout.rstrip("\n") == name
    finally:
        slurm_cluster.run("scancel", job_id)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("written", ["'a\\b'", "a\\ b", '"x y"#c', "a'b c'd", '"q\\"q"', "'x'\"y\" # comment",
                                     "x --bogus-word", "a\\'b", "my-hetjob-x"])
def test_parser_matches_sbatch_on_hand_written_lines(slurm_cluster, tmp_path, written):
    script = tmp_path / "raw.sh"
    script.write_text(f"#!/bin/bash\n#SBATCH -A course -t 1\n#SBATCH --job-name={written}\ntrue\n")
    parsed = parse_script(script.read_text())
    done = slurm_cluster.run("sbatch", "--hold", "--parsable", str(script), cwd=tmp_path)
    if any(problem.severity == "error" for problem in parsed.problems):
        assert done.returncode != 0, done.stdout  # refused by both
        return
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip().split(";")[0]
    try:
        shown = slurm_cluster.run("squeue", "--noheader", "-j", job_id, "-o", "%j")
        assert shown.stdout.rstrip("\n") == parsed.value("job-name")
    finally:
        slurm_cluster.run("scancel", job_id)


@pytest.mark.parametrize("lines, refused", [
    (["--mem=100M", "--mem-per-cpu=100M"], True),  # mutually exclusive
    (["--mem-per-cpu=100M"], False),
    (["-p short", "-t 6:00"], True),  # over short's 5 minutes
    (["-p short", "-t 4:00"], False),
    (["--array=0-{max}"], True),  # MaxArraySize as doctor found it, not Slurm's default
    (["--array=0-{last}"], False),
])
def test_lint_errors_with_discovered_limits_are_sbatch_refusals(slurm_cluster, tmp_path, lines, refused):
    import functools

    from tui.cluster.discovery import discover, local_run
    from tui.jobscript.limits import limits_from_info
    from tui.jobscript.lint import lint_script

    limits = limits_from_info(discover(functools.partial(local_run, env=slurm_cluster.env)))
    size = slurm_cluster.max_array_size
    header = "".join(f"#SBATCH {line.format(max=size, last=size - 1)}\n" for line in ["-A course -t 1", *lines])
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/bash\n" + header + "true\n")
    done = slurm_cluster.run("sbatch", "--test-only", str(script), cwd=tmp_path)
    assert (done.returncode != 0) is refused, done.stderr
    assert lint_script(script.read_text(), limits=limits).has_errors is refused
