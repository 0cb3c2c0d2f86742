"""Job scripts: the JobSpec form model, Jinja2 rendering, and sbatch's reading of #SBATCH lines.

Never imports textual. Jinja2 is imported only when a script is rendered.

    parse_script(text)          -> ParsedScript (see tui.jobscript.parser)
    lint_script(text, limits)   -> LintReport with findings (id, severity, line, message)
    site_limits(workspace)      -> ClusterLimits that `doctor` recorded (the form, lint and submit use it)
    read_script_text(path)      -> a script's text, read with sbatch's 4 MiB bound (ScriptReadError)
    JobSpec(...).validate()     -> {field: message}
    render(template, spec)      -> the script text (raises InvalidSpec)
"""

from tui.jobscript.lint import Finding, LintReport, lint_script
from tui.jobscript.limits import ClusterLimits, site_limits
from tui.jobscript.parser import Directive, ParsedScript, parse_script
from tui.jobscript.source import ScriptReadError, read_script_text
from tui.jobscript.spec import JobSpec, SpecInputError

__all__ = ["ClusterLimits", "Directive", "Finding", "JobSpec", "LintReport", "ParsedScript", "ScriptReadError",
           "SpecInputError", "lint_script", "parse_script", "read_script_text", "site_limits"]
