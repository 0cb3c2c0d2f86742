"""An executor of daemon threads for the app's thread workers, so that quitting never waits for one.

Textual runs `@work(thread=True)` workers through the event loop's default executor. The
standard one (a ThreadPoolExecutor) is joined when the loop closes and again when Python
exits, so `q` during a slow read (a large run, a stalled NFS or SSH server) left a blank
terminal until the read ended. Workers only post messages and write nothing the learner
keeps, so a read that is cut short at exit loses nothing: these threads are daemons, and
`shutdown` does not wait for them.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor


class DaemonExecutor(ThreadPoolExecutor):
    """One daemon thread per call; `shutdown()` returns at once (the threads end with the process).

    A ThreadPoolExecutor only in name (asyncio's set_default_executor accepts nothing else):
    its pool of joined threads is never used.
    """

    def __init__(self, name: str = "hptune-worker") -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self.name = name
        self._closed = False
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new work after shutdown")
        future: Future = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to whoever awaits the future, as a pool would
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name=self.name, daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new work; never join running threads (the point of this executor)."""
        with self._lock:
            self._closed = True


def install(loop) -> DaemonExecutor:
    """Make a DaemonExecutor the default executor of `loop` (Textual's thread workers run there)."""
    executor = DaemonExecutor()
    loop.set_default_executor(executor)
    return executor
