"""An injected engine clock for tests that need time to pass (restore point intervals, start windows).

A module imports ``clocked, engine, clock`` from here: its ``engine`` fixture then overrides the generic
one, so the ``session`` and ``lab`` fixtures run on the clocked engine, in-process and over HTTP. Tests
move time with ``clock.advance(seconds)``; nothing sleeps.
"""

from __future__ import annotations

import pytest

from azguest.emulator import Engine, load_profile
from azguest.emulator.profile import Profile

T0 = 1_800_000_000.0  # 2027-01-15, any fixed instant


class FakeClock:
    def __init__(self, start: float = T0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def fake_clock_engine(profile: Profile | None = None) -> tuple[Engine, FakeClock]:
    clock = FakeClock()
    engine = Engine(profile=profile or load_profile("fast"), clock=clock, throttle_clock=clock)
    return engine, clock


@pytest.fixture
def clocked() -> tuple[Engine, FakeClock]:
    return fake_clock_engine()


@pytest.fixture
def engine(clocked: tuple[Engine, FakeClock]) -> Engine:
    return clocked[0]


@pytest.fixture
def clock(clocked: tuple[Engine, FakeClock]) -> FakeClock:
    return clocked[1]
