"""JobSpec: each field validates on its own; --set pairs; cluster limits; filename patterns."""

import pytest

from tui.jobscript.limits import ClusterLimits
from tui.jobscript.patterns import PatternError, check_pattern, expand_pattern, pattern_letters
from tui.jobscript.spec import JobSpec, SpecInputError
from tui.jobscript.templates import template_info, validate_for

VALID = dict(job_name="my job", account="naiss2024-22-1", partition="alvis", time="1-00:00:00", nodes="1-2",
             cpus_per_task="8", mem="500M", gpus_per_node="A40:1", array="0-15:4%2", output="logs/%x-%A_%a.out",
             error="logs/%x-%A_%a.err", workdir="/tmp/work dir", command='python train.py --seed "$RANDOM"')


def test_a_full_valid_spec_has_no_errors():
    assert JobSpec(**VALID).validate() == {}


@pytest.mark.parametrize("field, value, words", [
    ("job_name", "a\nb", "newline"),
    ("job_name", "x\0", "NUL"),
    ("job_name", "a\\b", "backslash"),
    ("job_name", "my-hetjob", "heterogeneous"),
    ("job_name", "x" * 201, "at most 200"),
    ("account", "my account", "letters, digits"),
    ("partition", "gpu;rm", "letters, digits"),
    ("time", "10h", "HH:MM:SS"),
    ("time", "10:61", "seconds field"),
    ("nodes", "0", "nodes is a number"),
    ("nodes", "4-2", "backwards"),
    ("cpus_per_task", "-1", "whole number"),
    ("cpus_per_task", "1.5", "whole number"),
    ("mem", "4GB", "no B"),
    ("mem", "lots", "unit K, M, G or T"),
    ("gpus_per_node", "A40", "TYPE:COUNT"),
    ("gpus_per_node", "A40:0", "TYPE:COUNT"),
    ("gpus_per_node", "gpu:A40:1", "TYPE:COUNT"),
    ("array", "0-9%0", "%0"),
    ("output", "logs/%q.out", "not a file name pattern"),
    ("output", "logs/\t.out", "tab"),
    ("workdir", "a\\b", "backslash"),
    ("env", "conda", "one of none"),
    ("command", "echo 'unclosed", "not valid shell"),
    ("command", "true \\", "backslash"),
    ("command", "cat <<EOF", "here-document"),
    ("command", "if true", "not valid shell"),
    ("command", "true\nrm -rf x", "newline"),
])
def test_each_bad_field_is_reported_on_that_field_only(field, value, words):
    spec = JobSpec(**{**VALID, field: value})
    errors = spec.validate()
    assert list(errors) == [field]
    assert words in errors[field]


def test_environment_kinds_need_their_value():
    assert "modules" in JobSpec(env="modules").validate()
    assert "image" in JobSpec(env="apptainer").validate()
    assert "venv" in JobSpec(env="venv").validate()
    assert JobSpec(env="modules", modules=["PyTorch/2.1.2"]).validate() == {}
    assert "no spaces" in JobSpec(env="modules", modules=["a b"]).validate()["modules"]


def test_cluster_limits_flag_values_beyond_them():
    limits = ClusterLimits(partitions={"cpu": 3600, "gpu": None}, accounts=("proj1",), gpu_types=("A40",),
                           max_array_size=100)
    spec = JobSpec(partition="cpu", time="2:00:00", account="other", gpus_per_node="V100:1", array="0-100")
    errors = spec.validate(limits)
    assert "over the limit of partition 'cpu', 1 hour" in errors["time"]
    assert "proj1" in errors["account"]
    assert "A40" in errors["gpus_per_node"]
    assert "MaxArraySize is 100" in errors["array"]
    assert "has cpu, gpu" in JobSpec(partition="nope").validate(limits)["partition"]
    assert JobSpec(partition="gpu", time="UNLIMITED").validate(limits) == {}


def test_from_pairs_accepts_aliases_lists_and_extras():
    spec = JobSpec.from_pairs(["job-name=a=b", "cpus-per-task=4", "chdir=/w", "modules=A/1, B/2",
                               "extras.seed=3", "run_dir=runs/x"], extra_keys=("run_dir",))
    assert (spec.job_name, spec.cpus_per_task, spec.workdir) == ("a=b", "4", "/w")
    assert spec.modules == ["A/1", "B/2"]
    assert spec.extras == {"seed": "3", "run_dir": "runs/x"}


def test_from_pairs_reports_every_bad_pair_with_a_suggestion():
    with pytest.raises(SpecInputError) as exc:
        JobSpec.from_pairs(["jobname=x", "novalue", "=3"])
    problems = exc.value.problems
    assert len(problems) == 3
    assert "did you mean 'job_name'" in problems[0]
    assert "KEY=VALUE" in problems[1] and "KEY=VALUE" in problems[2]


def test_from_pairs_does_not_change_the_base():
    base = template_info("array").default_spec()
    JobSpec.from_pairs(["extras.run_dir=elsewhere", "modules=X"], base=base)
    assert base.extras["run_dir"] == "runs" and base.modules == []


def test_template_requirements_and_extras():
    info = template_info("array.sh.j2")
    spec = info.default_spec()
    assert validate_for(info, spec) == {}
    spec.array = ""
    spec.extras["bogus"] = "1"
    spec.extras["run_dir"] = ""
    errors = validate_for(info, spec)
    assert set(errors) == {"array", "extras.bogus", "extras.run_dir"}
    with pytest.raises(KeyError, match="templates: single"):
        template_info("nope")


@pytest.mark.parametrize("key, value, words", [
    ("n_trials", "0", "whole number"), ("study_name", "a b", "letters"),
])
def test_optuna_extras_are_checked(key, value, words):
    info = template_info("optuna_workers")
    spec = info.default_spec()
    spec.extras[key] = value
    assert words in validate_for(info, spec)[f"extras.{key}"]


def test_login_node_helper_takes_no_directives():
    info = template_info("hq_server")
    spec = info.default_spec()
    spec.time = "1:00:00"
    assert "no #SBATCH lines" in validate_for(info, spec)["time"]


def test_hq_extras_are_checked():
    info = template_info("hq_server")
    spec = info.default_spec()
    spec.extras["tasks"] = "0-9%2"
    assert "drop the %N" in validate_for(info, spec)["extras.tasks"]
    workers = template_info("hq_workers")
    spec = workers.default_spec()
    spec.extras["idle_timeout"] = "5 minutes"
    assert "duration" in validate_for(workers, spec)["extras.idle_timeout"]


def test_patterns():
    assert pattern_letters("logs/%x-%A_%4a.out%%j") == {"x", "A", "a"}
    check_pattern("a%%b%j")
    with pytest.raises(PatternError):
        check_pattern("50%")
    values = {"x": "train", "A": 12, "a": 3, "j": 15}
    assert expand_pattern("logs/%x-%A_%3a.out", values) == "logs/train-12_003.out"
    assert expand_pattern("%%j-%j-%u", values) == "%j-15-%u"
