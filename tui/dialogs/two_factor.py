"""The ssh server's keyboard-interactive prompts (two-factor codes) as a modal dialog.

`TwoFactorDialog` shows one hidden Input per prompt and dismisses with the answers (enter on
the last one) or None (escape). `app_prompter(app)` is the ssh backend's `interactive`
callback: paramiko calls it from its own thread, so it shows the dialog on the app's thread
and waits there for the answer. Answers go straight to the server: the inputs are emptied on
dismiss and nothing is stored (settings, progress, logs).
"""

from __future__ import annotations

import threading

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

CANCELLED = "two-factor login cancelled: not connected (r on the jobs screen asks again)"


class TwoFactorDialog(ModalScreen["list[str] | None"]):
    """One Input per prompt (hidden unless the server asks to echo); enter sends, escape cancels."""

    DEFAULT_CSS = """
    TwoFactorDialog { align: center middle; }
    TwoFactorDialog > Vertical { width: 64; max-width: 100%; height: auto; border: thick $accent;
        background: $surface; padding: 1 2;
        max-height: 100%; overflow-y: auto; }
    TwoFactorDialog #two-factor-title { text-style: bold; }
    TwoFactorDialog .two-factor-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, instructions: str, prompts: list[tuple[str, bool]], host: str = "") -> None:
        super().__init__()
        self._title = title or f"Login to {host or 'the cluster'}"
        self._instructions = instructions
        self._prompts = [(str(text), bool(echo)) for text, echo in prompts]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title, id="two-factor-title")
            if self._instructions:
                yield Static(self._instructions, id="two-factor-instructions")
            for i, (text, echo) in enumerate(self._prompts):
                yield Label(text.strip() or "answer", id=f"two-factor-label-{i}")
                yield Input(password=not echo, id=f"two-factor-{i}")
            yield Static("enter sends, escape cancels; nothing typed here is kept", classes="two-factor-hint")

    def on_mount(self) -> None:
        inputs = self._inputs()
        if inputs:
            inputs[0].focus()

    def _inputs(self) -> list[Input]:
        return list(self.query(Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = self._inputs()
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        answers = [i.value for i in inputs]
        self._clear()
        self.dismiss(answers)

    def action_cancel(self) -> None:
        self._clear()
        self.dismiss(None)

    def _clear(self) -> None:
        for item in self._inputs():  # the answers must not outlive the dialog
            item.value = ""


class DialogPrompts:
    """The ssh backend's `interactive(title, instructions, prompts)` callback for the app.

    Called from paramiko's thread: the dialog is pushed on the app's thread and this thread
    waits for the answer. After a cancel (or no answer within `timeout`) it answers nothing
    (the server then refuses the login: an auth failure) and stops asking until `ask_again()`,
    so that polling does not pop the dialog up again on every tick.
    """

    def __init__(self, app, timeout: float = 300.0) -> None:
        self.app, self.timeout = app, timeout
        self.quiet = False  # the learner cancelled: do not ask again by ourselves

    def ask_again(self) -> None:
        self.quiet = False

    def __call__(self, title: str, instructions: str, prompts: list) -> list[str]:
        if not prompts:
            return []  # some servers send an empty round first
        if self.quiet or not self._can_wait():
            return []
        answers = self._ask(TwoFactorDialog(title, instructions, list(prompts),
                                            getattr(self.app.settings, "ssh_host", "")))
        if answers is None:
            self.quiet = True
            self.app.call_from_thread(self.app.notify, CANCELLED, title="SSH", severity="warning")
            return []
        return answers

    def _can_wait(self) -> bool:
        # On the app's own thread waiting would freeze the app; before/after a run nobody can answer.
        return self.app.is_running and threading.get_ident() != getattr(self.app, "_thread_id", None)

    def _ask(self, dialog: TwoFactorDialog) -> list[str] | None:
        done, box = threading.Event(), {}

        def answered(answers: list[str] | None) -> None:
            box["answers"] = answers
            done.set()

        self.app.call_from_thread(self.app.push_screen, dialog, answered)
        if not done.wait(self.timeout):
            self.app.call_from_thread(dialog.action_cancel)  # an unanswered dialog goes away
            done.wait(5)
        return box.pop("answers", None)


def app_prompter(app) -> DialogPrompts:
    """The app's one DialogPrompts (made on first use and kept on the app)."""
    prompter = getattr(app, "_hptune_prompter", None)
    if prompter is None:
        prompter = app._hptune_prompter = DialogPrompts(app)
    return prompter
