"""Resetting an exercise to its starter, after the learner confirms; shared by home and lesson."""

from __future__ import annotations

from textual.screen import Screen

from tui.course.catalog import Item


def confirm_and_reset(screen: Screen, item: Item) -> None:
    """Ask, then move the learner's folder to a backup and copy the starter files anew."""
    from tui.dialogs.confirm import ConfirmDialog

    app = screen.app
    folder = app.settings.workspace / item.dir

    def done(yes: bool | None) -> None:
        if not yes:
            return
        from tui.course.workspace import reset_exercise

        try:
            backup = reset_exercise(app.settings.workspace, item)
        except OSError as exc:
            screen.notify(f"Reset failed, nothing was lost: {exc}", severity="error")
            return
        app.progress.reset_item(item.id)
        where = f"your files were kept in {backup}" if backup else "there were no files to keep"
        screen.notify(f"Exercise {item.id} is back to its starter; {where}.", timeout=10)
        screen.refresh(recompose=False)

    screen.app.push_screen(
        ConfirmDialog(f"Reset exercise {item.id}?",
                      f"{folder} goes back to the starter files. Your current files are moved to a "
                      "dated backup under .hptune/backups/ and the exercise's progress is cleared."),
        done,
    )
