"""The linter behind `hptune-tui lint`: sbatch's reading of a script, and what it means.

Each finding has an id, a severity (error: sbatch refuses the script or the job cannot run
as asked; warning: sbatch does something other than what the learner probably meant; info:
facts worth seeing, such as the time limit in words) and a line number (0: the whole file).
Checks against the site's limits call the job form's own field checks (`fields`), so the form
and `lint` give the same verdict on the same value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.jobscript import fields as F
from tui.jobscript.arrays import DEFAULT_MAX_ARRAY_SIZE, parse_array
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.parser import Directive, ParsedScript, parse_script
from tui.jobscript.patterns import PatternError, check_pattern, pattern_letters
from tui.jobscript.software import software_finding
from tui.jobscript.source import binary_reason, undecodable_byte
from tui.jobscript.timefmt import TimeFormatError, parse_time

SEVERITIES = ("error", "warning", "info")
DEFAULT_ARRAY_OUTPUT = "slurm-%A_%a.out"


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    line: int
    message: str

    def to_dict(self) -> dict:
        return {"id": self.id, "severity": self.severity, "line": self.line, "message": self.message}


@dataclass
class LintReport:
    parsed: ParsedScript
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def add(self, id: str, severity: str, line: int, message: str) -> None:
        self.findings.append(Finding(id, severity, line, message))


def lint_script(text: str, limits: ClusterLimits | None = None, submit_dir: Path | None = None,
                remote: bool = False) -> LintReport:
    """Lint the batch script `text`.

    Args:
        text: the whole script; bytes that were not UTF-8 may be kept as surrogate escapes
            (`source.decode_script`), and are then named as such.
        limits: cluster facts, when known (partitions, accounts, MaxArraySize): `limits.site_limits`.
        submit_dir: the folder sbatch will be run from; when given, missing output folders are flagged.
        remote: the script goes to a cluster over ssh, where the app's own Python is not the job's.

    Returns:
        The parsed script and its findings, sorted by line.
    """
    report = LintReport(parse_script(text))
    limits = limits or ClusterLimits()
    _file_checks(text, report)
    _parser_findings(report)
    _value_checks(report, limits, submit_dir)
    software = software_finding(report.parsed, remote)
    if software is not None:
        report.add("python-no-setup", *software)
    report.findings.sort(key=lambda f: (f.line, SEVERITIES.index(f.severity)))
    return report


def _file_checks(text: str, report: LintReport) -> None:
    if not text.startswith("#!"):
        report.add("no-shebang", "error", 1, "sbatch wants the first line to start with #! and an interpreter, "
                   "such as #!/bin/bash")
    binary = binary_reason(text)
    if binary:
        # Random bytes hold \r\n and undecodable bytes too: say "binary" once, not those.
        report.add("nul-character" if "\0" in text else "binary-file", "error", binary[0], binary[1])
    elif "\r\n" in text:
        line = text[:text.index("\r\n")].count("\n") + 1
        report.add("dos-line-breaks", "error", line, "the file has Windows line ends (\\r\\n), which sbatch refuses; "
                   "convert it with dos2unix")
    undecodable = "" if binary else undecodable_byte(text)
    if undecodable:
        report.add("not-utf8", "warning", undecodable[0], undecodable[1])
    if not report.parsed.body.strip():
        report.add("no-command", "warning", 0, "the script has no command: the job would do nothing")


def _parser_findings(report: LintReport) -> None:
    parsed = report.parsed
    for problem in parsed.problems:
        report.add(problem.id, problem.severity, problem.line, problem.message)
    for line, text in parsed.ignored:
        report.add("ignored-directive", "warning", line,
                   f"sbatch ignores {text.strip()!r}: it comes after the first command (line {parsed.body_line}); "
                   "move it above every command")
    seen: dict[str, Directive] = {}
    for directive in parsed.occurrences:
        earlier = seen.get(directive.option)
        if earlier is not None and earlier.value != directive.value:
            report.add("duplicate-option", "warning", directive.line,
                       f"--{directive.option} is also given on line {earlier.line}; sbatch uses the last one, "
                       f"{directive.value!r}")
        seen[directive.option] = directive
    if not parsed.occurrences:
        report.add("no-directives", "info", 0, "no #SBATCH directives: the job gets the cluster's defaults")


def _value_checks(report: LintReport, limits: ClusterLimits, submit_dir: Path | None) -> None:
    # sbatch checks every occurrence as it reads it, so an overridden bad value still fails.
    for directive in report.parsed.occurrences:
        check = _CHECKS.get(directive.option)
        if check is not None and directive.value is not None:
            check(report, directive, limits)
    memory = F.check_memory_options(report.parsed.directives)
    if memory:
        line = max(report.parsed.directives[name].line for name in F.MEMORY_OPTIONS
                   if name in report.parsed.directives)
        report.add("mem-exclusive", "error", line, memory)
    if "array" in report.parsed.directives:
        _array_output_checks(report)
    if submit_dir is not None:
        _output_folder_checks(report, submit_dir)


def _check_time(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    try:
        limit = parse_time(d.value)
    except TimeFormatError as exc:
        report.add("bad-time", "error", d.line, str(exc))
        return
    report.add("time-limit", "info", d.line, f"time limit {d.value!r} = {limit.words}")
    if limit.form == "MM:SS":
        minutes, seconds = d.value.split(":")
        report.add("time-minutes-seconds", "warning", d.line,
                   f"{d.value!r} is MINUTES:SECONDS, so {limit.words}, not {int(minutes)} hours; "
                   f"for hours write {minutes}:{seconds}:00, or 0:{d.value} to say minutes plainly")
    if limit.out_of_range:
        report.add("time-odd-field", "warning", d.line, f"{d.value!r} has {limit.out_of_range}")
    over = F.time_over_limit(limit, report.parsed.value("partition", ""), limits)
    if over:
        report.add("time-over-limit", "error", d.line, over)


def _check_array(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    problem = F.check_array(d.value, limits)
    if problem:
        report.add("bad-array", "error", d.line, problem)
        return
    spec = parse_array(d.value, limits.max_array_size)
    report.add("array-size", "info", d.line, f"--array={d.value}: {spec.describe()}")
    if limits.max_array_size is None and spec.max_id >= DEFAULT_MAX_ARRAY_SIZE:
        report.add("array-over-default-max", "warning", d.line,
                   f"task id {spec.max_id} is not below Slurm's default MaxArraySize of {DEFAULT_MAX_ARRAY_SIZE}; "
                   "check this cluster's value with: scontrol show config | grep MaxArraySize")
    if spec.limit is None and spec.count > 100:
        report.add("array-no-limit", "info", d.line, f"{spec.count} tasks may all start at once; add %N "
                   "(e.g. %20) to leave room for others in the queue")


def _check_mem(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    problem = F.check_mem(d.value)
    if problem:
        report.add("bad-mem", "error", d.line, f"--{d.option}: {problem}")
    elif d.value.isdigit() and d.value != "0":
        report.add("mem-no-unit", "warning", d.line, f"--{d.option}={d.value} means {d.value} megabytes; "
                   f"write {d.value}M to say so, or a G value (4G) if you meant gigabytes")


def _field_check(finding: str, check, named: bool = True):
    """A check that reports the job form's own verdict on the value (`check(d, limits)`, from
    `fields`) as one error, prefixed with the option where the verdict does not name it."""
    def run(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
        problem = check(d, limits)
        if problem:
            report.add(finding, "error", d.line, f"--{d.option}: {problem}" if named else problem)
    return run


def _check_pattern(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    try:
        check_pattern(d.value)
    except PatternError as exc:
        report.add("unknown-pattern", "warning", d.line, f"--{d.option}: {exc}; sbatch leaves it as written")


_check_count = _field_check("bad-number", lambda d, _: F.check_nodes(d.value) if d.option == "nodes"
                            else F.check_count(d.value, d.option))
_CHECKS = {
    "time": _check_time, "array": _check_array, "mem": _check_mem, "mem-per-cpu": _check_mem,
    "mem-per-gpu": _check_mem, "nodes": _check_count, "cpus-per-task": _check_count, "ntasks": _check_count,
    "gpus-per-node": _field_check("bad-gpus", lambda d, limits: F.check_gpus(d.value, limits)),
    "output": _check_pattern, "error": _check_pattern,
    "partition": _field_check("unknown-partition", lambda d, limits: F.check_partition(d.value, limits), False),
    "account": _field_check("unknown-account", lambda d, limits: F.check_account(d.value, limits), False),
}


def _array_output_checks(report: LintReport) -> None:
    for option in ("output", "error"):
        directive = report.parsed.directives.get(option)
        if directive is None or directive.value is None:
            continue
        letters = pattern_letters(directive.value)
        if "a" not in letters and "j" in letters:
            report.add("array-output-jobid", "warning", directive.line,
                       f"--{option}={directive.value}: %j differs for every task, so nothing is overwritten, but the "
                       "files do not show which array and task wrote them; use %A_%a")
        elif "a" not in letters:
            report.add("array-output-shared", "warning", directive.line,
                       f"--{option}={directive.value}: every array task writes to this same file; "
                       "add %A_%a (array job id and task id) to the name")
        elif "A" not in letters:
            report.add("array-output-no-array-id", "info", directive.line,
                       f"--{option}={directive.value}: the next run of this array writes over these files; add %A")


_SUBMIT_PATTERN = re.compile(r"%[0-9]*[A-Za-z%]")


def _output_folder_checks(report: LintReport, submit_dir: Path) -> None:
    chdir = report.parsed.value("chdir")
    base = submit_dir / chdir if chdir else submit_dir
    for option in ("output", "error"):
        directive = report.parsed.directives.get(option)
        if directive is None or not directive.value or "/" not in directive.value:
            continue
        folder = directive.value.rsplit("/", 1)[0]
        if _SUBMIT_PATTERN.search(folder) or not folder:
            continue
        if not (base / folder).is_dir():
            report.add("output-folder-missing", "warning", directive.line,
                       f"the folder {folder!r} of --{option} does not exist: `hptune-tui submit` and the app's "
                       f"Submit create it, plain sbatch does not (the job would fail without a log); "
                       f"before sbatch, run: mkdir -p {folder}")
