"""The job form's Save, Test on cluster and Submit, mixed into ScriptFormScreen.

Save writes the script (asking before it replaces a file that the form did not write) and notes
the form's values (`form_memory`). Test and Submit hand the script to the backend in a thread
worker, through the one submit workflow (`workflows.submit.submit_text`), and the answer comes
back as a ScriptSubmitted message shown below the preview.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.message import Message
from textual.widgets import Input, Static


class ScriptSubmitted(Message):
    """A worker's answer from the backend: `ok` False carries the scheduler's words in `text`."""

    def __init__(self, ok: bool, text: str, test_only: bool) -> None:
        super().__init__()
        self.ok, self.text, self.test_only = ok, text, test_only


class FormActions:
    """The actions of ScriptFormScreen, which provides `script_text` (the last valid rendering),
    `info` (the template), `errors`, `origin`, `refresh_preview()`, `current_spec()` and
    `_default_path()`. A plain class: Textual finds `on_script_submitted` by its name."""

    def _ready(self) -> bool:
        """True when the script is valid; otherwise say so and focus the first bad field."""
        self.refresh_preview()
        if not self.errors:
            return True
        first = next(iter(self.errors))
        self.notify(f"fix {first}: {self.errors[first]}", title="Not saved", severity="error")
        found = self.query(f"#f-{first.replace('extras.', 'extras-', 1)}")
        if found:
            found.first().focus()
        return False

    def action_save(self) -> None:
        if not self._ready():
            return
        path = self._save_target()
        if path is None:
            return
        if self._needs_confirmation(path):
            self._confirm_overwrite(path, lambda: self._write(path))
        else:
            self._write(path)

    def _needs_confirmation(self, path: Path) -> bool:
        from tui.jobscript.form_memory import overwrite_needs_asking

        return overwrite_needs_asking(self.app.settings.workspace, path, self.info.name, self.script_text)

    def _confirm_overwrite(self, path: Path, then) -> None:
        from tui.dialogs.confirm import ConfirmDialog

        self.app.push_screen(ConfirmDialog("Overwrite?", f"{path} exists. Replace it with this script?",
                                           yes="Overwrite", no="Keep it"),
                             callback=lambda yes: then() if yes else None)

    def _save_target(self) -> Path | None:
        """The 'save as' path (relative names go to the workspace), or None after saying why."""
        raw = self.query_one("#f-save", Input).value.strip()
        if not raw:
            self.notify("give a file name in 'save as'", severity="error")
            return None
        path = Path(raw).expanduser()
        return path if path.is_absolute() else self._default_path().parent / path

    def _write(self, path: Path) -> bool:
        from tui.fsutil import atomic_write_text

        try:
            atomic_write_text(path, self.script_text)
        except OSError as exc:
            self.notify(f"cannot write {path}: {exc.strerror or exc}", title="Not saved", severity="error")
            return False
        from tui.jobscript.form_memory import remember

        remember(self.app.settings.workspace, path, self.info.name, self.current_spec(), self.script_text)
        self.saved_path = path
        self.origin = f"your saved {path.name}"
        self._show_result(f"saved {path}")
        return True

    def _show_result(self, text: str, ok: bool = True) -> None:
        """The outcome of save/test/submit, below the preview (a toast would cover the script)."""
        result = self.query_one("#script-result", Static)
        result.update(text)
        result.display = bool(text)
        result.set_class(not ok, "-bad")

    # Hooks for the cluster: both write the script, then hand it to the backend in a worker.
    def action_test_on_cluster(self) -> None:
        """`sbatch --test-only`: the estimated start, or the scheduler's own error with a hint."""
        self._to_backend(test_only=True)

    def action_submit(self) -> None:
        """Submit the saved script through the backend; the job id comes back in a notification."""
        self._to_backend(test_only=False)

    def _to_backend(self, test_only: bool) -> None:
        if not self._ready():
            return
        path = self._save_target()
        if path is None:
            return
        if not test_only and self._needs_confirmation(path):
            self._confirm_overwrite(path, lambda: self._write(path) and self._start_backend(path, False))
        elif test_only or self._write(path):
            self._start_backend(path, test_only)

    def _start_backend(self, path: Path, test_only: bool) -> bool:
        self.query_one("#script-status", Static).update("asking the scheduler...")
        self._backend_worker(self.script_text, path, test_only)
        return True

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _backend_worker(self, text: str, path: Path, test_only: bool) -> None:
        from tui.cluster.backend import BackendError
        from tui.cluster.factory import make_backend
        from tui.dialogs.two_factor import app_prompter
        from tui.workflows.submit import submit_text

        settings = self.app.settings
        try:
            backend = make_backend(settings, interactive=app_prompter(self.app))
            done = submit_text(backend, text, path, test_only=test_only, workspace=settings.workspace,
                               host=settings.ssh_host)
        except BackendError as exc:
            self.post_message(ScriptSubmitted(False, str(exc), test_only))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the learner, never a crash
            self.post_message(ScriptSubmitted(False, f"{type(exc).__name__}: {exc}", test_only))
            return
        lines = [done.message] if test_only else [f"submitted job {done.job_id}"]
        if done.run_dir:
            lines.append(f"run folder: {done.run_dir}")
        lines += done.notes + [f"warning: {w}" for w in done.warnings]
        self.post_message(ScriptSubmitted(True, "\n".join(lines), test_only))

    def on_script_submitted(self, event: ScriptSubmitted) -> None:
        title = "Test on cluster" if event.test_only else "Submit"
        self.query_one("#script-status", Static).update(event.text.splitlines()[0] if event.text else "")
        self._show_result(f"{title}: {event.text}", event.ok)
