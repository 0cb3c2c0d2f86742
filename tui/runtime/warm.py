"""A warm Python for tiny tasks: the imports are paid once, the scheduler still hands out the tasks.

Under HyperQueue each tiny task of exercise 3 starts a new Python and imports torch (1-2 s on
a busy node) before a tenth of a second of work; a worker loop pays that once but takes the
tasks in a fixed order, outside the scheduler. A warm Python keeps both: one server per node
imports everything once (`tiny_task.py --serve SOCKET`, tui.runtime.tiny_tasks), and each
task the scheduler starts is a thin client (`python -m tui.runtime.warm SOCKET`) that asks the
server to fork a copy of itself, already imported, for its task, passes on its task id,
environment and CPUs, and exits with the task's status. bench/hq_warm.py measures it.

Nothing here imports torch: the client must start fast, and the server has imported the
measurement (tiny_tasks.preload) before it forks.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import sys
import time
from typing import Callable

RunOne = Callable[[int, float, float], None]  # task index, launched, ready -> writes the task's files
PASSED_ENV = ("HQ_", "SLURM_")  # what the task learns about its scheduler (tui.runtime.task_env)
# A task may start while the server is still importing (both started at once): it waits this long.
WAIT_S = 60.0


def serve(path: str, run_one: RunOne, idle_s: float = 600.0) -> int:
    """Answer clients on the Unix socket `path` until `idle_s` seconds pass without one, or SIGTERM.

    Each request is run in a forked child (the imports are shared, nothing is re-imported), which
    takes on the client's environment, working folder and CPUs, then answers {"rc": 0|1, "error"}.
    """
    problem = not_mine(path)
    if problem:
        print(f"cannot serve at {path}: {problem}; choose another path", file=sys.stderr)
        return 2
    if os.path.lexists(path):
        os.unlink(path)  # our own server's, left behind when it died
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)  # 0600 from the start: a classmate on the node must not run tasks in it
    try:
        server.bind(path)
    except OSError as exc:  # someone made the path in between (a shared /tmp)
        print(f"cannot serve at {path}: {exc.strerror}; choose another path", file=sys.stderr)
        return 2
    finally:
        os.umask(mask)
    server.listen(64)
    server.settimeout(idle_s)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children: no zombies
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    try:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # idle for idle_s (TimeoutError), or the socket closed by SIGTERM
                return 0
            if os.fork() == 0:
                server.close()
                os._exit(_child(conn, run_one))
            conn.close()
    finally:
        server.close()
        if os.path.exists(path):
            os.unlink(path)


def _child(conn: socket.socket, run_one: RunOne) -> int:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    answer = {"rc": 1, "error": ""}
    try:
        request = json.loads(_read_line(conn))
        os.environ.update({k: str(v) for k, v in request.get("env", {}).items() if k.startswith(PASSED_ENV)})
        os.chdir(request["cwd"])
        if request.get("cpus") and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, request["cpus"])  # the CPUs the scheduler gave the client
        run_one(int(request["task"]), float(request["launched"]), time.time())
        answer["rc"] = 0
    except Exception as exc:  # the client prints it: it is the task's log
        answer["error"] = f"{type(exc).__name__}: {exc}"
    try:
        conn.sendall((json.dumps(answer) + "\n").encode())
    finally:
        conn.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return answer["rc"]


def _read_line(conn: socket.socket, limit: int = 1 << 20) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk or len(data) > limit:
            break
        data += chunk
    return data.decode()


def not_mine(path: str) -> str:
    """Why `path` is not a socket of this user ("" when it is, or when nothing is there yet).

    In a shared /tmp a classmate could put their own socket (or a link) at the path first: a
    server must not remove it, and a task must not hand its work to it."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ""
    if not stat.S_ISSOCK(info.st_mode):
        return "it is not a socket"
    if info.st_uid != os.getuid():
        return f"it belongs to user {info.st_uid}"
    return ""


def _connect(path: str, wait_s: float) -> socket.socket | OSError:
    """A connection to the server, waiting up to `wait_s` for one that is still importing."""
    end = time.monotonic() + wait_s
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(path)
            return client
        except (FileNotFoundError, ConnectionRefusedError) as exc:  # not there yet, or not listening yet
            client.close()
            if time.monotonic() >= end:
                return exc
            time.sleep(0.1)
        except OSError as exc:
            client.close()
            return exc


def ask(path: str, task: int, launched: float) -> int:
    """Have the server at `path` run `task`; returns its status (2 when there is no server)."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    request = {"task": task, "launched": launched, "cwd": os.getcwd(), "cpus": cpus,
               "env": {k: v for k, v in os.environ.items() if k.startswith(PASSED_ENV)}}
    problem = not_mine(path)
    if problem:
        print(f"not asking {path}: {problem}", file=sys.stderr)
        return 2
    client = _connect(path, float(os.environ.get("HPTUNE_WARM_WAIT_S", WAIT_S)))
    if isinstance(client, OSError):
        print(f"no warm Python at {path} ({client.strerror}): start it first with "
              f"`python tiny_task.py --run-dir RUN --serve {path}`", file=sys.stderr)
        return 2
    with client:
        client.sendall((json.dumps(request) + "\n").encode())
        reply = _read_line(client)
    try:
        answer = json.loads(reply)
    except json.JSONDecodeError:
        print(f"the warm Python at {path} ended without an answer (killed?)", file=sys.stderr)
        return 1
    if answer.get("error"):
        print(f"task {task} failed: {answer['error']}", file=sys.stderr)
    return int(answer.get("rc", 1))


def main(argv: list[str] | None = None) -> int:
    """`python -m tui.runtime.warm SOCKET [TASK]`: the task is $HQ_TASK_ID (or $SLURM_ARRAY_TASK_ID)."""
    from tui.runtime.task_env import process_start_time

    launched = process_start_time()
    args = sys.argv[1:] if argv is None else argv
    task = args[1] if len(args) > 1 else os.environ.get("HQ_TASK_ID") or os.environ.get("SLURM_ARRAY_TASK_ID")
    if not args or task is None or not str(task).isdigit():
        print("usage: python -m tui.runtime.warm SOCKET [TASK] (TASK defaults to $HQ_TASK_ID)", file=sys.stderr)
        return 2
    return ask(args[0], int(task), launched)


if __name__ == "__main__":
    sys.exit(main())
