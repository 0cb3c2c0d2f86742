"""Job scripts: the JobSpec form model, Jinja2 rendering, and sbatch's reading of #SBATCH lines.

Never imports textual. Jinja2 is imported only when a script is rendered.

    parse_script(text)          -> ParsedScript (see tui.jobscript.parser)
    lint_script(text, limits)   -> LintReport with findings (id, severity, line, message)
    JobSpec(...).validate()     -> {field: message}
    render(template, spec)      -> the script text (raises InvalidSpec)
"""

from tui.jobscript.lint import Finding, LintReport, lint_script
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.parser import Directive, ParsedScript, parse_script
from tui.jobscript.spec import JobSpec, SpecInputError

__all__ = ["ClusterLimits", "Directive", "Finding", "JobSpec", "LintReport", "ParsedScript", "SpecInputError",
           "lint_script", "parse_script"]
