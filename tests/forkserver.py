"""A preloaded fork server for tests that start Python child processes (test support, not a test module).

``python -m azguest deploy`` spends about 0.6 s of CPU importing the Azure SDK and azguest before its first
request. A :class:`ForkServer` is one single-threaded Python process that imports those modules once, then
forks one child per :meth:`ForkServer.popen`. Each child is a real, separate process with the environment,
working folder and standard streams it is given; it runs ``-m module args...`` or ``-c code args...`` as the
interpreter would, and ends the same way (its ``SystemExit`` code, an uncaught exception's traceback and exit
code 1, an uncaught ``KeyboardInterrupt``). The test signals it by pid and waits for it like a ``Popen``; the
server reaps it and reports its exit code (negative: the signal that ended it).

``close()`` kills any child still running and waits for the server, so every child's CPU is accounted to the
test process (``time`` and ``getrusage`` see it). :func:`shared` lends one server per preload list to every
test module of a test process that asks for it (session-scoped fixtures), and closes it after the last.
"""

from __future__ import annotations

import builtins
import contextlib
import fcntl
import gc
import io
import json
import os
import runpy
import select
import signal
import subprocess
import sys
import termios
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
# what `azguest deploy --emulator` imports: the CLI, the use cases, the emulator, the Azure SDK clients
CLI_PRELOAD = ("azguest.cli.main", "azguest.cli.lab_cmds", "azguest.deploy.lab", "azguest.emulator",
               "azguest.emulator.transport", "azguest.guest.configure", "azguest.spec.checks",
               "azure.mgmt.compute", "azure.mgmt.network", "azure.mgmt.storage", "azure.mgmt.resource.resources",
               "ruamel.yaml", "rich.console")
_BOOT = "import sys; from tests.forkserver import _main; _main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])"


class ForkServer:
    """The server process: ``preload`` names the modules every child finds imported."""

    def __init__(self, preload: list[str]) -> None:
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        self._proc = subprocess.Popen([sys.executable, "-c", _BOOT, str(req_r), str(rep_w), *preload],
                                      pass_fds=(req_r, rep_w), cwd=ROOT, stdin=subprocess.DEVNULL)
        os.close(req_r)
        os.close(rep_w)
        self._requests = os.fdopen(req_w, "wb", buffering=0)
        self._replies = os.fdopen(rep_r, "rb")
        assert self._reply(timeout=120) == {"ready": True}

    def popen(self, args: list[str], *, env: dict[str, str], cwd: Path, stdout: Path | None = None,
              stderr: Path | None = None, tty: str | None = None) -> ForkedProcess:
        """Start ``python <args>`` (``-m module ...`` or ``-c code ...``); stdin is /dev/null, stdout and
        stderr go to the files named (created or truncated), else to /dev/null. With ``tty`` (a pseudo-terminal's
        slave, ``os.ttyname``) the child is a session leader with that terminal as its controlling terminal and
        its stdin, stdout and stderr, as ``pty.fork`` makes it."""
        self._send({"op": "run", "args": list(args), "env": dict(env), "cwd": str(cwd), "tty": tty,
                    "stdout": str(stdout) if stdout else os.devnull, "stderr": str(stderr) if stderr else os.devnull})
        return ForkedProcess(self, self._reply(timeout=30)["pid"])

    def close(self) -> None:
        self._requests.close()  # end of requests: the server kills what still runs, reaps it and exits
        self._proc.wait(timeout=60)
        self._replies.close()

    def _send(self, request: dict[str, Any]) -> None:
        self._requests.write(json.dumps(request).encode() + b"\n")

    def _reply(self, timeout: float | None) -> Any:
        ready, _, _ = select.select([self._replies], [], [], timeout)  # one reply per request: none buffered
        if not ready:
            raise subprocess.TimeoutExpired("forkserver", timeout or 0)
        line = self._replies.readline()
        assert line, f"the fork server died (exit code {self._proc.poll()})"
        return json.loads(line)


class ForkedProcess:
    """A child of the fork server, used like ``subprocess.Popen``."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid, self.returncode = server, pid, None

    def poll(self) -> int | None:
        return self._wait(block=False, timeout=30)

    def wait(self, timeout: float | None = None) -> int:
        try:
            return self._wait(block=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()  # the server is blocked on this child: end it so the server answers again
            self.server._reply(timeout=30)
            raise

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:  # not reaped yet: the pid is still this child's
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _wait(self, *, block: bool, timeout: float | None) -> int | None:
        if self.returncode is None:
            self.server._send({"op": "wait", "pid": self.pid, "block": block})
            self.returncode = self.server._reply(timeout)["returncode"]
        return self.returncode


_SHARED: dict[tuple[str, ...], list] = {}  # preload -> [server, users]


@contextlib.contextmanager
def shared(preload: tuple[str, ...]) -> Iterator[ForkServer]:
    """The test process's server for ``preload``, started on first use, closed when its last user is done."""
    entry = _SHARED.get(preload)
    if entry is None:
        entry = _SHARED[preload] = [ForkServer(list(preload)), 0]
    entry[1] += 1
    try:
        yield entry[0]
    finally:
        entry[1] -= 1
        if not entry[1]:
            del _SHARED[preload]
            entry[0].close()


# --- the server process ------------------------------------------------------------------------------
def _main(req_fd: int, rep_fd: int, preload: list[str]) -> None:
    job = _serve(req_fd, rep_fd, preload)
    if job is not None:  # a forked child: run its program; whatever it raises ends the process as usual
        _run(job)


def _serve(req_fd: int, rep_fd: int, preload: list[str]) -> dict[str, Any] | None:
    gc.disable()  # importing makes few cycles and many objects: collecting while importing is wasted work
    for name in preload:
        __import__(name)
    gc.collect()
    gc.freeze()  # the preloaded objects: a child's collections neither walk them nor copy their pages
    gc.enable()
    if threading.active_count() != 1:  # forking a process with threads could copy a held lock
        raise RuntimeError(f"a preloaded module started a thread: {threading.enumerate()}")
    requests, replies = os.fdopen(req_fd, "rb"), os.fdopen(rep_fd, "wb", buffering=0)
    children: set[int] = set()

    def reply(obj: Any) -> None:
        replies.write(json.dumps(obj).encode() + b"\n")

    reply({"ready": True})
    for line in requests:
        request = json.loads(line)
        if request["op"] == "run":
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                requests.close()
                replies.close()
                return request
            children.add(pid)
            reply({"pid": pid})
        else:
            got, status = os.waitpid(request["pid"], 0 if request["block"] else os.WNOHANG)
            if got:
                children.discard(got)
            reply({"returncode": os.waitstatus_to_exitcode(status) if got else None})
    for pid in children:  # the test is over: nothing it started outlives it
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return None


def _run(job: dict[str, Any]) -> None:
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    _std_streams(job["stdout"], job["stderr"], job["tty"])
    args = job["args"]
    if args[0] == "-m":
        sys.argv = [args[1], *args[2:]]  # run_module puts the module's file in argv[0], as -m does
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    elif args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__", "__builtins__": builtins})
    else:
        raise ValueError(f"the fork server runs `-m module` or `-c code`, not {args[0]!r}")


def _std_streams(stdout: str, stderr: str, tty: str | None) -> None:
    """fds 0-2 as given, and new sys.std* objects on them made the way the interpreter makes them
    (buffering from PYTHONUNBUFFERED and isatty of the child's streams, not the server's)."""
    if tty:
        os.setsid()  # a new session without a controlling terminal; the terminal opened next becomes it
        opened = os.open(tty, os.O_RDWR)
        fcntl.ioctl(opened, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(opened, fd)
        os.close(opened)
    else:
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            opened = os.open(path, flags, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))

    def text(fd: int, mode: str, errors: str, line_buffering: bool) -> io.TextIOWrapper:
        raw = open(fd, mode + "b", buffering=0 if unbuffered and mode == "w" else -1, closefd=False)
        return io.TextIOWrapper(raw, encoding=sys.stdout.encoding, errors=errors, line_buffering=line_buffering,
                                write_through=unbuffered and mode == "w")

    sys.stdin = sys.__stdin__ = text(0, "r", "strict", False)
    sys.stdout = sys.__stdout__ = text(1, "w", "strict", os.isatty(1))
    sys.stderr = sys.__stderr__ = text(2, "w", "backslashreplace", True)
