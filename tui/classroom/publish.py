"""Publishing a learner's summary to the class folder: opt-in, one file per learner, never another's.

Nothing happens unless the `class_dir` setting names a folder. The teacher makes that folder
sticky and writable by the class (mode 1733 or 1773, like /tmp): a learner can create their own
`<user>.json` but cannot replace or delete anyone else's. The summary is written to a temp file
in the folder and renamed over the old one (readers see the old or the new file, and a rename
over another user's file in a sticky folder fails). The user name comes from the process's
uid, never from $USER, so it cannot be chosen.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

from tui.classroom.model import MAX_BYTES

FILE_MODE = 0o644  # the teacher reads it (any account); the leaderboard shows the same figures anyway


class PublishError(RuntimeError):
    """The summary was not written (one line that says why)."""


def current_user() -> str:
    """The Unix user this process runs as (by uid: $USER can say anything)."""
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def target(settings, user: str | None = None) -> Path | None:
    """Where this learner's summary goes; None when publishing is off."""
    if not getattr(settings, "class_dir", ""):
        return None
    return Path(settings.class_dir).expanduser() / f"{user or current_user()}.json"


def _check_folder(folder: Path) -> None:
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        raise PublishError(f"the class folder {folder} does not exist (ask your teacher)") from None
    if not stat.S_ISDIR(st.st_mode):
        raise PublishError(f"the class folder {folder} is not a folder")
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        raise PublishError(f"the class folder {folder} is writable by others but not sticky (mode "
                           f"{stat.S_IMODE(st.st_mode):o}): anyone could replace your summary; ask your "
                           "teacher to chmod 1733 it")


def _check_mine(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
        raise PublishError(f"{path} exists and is not your own file: left as it is, nothing published")


def write_summary(class_dir: Path, user: str, data: dict) -> Path:
    """Write `data` as `<class_dir>/<user>.json`, atomically; refuse a file that is not the learner's.

    Raises:
        PublishError: the folder is missing or unsafe, the file is someone else's, or the data too big.
    """
    folder = Path(class_dir).expanduser()
    _check_folder(folder)
    path = folder / f"{user}.json"
    _check_mine(path)
    text = json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n"
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PublishError(f"the summary is over {MAX_BYTES} bytes: not published")
    fd, tmp = tempfile.mkstemp(prefix=f".{user}.json.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # in a sticky folder this fails over another user's file: good
    except PermissionError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PublishError(f"cannot replace {path} ({exc.strerror}): is it another user's?") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def publish(settings, user: str | None = None, now: float | None = None) -> Path | None:
    """Build this learner's summary and write it to the class folder; None when publishing is off."""
    from tui.classroom.summary import build_summary

    path = target(settings, user)
    if path is None:
        return None
    user = path.stem
    return write_summary(path.parent, user, build_summary(settings, user, now))


def publish_quietly(settings) -> str:
    """`publish`, for hooks: "" when done (or off), else one line that says why nothing was published."""
    try:
        publish(settings)
    except PublishError as exc:
        return f"not published: {exc}"
    except OSError as exc:
        return f"not published: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return ""


def after_check(settings, report) -> str:
    """The hook of `hptune-tui check` and the checks screen: remember which checks fail since when,
    then publish. Returns "" or one line for the learner."""
    from tui.classroom.summary import record_check

    try:
        record_check(settings.workspace, report)
    except OSError as exc:
        return f"check history not saved: {exc.strerror or exc}"
    return publish_quietly(settings)


def after_run(settings) -> str:
    """The hook of the job service when a job of this workspace has finished: publish."""
    return publish_quietly(settings)
