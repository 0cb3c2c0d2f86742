"""Waiting helpers shared by the tests: poll until something shows, never a bare sleep."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest


def poll(check: Callable[[], Any], timeout: float, step: float = 0.5) -> Any:
    """Call `check` until it returns a true value and return it; None after `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(step)
    return None


async def pilot_wait(pilot, check: Callable[[], bool], what: str, tries: int = 100) -> None:
    """Let the app run in 0.1 s steps until `check()` holds; fail the test naming `what` otherwise."""
    for _ in range(tries):
        await pilot.pause(0.1)
        if check():
            return
    pytest.fail(f"the screen never showed {what}")
