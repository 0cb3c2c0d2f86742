"""The footer of every course screen: Textual's Footer, recomposed only when its keys change.

Textual's Footer rebuilds all its key widgets on every "bindings updated" signal, which a
screen sends on each focus change, mount and resume: opening the home screen rebuilt it six
times, half of the time the first frame took beyond a bare Textual app. The keys it shows
depend only on the screen's active bindings, so an unchanged list is not drawn again.
"""

from __future__ import annotations

from textual.widgets import Footer


def shown_keys(screen) -> tuple:
    """What the footer draws of `screen`'s active bindings: key, label, enabled, tooltip of each shown one."""
    return tuple((binding.key, binding.description, enabled, tooltip)
                 for (_, binding, enabled, tooltip) in screen.active_bindings.values() if binding.show)


class CourseFooter(Footer):
    """A Footer that skips the rebuild when the keys it would show are the ones it shows."""

    _shown: tuple | None = None

    def bindings_changed(self, screen) -> None:
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            super().bindings_changed(screen)  # nothing is drawn now: nothing to remember
            return
        keys = shown_keys(screen)
        if keys == self._shown:
            return
        self._shown = keys
        super().bindings_changed(screen)
