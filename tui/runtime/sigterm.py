"""SIGTERM in an Optuna worker (scancel, the job's time limit): end the current trial as failed, then stop.

The signal raises WorkerStopped in the worker's main thread, except inside the short journal
sections (`deferred()`: ask plus the worker attribute, result plus tell), where it waits until
the section is over and `raise_if_stopped()` raises it.
"""

from __future__ import annotations

from contextlib import contextmanager


class WorkerStopped(BaseException):
    """SIGTERM (scancel, the time limit): end the current trial as failed, then stop."""


STOP_MESSAGE = "worker stopped by SIGTERM (scancel or the job's time limit)"
_SIGTERM = {"defer": False, "pending": False}


def _on_sigterm(signum, frame):  # noqa: ARG001 - signal handler signature
    # Inside the short journal sections (ask + worker attribute, result + tell) the signal
    # waits: a trial must never be left RUNNING without the worker that would explain it.
    if _SIGTERM["defer"]:
        _SIGTERM["pending"] = True
    else:
        raise WorkerStopped(STOP_MESSAGE)


@contextmanager
def deferred():
    """A journal section that SIGTERM must not cut in two: the signal waits until it is over."""
    _SIGTERM["defer"] = True
    try:
        yield
    finally:
        _SIGTERM["defer"] = False


def raise_if_stopped() -> None:
    """Raise WorkerStopped for a SIGTERM that came during a deferred section."""
    if _SIGTERM["pending"]:
        _SIGTERM["pending"] = False
        raise WorkerStopped(STOP_MESSAGE)


def install() -> None:
    """Make SIGTERM stop the worker (call it in the main thread, before the first trial)."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
