"""Progress and Ctrl-C for long work (deploy, destroy, gc; later guest steps, backup and clone).

One :class:`Reporter` is fed by ``azguest.execute.Event`` records (its ``__call__`` is the executor's
``on_event``). It knows what runs and since when, on an injected clock, and shows it:

- in a terminal, a rich live view of what is running whose clocks tick (redrawn every ``tick_s`` by a
  ticker thread, not only on events), with one line per finished resource printed above it;
- without a terminal (CI logs), one line per finished resource, and a heartbeat line at least every
  ``heartbeat_s`` naming what still runs and for how long.

Nothing is drawn before :meth:`Reporter.begin`: commands call it after the plan and the prompts.

:class:`InterruptGuard` owns SIGINT while the work runs: the first Ctrl-C sets the stop event (nothing
new starts, except the tasks that make a lab safe) and says at once what is still running and that a
second Ctrl-C stops waiting; the second raises :class:`~azguest.errors.Interrupted` with the command to
re-run. Operations already sent keep going in Azure; the re-run waits for them (plan action ``wait``).
:class:`Watch` bundles both for a command. Clocks, the tick and the heartbeat are injectable: tests
never sleep.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from azguest.errors import Interrupted

TICK_S = 1.0  # real seconds between redraws of the live view / heartbeat checks
HEARTBEAT_S = 15.0  # without a terminal: a line naming what still runs, at least this often
NAMED = 6  # running resources named in one line; the rest are counted


def duration(seconds: float) -> str:
    """``4.2s``, ``13s``, ``2m10s``, ``1h02m``: what a person reads at a glance."""
    if seconds < 10:
        return f"{max(0.0, seconds):.1f}s"
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def clock_of(session: Any) -> Callable[[], float]:
    """The clock progress uses: an in-memory emulator's emulated clock (its clients do not sleep), else
    the monotonic clock."""
    engine = getattr(session, "engine", None)
    if engine is not None and getattr(engine, "virtual_time", False):
        return engine.clock
    return time.monotonic


def _what(ev: Any) -> str:
    """``create vm/lab-hv01`` from the event's label (``create vm lab-hv01``) and key (``vm/lab-hv01``)."""
    words = str(ev.label or "").split(" ")
    return f"{words[0]} {ev.key}" if len(words) > 2 else (ev.label or ev.key)


class Reporter:
    """What runs and what finished, from execute.Event records; shown live (terminal) or as log lines."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None,
                 clock: Callable[[], float] = time.monotonic, tick_s: float | None = None,
                 heartbeat_s: float | None = None, wait: Callable[[float], Any] | None = None) -> None:
        self._stream = stream
        self._live_wanted = live
        self.clock = clock
        self.tick_s = TICK_S if tick_s is None else tick_s
        self.heartbeat_s = HEARTBEAT_S if heartbeat_s is None else heartbeat_s
        self.running: dict[str, float] = {}  # key -> started (reporter clock), in start order
        self.finished = {"succeeded": 0, "failed": 0, "skipped": 0}
        self.lock = threading.RLock()  # re-entered by the SIGINT handler, which runs in the main thread
        self._closed = threading.Event()
        self._wait = wait or self._closed.wait
        self._t0 = self._last_beat = 0.0
        self._began = False
        self._live: Any = None
        self._ticker: threading.Thread | None = None

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    # -- lifecycle ------------------------------------------------------------------------------------
    def begin(self) -> None:
        """Start showing progress (after the plan and the prompts); idempotent."""
        with self.lock:
            if self._began or self._closed.is_set():
                return
            self._began = True
            self._t0 = self._last_beat = self.clock()
            live = self._live_wanted if self._live_wanted is not None else _isatty(self.stream)
            if live:
                self._start_live()
        if self.tick_s > 0:  # 0: no ticker thread, the caller calls tick() (tests)
            self._ticker = threading.Thread(target=self._tick_loop, name="azguest-progress", daemon=True)
            self._ticker.start()

    def close(self) -> None:
        self._closed.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join(timeout=2)
        with self.lock:
            if self._live is not None:
                self._live.stop()
                self._live = None

    def _start_live(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        self._live = Live(get_renderable=self._view, console=console, auto_refresh=False, transient=True,
                          redirect_stdout=False, redirect_stderr=False)
        self._live.start(refresh=True)

    def _tick_loop(self) -> None:
        while not self._closed.is_set():
            self._wait(self.tick_s)
            if self._closed.is_set():
                return
            self.tick()

    # -- events ---------------------------------------------------------------------------------------
    def __call__(self, ev: Any) -> None:
        if str(ev.label).startswith("no-change"):
            return
        self.begin()
        with self.lock:
            now = self.clock()
            if ev.state == "started":
                self.running[ev.key] = now
                self._redraw()
                return
            started = self.running.pop(ev.key, None)
            self.finished[ev.state] = self.finished.get(ev.state, 0) + 1
            line = f"{ev.state:<9} {_what(ev)}"
            if ev.state != "skipped":
                line += f" ({duration(now - started if started is not None else ev.elapsed_s)})"
            if ev.error is not None:
                line += f": {getattr(ev.error, 'code', type(ev.error).__name__)}"
            self._line(line)

    def tick(self) -> None:
        """Redraw the live view (its clocks move), or write the heartbeat when it is due."""
        with self.lock:
            if self._live is not None:
                self._redraw()
                return
            now = self.clock()
            if self.running and now - self._last_beat >= self.heartbeat_s:
                self._last_beat = now
                self._line(f"… {self.summary(now)}")

    def note(self, text: str) -> None:
        """A message for the user (Ctrl-C), above the live view or as plain lines."""
        with self.lock:
            self._write(text)

    # -- rendering ------------------------------------------------------------------------------------
    def summary(self, now: float | None = None) -> str:
        """``3 running: vm/lab-hv01 2m10s, vm/lab-hv02 2m09s, disk/...`` (the longest-running first)."""
        n = len(self.running)
        return f"{n} running: {self.listing(now)}" if n else "nothing running"

    def listing(self, now: float | None = None) -> str:
        """``vm/lab-hv01 2m10s, vm/lab-hv02 2m09s`` and ``, and 3 more`` past ``NAMED`` names."""
        with self.lock:
            now = self.clock() if now is None else now
            items = [f"{k} {duration(now - t)}" for k, t in self.running.items()]
        more = f", and {len(items) - NAMED} more" if len(items) > NAMED else ""
        return ", ".join(items[:NAMED]) + more

    def running_keys(self) -> list[str]:
        with self.lock:
            return list(self.running)

    def _stamp(self) -> str:
        return f"[{duration(self.clock() - self._t0):>6}]"

    def _line(self, text: str) -> None:
        self._write(f"{self._stamp()} {text}")

    def _write(self, text: str) -> None:
        if self._live is not None:
            self._live.console.print(text, markup=False, highlight=False, soft_wrap=True)
            return
        self.stream.write(text + "\n")
        self.stream.flush()

    def _redraw(self) -> None:
        if self._live is not None:
            self._live.refresh()

    def _view(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        now = self.clock()
        with self.lock:
            rows = [(k, duration(now - s)) for k, s in self.running.items()]
            done, failed = self.finished["succeeded"], self.finished["failed"]
        status = Text(f"{duration(now - self._t0)} elapsed · {done} done" + (f" · {failed} failed" if failed else "")
                      + " · Ctrl-C stops starting new work", style="dim")
        if not rows:
            return status
        t = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        t.add_column("running", no_wrap=True)
        t.add_column("for", justify="right", no_wrap=True)
        for key, elapsed in rows:
            t.add_row(key, elapsed)
        return Group(t, status)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_abandoned = threading.Event()  # set when a second Ctrl-C stopped waiting for running work


def abandoned() -> bool:
    """True once a second Ctrl-C gave up waiting: worker threads may still poll Azure (cli.main exits at once)."""
    return _abandoned.is_set()


class InterruptGuard:
    """SIGINT while long work runs: the first stops new work and says what still runs, the second
    raises :class:`Interrupted` at once with the command that resumes. Armed only in the main thread."""

    def __init__(self, reporter: Reporter, stop_event: threading.Event, *, command: str, resume: str,
                 after_stop: str = "") -> None:
        self.reporter, self.stop_event = reporter, stop_event
        self.command, self.resume, self.after_stop = command, resume, after_stop
        self.count = 0
        self._previous: Any = None
        self._armed = False

    def arm(self) -> None:
        if self._armed or threading.current_thread() is not threading.main_thread():
            return
        self._previous = signal.signal(signal.SIGINT, self.handle)
        self._armed = True

    def disarm(self) -> None:
        if self._armed:
            signal.signal(signal.SIGINT, self._previous if self._previous is not None else signal.default_int_handler)
            self._armed = False

    def handle(self, signum: int = signal.SIGINT, frame: Any = None) -> None:
        self.count += 1
        self.stop_event.set()
        summary = self.reporter.summary()
        if self.count == 1:
            what = f"waiting for {summary}" if self.reporter.running_keys() else "nothing is running in Azure"
            self.reporter.note(
                f"azguest: Ctrl-C: {self.command} starts nothing new{self.after_stop}; {what}.\n"
                f"  Press Ctrl-C again to stop waiting: what runs keeps going in Azure, and "
                f"`{self.resume}` picks it up.")
            return
        self.disarm()  # a third Ctrl-C is a plain KeyboardInterrupt
        _abandoned.set()
        keys = self.reporter.running_keys()
        going = f"; still in flight in Azure: {self.reporter.listing()}" if keys else ""
        raise Interrupted(f"{self.command} stopped waiting{going}",
                          hint=f"re-run `{self.resume}` to resume: it waits for what is still in flight "
                               "and does the rest", details={"running": keys})


class Watch:
    """A command's progress and Ctrl-C handling: ``with Watch(...) as w:`` then ``w.begin()`` after the
    prompts; pass ``w.reporter`` as ``on_event`` and ``w.stop_event`` to the use case."""

    def __init__(self, command: str, resume: str, *, after_stop: str = "", stream: TextIO | None = None) -> None:
        self.stop_event = threading.Event()
        self.reporter = Reporter(stream)
        self.guard = InterruptGuard(self.reporter, self.stop_event, command=command, resume=resume,
                                    after_stop=after_stop)

    def use_clock(self, session: Any) -> None:
        self.reporter.clock = clock_of(session)

    def begin(self) -> None:
        """The prompts are answered: own Ctrl-C and start drawing."""
        self.guard.arm()
        self.reporter.begin()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.guard.disarm()
        self.reporter.close()
