"""Submit a job script and record it: the one path behind `hptune-tui submit` and the form's Submit.

Before the backend sees the script: the folders of `--output`/`--error` are created (sbatch
does not, and a job that cannot open its output dies without a word), and the script is linted
with what `doctor` learned about the site; a script that sbatch would refuse, or whose job could
not run as asked, is refused here with lint's reasons. After: the job goes into its run's
run.json, so that `status`, the jobs screen and the checks find it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.cluster.backend import BackendError
from tui.cluster.registry import sbatch_like  # the backends that read #SBATCH lines

_UNKNOWN_IN_FOLDER = ("%j", "%A", "%a", "%N", "%n", "%t", "%s", "%J", "%b")


@dataclass
class Submission:
    """What a submission did: the job id ("" for a test), where it was recorded, what was done on the way."""

    job_id: str
    backend: str
    run_dir: Path | None = None
    message: str = ""  # the scheduler's answer to a test (`--test-only`)
    notes: list[str] = field(default_factory=list)  # e.g. "created logs/"
    warnings: list[str] = field(default_factory=list)  # lint warnings, shown but not blocking


def output_folders(text: str, submit_dir: Path) -> list[Path]:
    """The folders the job's `--output`/`--error` files go into, as far as they can be known here.

    Relative names count from `--chdir` (itself relative to the submit folder) or the submit folder;
    a folder that depends on the job id (`logs/%j/`) is made by nobody and left out.
    """
    from tui.jobscript.parser import parse_script
    from tui.jobscript.patterns import expand_pattern

    parsed = parse_script(text)
    chdir = parsed.value("chdir")
    base = Path(submit_dir) / chdir if chdir else Path(submit_dir)
    values = {"x": parsed.value("job-name") or "", "u": _user()}
    folders = []
    for option in ("output", "error"):
        pattern = parsed.value(option)
        if not pattern or "/" not in pattern:
            continue
        folder = expand_pattern(pattern.rsplit("/", 1)[0], values)
        if folder and not any(token in folder for token in _UNKNOWN_IN_FOLDER):
            folders.append(base / folder)
    return list(dict.fromkeys(folders))


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def make_output_folders(backend, folders: list[Path]) -> list[str]:
    """Create the folders (on the cluster, for a backend that has `ensure_folders`); the notes to show.

    Raises:
        BackendError: a folder that cannot be created, with the reason; nothing was submitted.
    """
    missing = [f for f in folders if not f.is_dir()]
    if not missing:
        return []
    ensure = getattr(backend, "ensure_folders", None)
    try:
        if ensure is not None:
            ensure(missing)
        else:
            for folder in missing:
                folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackendError(f"cannot create the folder {exc.filename or missing[0]} for the job's output: "
                           f"{exc.strerror or exc}", "the job could not write its log there; choose another "
                           "--output folder, one you may write to") from exc
    return [f"created {folder}/ for the job's output" for folder in missing]


def lint_before_submit(text: str, submit_dir: Path, workspace: Path | None, remote: bool) -> list[str]:
    """Lint with the site's limits; raise BackendError listing the errors, return the warnings.

    A missing output folder is not counted: it was created just before.
    """
    from tui.jobscript.limits import site_limits
    from tui.jobscript.lint import lint_script

    report = lint_script(text, limits=site_limits(workspace), submit_dir=submit_dir, remote=remote)
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        lines = [f"line {f.line}: {f.message}" if f.line else f.message for f in errors]
        raise BackendError("the script was not submitted:\n" + "\n".join(lines),
                           "fix it in the form or in the file; `hptune-tui lint SCRIPT` shows every finding")
    warnings = [f for f in report.findings if f.severity == "warning" and f.id != "output-folder-missing"]
    return [f"line {f.line}: {f.message}" if f.line else f.message for f in warnings]


def read_script(script: Path) -> str:
    """The script's text, read as lint reads it (bounded by sbatch's size limit, bytes named);
    BackendError when it cannot be read as a job script."""
    from tui.jobscript.source import read_script_text

    try:
        return read_script_text(script)
    except FileNotFoundError as exc:
        raise BackendError(f"no such script: {script}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BackendError(f"cannot read {script}: {getattr(exc, 'strerror', None) or exc}") from exc


def submit_script(backend, script: Path, *, test_only: bool = False, text: str | None = None,
                  workspace: Path | None = None, host: str = "", submit_dir: Path | None = None) -> Submission:
    """Check, submit and record `script` (submitted from its own folder) through `backend`.

    Args:
        backend: the Backend to submit to (tui.cluster.factory.make_backend).
        script: the job script on disk (the form saves it first).
        test_only: ask when it would start (`sbatch --test-only`); nothing is submitted or recorded.
        text: the script's text when the caller has it (the form's rendering); default: the file.
        workspace: the learner's workspace: the site limits from `doctor`'s cache come from there.
        host: the ssh target, recorded in run.json for the ssh backend.
        submit_dir: the folder it is submitted from (default: the script's); the form tests its text
            from a temporary copy, submitted from the exercise folder.

    Raises:
        BackendError: refused here (a folder, lint errors) or by the scheduler, with a hint.
    """
    script = Path(script).expanduser().resolve()
    submit_dir = Path(submit_dir).resolve() if submit_dir else script.parent
    text = read_script(script) if text is None else text
    notes: list[str] = []
    warnings: list[str] = []
    if sbatch_like(backend.name):  # sbatch refuses a script without #!, and lint says so
        # A test makes them too: an empty log folder is harmless, and the test then answers for
        # the job as it will be submitted (the local runner checks that it can open its output).
        notes += make_output_folders(backend, output_folders(text, submit_dir))
        warnings += lint_before_submit(text, submit_dir, workspace, remote=backend.name == "ssh")
    result = backend.submit(script, submit_dir, test_only=test_only)
    if test_only:
        return Submission("", backend.name, None, result.message or "accepted", notes, warnings)
    from tui.cluster.tracking import record_submitted

    try:
        run_dir = record_submitted(script, submit_dir, backend.name, result.job_id,
                                   host if backend.name == "ssh" else "", text, workspace=workspace)
    except OSError as exc:  # the job runs anyway; only the app's record of it is missing
        notes.append(f"not recorded in its run folder: {exc}")
        run_dir = None
    return Submission(result.job_id, backend.name, run_dir, "", notes, warnings)


def submit_text(backend, text: str, path: Path, *, test_only: bool = False, workspace: Path | None = None,
                host: str = "") -> Submission:
    """The job form's Submit (of `text`, saved at `path`) and Test on cluster: a test hands the
    backend a temporary copy of `text`, submitted from `path`'s folder, so the learner's file
    stays as it is (it may hold an older script, or not exist yet).

    Raises:
        BackendError: as `submit_script`; also for a test on a backend that cannot test.
    """
    if not test_only:
        return submit_script(backend, path, text=text, workspace=workspace, host=host)
    if not getattr(backend, "IMPLEMENTS_TEST_ONLY", False):
        raise BackendError(f"the {backend.name} backend cannot test a script; on the cluster, sbatch --test-only does")
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / Path(path).name
        script.write_text(text, encoding="utf-8")
        return submit_script(backend, script, test_only=True, text=text, workspace=workspace,
                             submit_dir=Path(path).parent)
