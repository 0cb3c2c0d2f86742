"""A job's log, followed live through the backend: polls by size (works on NFS and over SFTP),
waits for a file that does not exist yet, and reads only the new bytes each time.

A finished task's log that is still empty says so, instead of waiting for it forever. After new
bytes are shown the widget posts `LogTail.Loaded`, so that the screen can read the telling line.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.message import Message
from textual.widgets import Log

POLL_S = 1.0
FIRST_READ_MAX = 64 * 1024  # a long log shows its end first


class LogTail(Log):
    """Follows one file at a time; `follow(backend, path)` switches to another."""

    class Chunk(Message):
        def __init__(self, path: str, data: bytes, size: int) -> None:
            super().__init__()
            self.path, self.data, self.size = path, data, size

    class Loaded(Message):
        """New lines of `path` are shown."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, **kwargs) -> None:
        super().__init__(max_lines=2000, auto_scroll=True, **kwargs)
        self.backend = None
        self.path: str = ""
        self.read_offset = 0
        self.finished = False  # the task has ended: no more output is coming
        self._waiting = False

    def on_mount(self) -> None:
        self.set_interval(POLL_S, self._poll)

    def follow(self, backend, path: str | Path | None, finished: bool = False) -> None:
        """Show `path` (read through `backend`) from its start; None shows nothing. `finished`:
        the task has ended, so an empty log is empty for good."""
        new = str(path or "")
        if new == self.path and backend is self.backend:
            if finished != self.finished:
                self.finished = finished
                if self._waiting:  # the note changes from "waiting for" to "empty"
                    self._waiting = False
                    self._poll()
            return
        self.backend, self.path, self.read_offset, self._waiting = backend, new, 0, False
        self.finished = finished
        self.clear()
        if not new:
            self.write_line("no log for this task (the scheduler did not say where it writes)")
            return
        self._poll()

    def _poll(self) -> None:
        if self.backend is not None and self.path:
            self._read(self.backend, self.path, self.read_offset)

    @work(thread=True, exclusive=True, group="log-tail", exit_on_error=False)
    def _read(self, backend, path: str, offset: int) -> None:
        try:
            data = backend.read_file(Path(path), offset)
        except Exception as exc:  # noqa: BLE001 - a log that cannot be read is shown, never a crash
            data = f"\n[cannot read {path}: {exc}]\n".encode()
            self.post_message(self.Chunk(path, data, -1))
            return
        self.post_message(self.Chunk(path, data, offset + len(data)))

    def on_log_tail_chunk(self, event: "LogTail.Chunk") -> None:
        event.stop()
        if event.path != self.path:
            return  # an answer for a file we no longer follow
        if event.size < 0:
            self.write(event.data.decode(errors="replace"))
            self.path = ""
            return
        if not event.data:
            if self.read_offset == 0 and not self._waiting:
                self._waiting = True
                self.clear()
                self.write_line(f"the log is empty: {self.path}" if self.finished
                                else f"waiting for {self.path} ...")
            return
        if self._waiting:
            self.clear()
            self._waiting = False
        data = event.data[-FIRST_READ_MAX:] if self.read_offset == 0 else event.data
        if len(data) < len(event.data):  # say what is left out, so a short log is never a surprise
            self.write_line(f"[... {len(event.data) - len(data):,} bytes before this are not shown]")
        self.read_offset = event.size
        self.write(data.decode(errors="replace"))
        self.post_message(self.Loaded(self.path))
