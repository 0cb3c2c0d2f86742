"""Render job scripts from `slurm_templates/` with Jinja2.

One quoting path: every value reaches a script through the `q` filter (shlex.quote). The
`#SBATCH` values it quotes are read back correctly by sbatch's own tokenizer too, because
validation keeps the characters on which the two differ (backslash, control characters) out.
The one value written unquoted is the learner's command, which must be shell code; its
validation asks bash whether it is one complete line. `render` validates first and refuses
an invalid spec, so no caller can skip the checks.
"""

from __future__ import annotations

import shlex
from functools import lru_cache

from tui.jobscript.limits import ClusterLimits
from tui.jobscript.spec import JobSpec
from tui.jobscript.templates import SUFFIX, TEMPLATES, template_info, validate_for
from tui.jobscript.textcheck import control_problem
from tui.jobscript.timefmt import TimeFormatError, parse_time, time_in_words

NO_LIMIT_WORKER_TIMEOUT_S = 3000  # when the script sets no --time (the partition's default applies)


class InvalidSpec(ValueError):
    """The spec has invalid fields; `errors` maps each to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def quote(value: object) -> str:
    """The `q` filter: shell-quote `value`; refuse what no script line may hold (defence in depth)."""
    text = str(value)
    problem = control_problem(text)
    if problem:
        raise ValueError(f"refusing to write a value that {problem}")
    return shlex.quote(text)


def worker_timeout(time_text: str) -> int:
    """Seconds after which an Optuna worker starts no new trial: two thirds of the job's time limit,
    so the last trial has the rest to finish before the scheduler stops the job."""
    try:
        seconds = parse_time(time_text).seconds if time_text else None
    except TimeFormatError:
        seconds = None
    return max(30, seconds * 2 // 3) if seconds else NO_LIMIT_WORKER_TIMEOUT_S


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    from tui.resources import templates_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # shell scripts, not HTML: quoting is the q filter's job
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["q"] = quote
    env.filters["in_words"] = time_in_words
    env.filters["worker_timeout"] = worker_timeout
    return env


def list_templates() -> list[str]:
    """The names of the templates a learner can render (partials starting with _ left out)."""
    from tui.resources import templates_dir

    present = {path.name for path in templates_dir().glob("*" + SUFFIX) if not path.name.startswith("_")}
    return [name for name in TEMPLATES if name in present]


def render(template_name: str, spec: JobSpec, limits: ClusterLimits | None = None) -> str:
    """Render the template `template_name` (with or without .sh.j2) for `spec`.

    Raises:
        KeyError: unknown template.
        InvalidSpec: the spec has invalid fields (nothing is rendered).
    """
    info = template_info(template_name)
    errors = validate_for(info, spec, limits)
    if errors:
        raise InvalidSpec(errors)
    template = _environment().get_template(info.name)
    return template.render(spec=spec, extras=spec.extras, info=info)
