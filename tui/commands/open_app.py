"""Opening the app (no subcommand): make sure the workspace exists, then run the TUI."""

from __future__ import annotations

import sys


def run_app(settings) -> int:
    from tui.course.workspace import WorkspaceError, init_workspace, is_workspace

    if not is_workspace(settings.workspace):
        try:
            init_workspace(settings.workspace)
        except WorkspaceError as exc:
            print(f"hptune-tui: {exc}\nUse --workspace DIR or HPTUNE_WORKSPACE to choose another folder.",
                  file=sys.stderr)
            return 2
    from tui.app import make_app

    return make_app(settings).run() or 0
