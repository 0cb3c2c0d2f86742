"""Rendering the bundled templates: valid bash, directives read back, commands run as written."""

import pytest

from tests.jobscript_support import bash_syntax_ok, calls, run_script
from tui.jobscript.lint import lint_script
from tui.jobscript.parser import parse_script
from tui.jobscript.render import InvalidSpec, list_templates, quote, render
from tui.jobscript.spec import DIRECTIVE_FIELDS
from tui.jobscript.templates import TEMPLATES, template_info

BATCH = [name for name, info in TEMPLATES.items() if info.batch]


def test_every_template_is_bundled():
    assert list_templates() == list(TEMPLATES)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_defaults_render_to_valid_bash_without_lint_errors(name, tmp_path):
    text = render(name, template_info(name).default_spec())
    assert bash_syntax_ok(text, tmp_path).returncode == 0
    report = lint_script(text)
    assert not report.has_errors, report.findings
    assert not [f for f in report.findings if f.severity == "warning"], report.findings


@pytest.mark.parametrize("name", BATCH)
def test_every_directive_field_is_written_and_read_back(name):
    spec = template_info(name).default_spec()
    values = dict(job_name="a b'c", account="proj-1", partition="gpu", time="1-00:00", nodes="2",
                  cpus_per_task="16", mem="32G", gpus_per_node="A40:1", array="0-3", output="logs/%x %A_%a.out",
                  error="logs/#%A_%a.err", workdir="/work/my dir")
    assert set(values) == set(DIRECTIVE_FIELDS)
    for field, value in values.items():
        setattr(spec, field, value)
    parsed = parse_script(render(name, spec))
    assert [(d.option, d.value) for d in parsed.occurrences] == spec.directives()
    assert parsed.problems == [] and parsed.ignored == []


def test_header_says_the_time_in_words():
    spec = template_info("single").default_spec()
    spec.time = "10:00"
    assert "#SBATCH --time=10:00  # time limit: 10 minutes;" in render("single", spec)


def test_invalid_spec_is_refused():
    spec = template_info("single").default_spec()
    spec.mem = "4GB"
    spec.command = ""
    with pytest.raises(InvalidSpec) as exc:
        render("single", spec)
    assert set(exc.value.errors) == {"mem", "command"}


def test_quote_refuses_control_characters():
    assert quote("a b") == "'a b'"
    with pytest.raises(ValueError, match="newline"):
        quote("a\nb")


def test_environment_setups():
    spec = template_info("single").default_spec()
    spec.env, spec.modules = "modules", ["PyTorch/2.1.2-foss-2023a", "matplotlib/3.8"]
    text = render("single", spec)
    assert "module purge\nmodule load PyTorch/2.1.2-foss-2023a\nmodule load matplotlib/3.8\n" in text
    spec.env, spec.venv = "venv", "my env"
    assert "source 'my env'/bin/activate\n" in render("single", spec)
    spec.env, spec.image, spec.gpus_per_node = "apptainer", "/images/torch.sif", "A40:1"
    text = render("single", spec)
    assert "export IMAGE=/images/torch.sif\n" in text
    assert "apptainer exec --nv \"$IMAGE\" bash -c 'python train.py'\n" in text


def test_array_script_runs_the_command_per_task(tmp_path):
    spec = template_info("array").default_spec()
    result = run_script(render("array", spec), tmp_path, {"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_JOB_ID": "41"})
    assert result.returncode == 0, result.stderr
    assert calls(tmp_path) == [["python", "-m", "tui.runtime.random_search", "--run-dir", "runs/41", "--sampler",
                                "sample.py", "--task-id", "7", "--seed", "0", "--epochs", "20"]]
    assert (tmp_path / "cwd" / "runs" / "41").is_dir()


def test_optuna_workers_share_the_journal(tmp_path):
    spec = template_info("optuna_workers").default_spec()
    result = run_script(render("optuna_workers", spec), tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls(tmp_path) == [["python", "-m", "tui.runtime.optuna_worker", "--run-dir", "runs/local",
                                "--objective", "objective.py", "--n-trials", "40", "--timeout", "2400",
                                "--pruner", "median", "--seed", "0", "--study-name", "digits-mlp"]]


@pytest.mark.parametrize("time, timeout", [("15:00", "600"), ("00:15:00", "600"), ("1-0", "57600"),
                                           ("", "3000"), ("0:30", "30")])
def test_optuna_worker_timeout_stays_under_the_time_limit(tmp_path, time, timeout):
    spec = template_info("optuna_workers").default_spec()
    spec.time = time
    result = run_script(render("optuna_workers", spec), tmp_path)
    assert result.returncode == 0, result.stderr
    argv = calls(tmp_path)[0]
    assert argv[argv.index("--timeout") + 1] == timeout


def test_apptainer_command_runs_inside_the_container(tmp_path):
    spec = template_info("single").default_spec()
    spec.env, spec.image, spec.command = "apptainer", "img dir/t.sif", 'python train.py --lr "1e-3"'
    result = run_script(render("single", spec), tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls(tmp_path) == [["apptainer", "exec", "img dir/t.sif", "bash", "-c", 'python train.py --lr "1e-3"']]


def test_hq_server_submits_the_sweep_and_the_workers(tmp_path):
    spec = template_info("hq_server").default_spec()
    result = run_script(render("hq_server", spec), tmp_path)
    assert result.returncode == 0, result.stderr
    recorded = calls(tmp_path)
    assert recorded[0] == ["hq", "--server-dir=hq-server", "server", "info"]
    assert ["hq", "--server-dir=hq-server", "submit", "--array=0-127", "--cpus=2", "--", "bash", "-c",
            'python tiny_task.py --run-dir runs/hq --task "$HQ_TASK_ID"'] in recorded
    assert recorded[-1] == ["sbatch", "--array=1-2", "hq_workers.sh"]


def test_hq_worker_starts_with_the_server_dir(tmp_path):
    spec = template_info("hq_workers").default_spec()
    spec.extras["server_dir"] = "my server"
    result = run_script(render("hq_workers", spec), tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls(tmp_path) == [["hq", "--server-dir=my server", "worker", "start", "--idle-timeout=5m"]]


def test_templates_never_use_separator_words():
    from tui.resources import templates_dir

    for path in templates_dir().glob("*.j2"):
        text = path.read_text().lower()
        assert "hetjob" not in text and "packjob" not in text, path.name


def test_hq_server_can_leave_the_worker_jobs_to_hyperqueue_automatic_allocation(tmp_path):
    spec = template_info("hq_server").default_spec()
    spec.extras.update(workers_by="alloc", alloc_time="30m", alloc_args="--account=course --partition=short")
    result = run_script(render("hq_server", spec), tmp_path)
    assert result.returncode == 0, result.stderr
    recorded = calls(tmp_path)
    assert recorded[-1] == ["hq", "--server-dir=hq-server", "alloc", "add", "slurm", "--time-limit=30m",
                            "--max-worker-count=2", "--", "--account=course", "--partition=short"]
    assert not [c for c in recorded if c[0] == "sbatch"]  # HyperQueue submits the workers itself


@pytest.mark.parametrize("key, value, words", [
    ("workers_by", "cron", "sbatch or alloc"),
    ("alloc_args", "--account=x; rm -rf ~", "one word each"),
    ("alloc_args", "-A x", "not '-A'"),
    ("alloc_time", "90", "a duration"),
])
def test_hq_server_refuses_bad_allocation_settings(key, value, words):
    from tui.jobscript.templates import validate_for

    spec = template_info("hq_server").default_spec()
    spec.extras[key] = value
    errors = validate_for(template_info("hq_server"), spec)
    assert list(errors) == [f"extras.{key}"] and words in errors[f"extras.{key}"]
    with pytest.raises(InvalidSpec):
        render("hq_server", spec)
