"""The linter behind `hptune-tui lint`: sbatch's reading of a script, and what it means.

Each finding has an id, a severity (error: sbatch refuses the script or the job cannot run
as asked; warning: sbatch does something other than what the learner probably meant; info:
facts worth seeing, such as the time limit in words) and a line number (0: the whole file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.jobscript import fields as F
from tui.jobscript.arrays import DEFAULT_MAX_ARRAY_SIZE, ArrayFormatError, parse_array
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.parser import Directive, ParsedScript, parse_script
from tui.jobscript.patterns import PatternError, check_pattern, pattern_letters
from tui.jobscript.timefmt import TimeFormatError, describe_seconds, parse_time

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


def lint_script(text: str, limits: ClusterLimits | None = None, submit_dir: Path | None = None) -> LintReport:
    """Lint the batch script `text`.

    Args:
        text: the whole script.
        limits: cluster facts, when known (partitions, accounts, MaxArraySize).
        submit_dir: the folder sbatch will be run from; when given, missing output folders are flagged.

    Returns:
        The parsed script and its findings, sorted by line.
    """
    report = LintReport(parse_script(text))
    limits = limits or ClusterLimits()
    _file_checks(text, report)
    _parser_findings(report)
    _value_checks(report, limits, submit_dir)
    report.findings.sort(key=lambda f: (f.line, SEVERITIES.index(f.severity)))
    return report


def _file_checks(text: str, report: LintReport) -> None:
    if not text.startswith("#!"):
        report.add("no-shebang", "error", 1, "sbatch wants the first line to start with #! and an interpreter, "
                   "such as #!/bin/bash")
    if "\r\n" in text:
        line = text[:text.index("\r\n")].count("\n") + 1
        report.add("dos-line-breaks", "error", line, "the file has Windows line ends (\\r\\n), which sbatch refuses; "
                   "convert it with dos2unix")
    if "\0" in text:
        report.add("nul-character", "error", text[:text.index("\0")].count("\n") + 1,
                   "the file contains a NUL character; sbatch refuses it")
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
    partition = report.parsed.value("partition", "")
    max_seconds = (limits.partitions or {}).get(partition)
    if max_seconds is not None and (limit.seconds is None or limit.seconds > max_seconds):
        report.add("time-over-limit", "error", d.line, f"{limit.words} is over the limit of partition "
                   f"{partition!r}, {describe_seconds(max_seconds)}; the job would never start")


def _check_array(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    try:
        spec = parse_array(d.value, limits.max_array_size)
    except ArrayFormatError as exc:
        report.add("bad-array", "error", d.line, str(exc))
        return
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


def _check_count(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    problem = F.check_nodes(d.value) if d.option == "nodes" else F.check_count(d.value, d.option)
    if problem:
        report.add("bad-number", "error", d.line, f"--{d.option}: {problem}")


def _check_gpus(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    problem = F.check_gpus(d.value, limits)
    if problem:
        report.add("bad-gpus", "error", d.line, f"--{d.option}: {problem}")


def _check_pattern(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    try:
        check_pattern(d.value)
    except PatternError as exc:
        report.add("unknown-pattern", "warning", d.line, f"--{d.option}: {exc}; sbatch leaves it as written")


def _check_partition(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    problem = F.check_partition(d.value, limits)
    if problem:
        report.add("unknown-partition", "error", d.line, problem)


def _check_account(report: LintReport, d: Directive, limits: ClusterLimits) -> None:
    problem = F.check_account(d.value, limits)
    if problem:
        report.add("unknown-account", "error", d.line, problem)


_CHECKS = {
    "time": _check_time, "array": _check_array, "mem": _check_mem, "mem-per-cpu": _check_mem,
    "mem-per-gpu": _check_mem, "nodes": _check_count, "cpus-per-task": _check_count, "ntasks": _check_count,
    "gpus-per-node": _check_gpus, "output": _check_pattern, "error": _check_pattern,
    "partition": _check_partition, "account": _check_account,
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
                       f"the folder {folder!r} of --{option} does not exist; sbatch does not create it and the "
                       f"job fails without a log. Run: mkdir -p {folder}")
