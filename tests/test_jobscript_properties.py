"""No value in any field can inject a command or a directive (property-based).

Every field gets arbitrary text: quotes, $(...), backticks, ;, newlines, NUL, very long and
non-ASCII values. Each value either fails validation, on that field and with a message, or
gives a script that `bash -n` accepts, whose #SBATCH lines sbatch reads as exactly the
spec's directives (the fuzzed one once, equal to the input), and whose run (fake cluster
programs, a harmless command) creates no marker file and hands the value over unchanged.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from tests.jobscript_support import bash_syntax_ok, calls, run_script
from tui.jobscript.parser import parse_script
from tui.jobscript.render import InvalidSpec, render
from tui.jobscript.spec import DIRECTIVE_FIELDS
from tui.jobscript.templates import TEMPLATES, template_info, validate_for

INJECTIONS = [
    'touch "$MARKER"', '$(touch "$MARKER")', '`touch "$MARKER"`', "'; touch \"$MARKER\"; '",
    '"; touch "$MARKER"; "', '\ntouch "$MARKER"\n', "x\n#SBATCH --wrap=touch", "a\0b", "a\\'b",
    "${MARKER:+$(touch $MARKER)}", '|| touch "$MARKER"', "&& touch $MARKER #", "-- touch $MARKER",
    "#SBATCH --wrap='touch $MARKER'", "my-hetjob", "PackJob", "' #", "ñ 日本 🙂", "\u2028touch $MARKER",
    "\r\ntouch $MARKER", "x" * 5000, "$'\\x41'", "!!", "*", "~", "a=b", " ", "", ":x", "-x", "--time=1",
    "%x-%A_%a.out", "A40:1", "0-3%2", "10:00", "\t", "\x1b[31m", "'", '"', "\\",
]
# (template, target): the directive fields on the array template, the set-up and the
# command on the single job and the HQ helper, and every template's extras.
TARGETS = ([("array.sh.j2", field) for field in DIRECTIVE_FIELDS]
           + [(name, field) for name in ("single.sh.j2", "hq_server.sh.j2")
              for field in ("modules", "image", "venv", "command")]
           + [(name, f"extras.{key}") for name, info in TEMPLATES.items() for key in info.extras])
# Harmless commands that show what the script handed over (the fake `python` records its arguments).
COMMANDS = {"array.sh.j2": 'python "$RUN_DIR"',
            "optuna_workers.sh.j2": 'python "$RUN_DIR" "$STUDY_JOURNAL" "$STUDY_NAME" "$N_TRIALS"'}

values = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=40),
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=8), st.sampled_from(INJECTIONS), st.text(max_size=8)),
    st.text(min_size=300, max_size=3000),
)


def note(name: str) -> None:
    """Count outcomes in --hypothesis-show-statistics (only inside a hypothesis test)."""
    if currently_in_test_context():
        event(name)


def build_spec(template: str, target: str, value: str):
    spec = template_info(template).default_spec()
    spec.env = "none"
    if target != "command":
        spec.command = COMMANDS.get(template, "true")
    if target.startswith("extras."):
        spec.extras[target[len("extras."):]] = value
    elif target == "modules":
        spec.env, spec.modules = "modules", [value]
    elif target == "image":
        spec.env, spec.image = "apptainer", value
    elif target == "venv":
        spec.env, spec.venv = "venv", value
    else:
        setattr(spec, target, value)
    return spec


def safe_to_run(template: str, target: str, value: str) -> bool:
    """Run the script unless it would touch paths outside its folder or wait for an HQ server."""
    if target == "command":
        return False  # the command is, by definition, what runs
    if value.startswith("/") or ".." in value:
        return False
    if target == "extras.hq":
        return template == "hq_workers.sh.j2" and "MARKER" in value
    return True


def check_value(template: str, target: str, value: str, workdir: Path) -> None:
    info = template_info(template)
    spec = build_spec(template, target, value)
    errors = validate_for(info, spec)
    note("refused" if errors else "rendered")
    if errors:
        assert list(errors) == [target], errors
        assert errors[target].strip()
        with pytest.raises(InvalidSpec):
            render(template, spec)
        return
    text = render(template, spec)
    syntax = bash_syntax_ok(text, workdir)
    assert syntax.returncode == 0, syntax.stderr
    parsed = parse_script(text)
    assert parsed.problems == [] and parsed.ignored == []
    assert [(d.option, d.value) for d in parsed.occurrences] == spec.directives()
    if target in DIRECTIVE_FIELDS and value:
        read = [d.value for d in parsed.occurrences if d.option == DIRECTIVE_FIELDS[target]]
        assert read == [value]
    if safe_to_run(template, target, value):
        note("ran")
        run_and_check(template, target, value, spec, text, workdir)


def run_and_check(template, target, value, spec, text, workdir):
    result = run_script(text, workdir)
    assert not (workdir / "MARKER").exists(), (value, result.stderr)
    recorded = calls(workdir)
    if target == "modules":
        assert recorded[:2] == [["module", "purge"], ["module", "load", value]]
    elif target == "image" and template == "single.sh.j2":
        assert recorded == [["apptainer", "exec", value, "bash", "-c", "true"]]
    elif target.startswith("extras.") and template in COMMANDS:
        assert result.returncode == 0, result.stderr
        run_dir = spec.extras["run_dir"] + "/local"  # no SLURM job id here: the run folder is <run_dir>/local
        expected = [run_dir] + ([f"{run_dir}/study.journal", spec.extras["study_name"], spec.extras["n_trials"]]
                                if template == "optuna_workers.sh.j2" else [])
        assert recorded == [["python"] + expected]


@pytest.mark.parametrize("template, target", TARGETS)
def test_known_injections_never_get_through(template, target, tmp_path):
    for index, value in enumerate(INJECTIONS):
        workdir = tmp_path / str(index)
        workdir.mkdir()
        check_value(template, target, value, workdir)


@pytest.mark.parametrize("template, target", TARGETS)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=values)
def test_arbitrary_values_never_get_through(template, target, value):
    with tempfile.TemporaryDirectory() as folder:
        check_value(template, target, value, Path(folder))


@settings(max_examples=40, deadline=None)
@given(job_name=values, output=values, time=values, array=values)
def test_several_fields_at_once(job_name, output, time, array):
    spec = template_info("array").default_spec()
    spec.command = "true"
    spec.job_name, spec.output, spec.time, spec.array = job_name, output, time, array
    errors = validate_for(template_info("array"), spec)
    assert set(errors) <= {"job_name", "output", "time", "array"}
    if not errors:
        parsed = parse_script(render("array", spec))
        assert [(d.option, d.value) for d in parsed.occurrences] == spec.directives()
