"""The Textual application: screens, global bindings and the command palette. Kept thin."""

from __future__ import annotations

from typing import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.course.catalog import Catalog, bundled_catalog
from tui.course.progress import ProgressStore
from tui.screens.registry import SCREENS, build_screen
from tui.settings import Settings


class HptuneApp(App[int]):
    """The course companion. Build it with `make_app`, which the CLI and the tests share."""

    CSS_PATH = "app.tcss"
    TITLE = "hptune-tui"
    SUB_TITLE = "hyperparameter tuning on a cluster"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+h,f1", "home", "Home", show=False),
    ]

    def __init__(self, settings: Settings, catalog: Catalog, progress: ProgressStore,
                 start_screen: str | None = None, resume: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.catalog = catalog
        self.progress = progress
        self._start_screen = start_screen
        self._resume = resume
        self._job_service = None

    @property
    def job_service(self):
        """The app's one job service (backends, poller, tracked jobs), made on first use."""
        if self._job_service is None:
            from tui.dialogs.two_factor import app_prompter
            from tui.services.jobs import JobService

            self._job_service = JobService(self.settings, interactive=app_prompter(self))
        return self._job_service

    @property
    def backend_label(self) -> str:
        from tui.cluster.factory import describe

        return describe(self.settings)

    def on_load(self) -> None:
        from asyncio import get_running_loop

        from tui.daemon_pool import install

        install(get_running_loop())  # `q` must not wait for a worker still reading (see daemon_pool)

    def on_mount(self) -> None:
        if self._start_screen and self._start_screen.partition(":")[0] != "home":
            self.push_screen(build_screen(self._start_screen))
            return
        from tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        for problem in self.problems():
            self.notify(problem, title="Problem", severity="warning", timeout=20)
        last = self.progress.last_item
        if self._resume and last in self.catalog.by_id:
            self.open_item(last)

    def problems(self) -> list[str]:
        return list(self.settings.problems) + ([self.progress.problem] if self.progress.problem else [])

    def open_item(self, item_id: str) -> None:
        from tui.screens.lesson import LessonScreen

        self.push_screen(LessonScreen(item_id))

    def open_screen(self, spec: str) -> None:
        self.push_screen(build_screen(spec))

    def action_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for item in self.catalog.items:
            kind = "Lesson" if item.kind == "lesson" else f"Exercise {item.id}"
            yield SystemCommand(f"{kind}: {item.title}", f"Open {item.title}",
                                lambda i=item.id: self.open_item(i))
        for name, (_, _, description) in SCREENS.items():
            if name not in ("home", "lesson"):
                yield SystemCommand(f"Screen: {name}", description, lambda n=name: self.open_screen(n))


def make_app(settings: Settings, *, catalog: Catalog | None = None, start_screen: str | None = None,
             resume: bool = True, read_only: bool = False) -> HptuneApp:
    """Build the app from settings; the CLI, the export command and the tests all come here."""
    progress = ProgressStore.open(settings.workspace, read_only=read_only)
    return HptuneApp(settings, catalog or bundled_catalog(), progress, start_screen=start_screen, resume=resume)
