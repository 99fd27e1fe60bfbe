"""Waiting with a deadline on an injected clock: every wait loop in azguest goes through here.

A :class:`Clock` is how the waiting code sees time. Its ``now()`` moves by at least what ``sleep``
was asked for, so a sleep that only advances an emulated clock (the in-process emulator transport's
``sleep``) still counts toward deadlines and token refills. Tests inject a fake ``monotonic`` and
``sleep``; production code waits through the session's transport (:func:`session_clock`), which is
how azure-core's own retry policy and LRO pollers wait. A local emulator that waits in real time (over
HTTP, or a state file) is polled as often as the SDK polls it (``max_interval_s``), not every 10 s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from azguest.errors import WaitTimeoutError

T = TypeVar("T")


class Clock:
    """``now()`` (seconds, monotonic) and ``sleep(seconds)``; a short sleep still moves ``now`` on."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic, *, max_interval_s: float | None = None) -> None:
        self._sleep, self._monotonic = sleep, monotonic
        self.max_interval_s = max_interval_s  # a poll interval longer than this is shortened to it
        self._skipped = 0.0  # seconds asked for but not spent in real time (an emulated or fake sleep)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._monotonic() + self._skipped

    def sleep(self, seconds: float) -> None:
        start = self._monotonic()
        self._sleep(seconds)
        short = seconds - (self._monotonic() - start)
        if short > 0:
            with self._lock:
                self._skipped += short


def session_clock(session: Any) -> Clock:
    """A clock that sleeps like the SDK does on ``session``: through its transport when it has one, and
    that polls a local emulator waiting in real time at the session's polling interval."""
    transport = getattr(session, "transport", None)
    target = getattr(session, "target", None)
    local = bool(getattr(target, "emulator", False) or getattr(target, "is_loopback", False))
    real_time = not getattr(transport, "virtual_time", False)
    cap = getattr(session, "polling_interval", None) if local and real_time else None
    return Clock(sleep=transport.sleep if transport is not None else time.sleep, max_interval_s=cap)


def session_now(session: Any) -> datetime:
    """Wall-clock time as the session's Azure sees it: an in-process emulator's own clock (injected in
    tests, moved by emulated waits), else this machine's. Expiry and running hours compare against it."""
    engine = getattr(session, "engine", None)
    return datetime.fromtimestamp(engine.clock() if engine is not None else time.time(), UTC)


def poll_until(probe: Callable[[], T], done: Callable[[T], bool], *, what: str, timeout_s: float,
               interval_s: float, clock: Clock) -> T:
    """Call ``probe`` every ``interval_s`` until ``done(value)``; past ``timeout_s`` raise
    :class:`~azguest.errors.WaitTimeoutError` naming ``what`` was awaited."""
    start = clock.now()
    while True:
        value = probe()
        if done(value):
            return value
        waited = clock.now() - start
        if waited >= timeout_s:
            raise WaitTimeoutError(f"gave up waiting for {what} after {waited:.0f} s",
                                   details={"waited_for": what, "timeout_s": timeout_s},
                                   hint="look at it in the Azure portal, then re-run")
        interval = min(interval_s, clock.max_interval_s) if clock.max_interval_s else interval_s
        clock.sleep(min(interval, timeout_s - waited))
