"""Opening the app (no subcommand): make sure the workspace exists, run the TUI, then leave at once."""

from __future__ import annotations

import os
import sys


def run_app(settings) -> int:
    """Run the app; on its exit, end the process (see `leave`). Returns only when it could not start."""
    from tui.course.workspace import WorkspaceError, init_workspace, is_workspace

    if not is_workspace(settings.workspace):
        try:
            init_workspace(settings.workspace)
        except WorkspaceError as exc:
            print(f"hptune-tui: {exc}\nUse --workspace DIR or HPTUNE_WORKSPACE to choose another folder.",
                  file=sys.stderr)
            return 2
    from tui.app import make_app

    app = make_app(settings)
    app.run()
    leave(app.return_code or 0)
    return app.return_code or 0  # not reached


def leave(code: int) -> None:
    """End the process now that the app has returned and restored the terminal.

    Python's own exit then spent 0.1-0.6 s tearing down what the screens had imported (optuna,
    pandas, plotext) and collecting their objects: `q` on the study screen took 0.78 s
    (bench/quit.py). Nothing is left to do by then: every file the app writes is written
    atomically before the screen that wrote it goes on, jobs run in their own sessions, and
    the reader threads are daemons that write nothing. So only the output is flushed.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
