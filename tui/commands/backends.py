"""How the CLI's job commands (status, cancel, cost) use the backends and print their answer, in one place.

Each used to copy the same frame: make the Backends with the CLI's two-factor prompts, run its
work, turn a failure of a scheduler or a connection into one line on stderr (exit 1), let an
OSError of the workspace's own files go up to the CLI's one line for every command, and close
the connections made on the way; then print the errors of the backends that did not answer,
and say "nothing" only when that is known.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable


def with_backends(command: str, settings, work: Callable[[Any], Any]) -> tuple[bool, Any]:
    """(True, what `work(backends)` returned), or (False, None) after saying on stderr why not.

    Args:
        command: the subcommand, to name in the error line ("status").
        settings: the CLI's Settings.
        work: what to do with the `tui.workflows.jobs.Backends` (made only as needed, then closed).
    """
    from tui.cluster.factory import cli_prompts
    from tui.workflows.jobs import Backends, one_line

    backends = Backends(settings, interactive=cli_prompts())
    try:
        return True, work(backends)
    except OSError:
        raise  # the workspace's own files (another user's?): the CLI's one line for every command
    except Exception as exc:  # noqa: BLE001 - the scheduler's words (or the connection's), never a traceback
        print(f"hptune-tui {command}: {one_line(exc)}", file=sys.stderr)
        return False, None
    finally:
        backends.close()


def print_answer(command: str, errors: list[str], as_json: dict | None, text: str, empty: str) -> int:
    """Print an answer gathered from several backends; the exit status (1 when one failed).

    Args:
        command: the subcommand, to name in each error line.
        errors: one line per backend that did not answer (stderr).
        as_json: the answer for --json (printed whole, errors included), else None.
        text: the answer as text ("" when it has no rows).
        empty: what to say when there are no rows, said only when every backend answered: with
            one missing, "no jobs" would not be known.
    """
    for error in errors:
        print(f"hptune-tui {command}: {error}", file=sys.stderr)
    if as_json is not None:
        print(json.dumps(as_json, indent=2))
    elif text or not errors:
        print(text or empty)
    return 1 if errors else 0
