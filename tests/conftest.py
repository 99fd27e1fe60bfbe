"""Generic fixtures shared by every test directory.

* ``engine``  -- a fresh in-memory emulator :class:`~azguest.emulator.Engine` with the ``fast``
  profile (no latency; throttling on, 429s hint the exact wait in ms; no faults). Owned by the test:
  never global. Its clients never sleep on it, in process or over HTTP: azure-core's retry and poll waits
  advance its clock (``Engine.advance``). Tests never sleep in real time:
  inject a clock (``Engine(clock=...)``, ``azguest.execute.wait.Clock``) instead.
* ``session`` -- an :class:`~azguest.azure.AzureSession` on that engine, parametrized over two modes,
  like moto's ServerMode (the use-case flows in deploy/guest/backup/restore: in process only, but for one
  ``@pytest.mark.http`` end-to-end per area; see ``pytest_generate_tests``): ``inproc`` (the in-process
  azure-core transport) and ``http`` (a loopback ``serve(engine)`` server on 127.0.0.1:0, reached with
  ``endpoint=server.url``; its client waits on ``engine``'s clock too: ``advancing_transport``). A test
  that takes ``session`` therefore runs twice; ``session.engine`` is None in http mode, so use ``engine``.
* ``uid``     -- a short unique string for resource names, so tests can run in parallel (-n 2).

Property tests size themselves with ``examples(n)``: ``n`` under the ``thorough`` Hypothesis profile
(``HYPOTHESIS_PROFILE=thorough``, for CI or before a release), a fifth of it (at least 10) under the default
``quick`` profile that ``make test`` uses.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

# The emulator's state files in tests are throwaway: saves skip the fsyncs (thousands of them, each waiting on the
# disk; a killed process loses nothing either way). tests/emulator_engine/test_durable.py covers the default.
os.environ.setdefault("AZGUEST_EMULATOR_FSYNC", "0")

settings.register_profile("quick", max_examples=20)
settings.register_profile("thorough", max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

if TYPE_CHECKING:
    from azguest.azure import AzureSession
    from azguest.emulator import Engine

SESSION_MODES = ("inproc", "http")


def examples(n: int) -> int:
    """``n`` examples under the thorough profile; scaled down (to at least 10) under the quick one."""
    return max(10, n * settings.default.max_examples // 100)


@pytest.fixture
def uid() -> str:
    """Eight hex characters, unique per test; append to every resource name."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def engine() -> Engine:
    from azguest.emulator import Engine, load_profile

    return Engine(profile=load_profile("fast"))


@pytest.fixture(autouse=True)
def embedded_emulator_in_emulated_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's embedded emulator (``AZGUEST_EMULATOR=1``, a persisted state file) waits on its emulated
    clock, as an in-memory one does: in a test, this process is the state file's only user (children that
    share one, as in test_resilience, open their own engine and wait in real time). The emulated seconds
    skipped are shared by every engine this test opens, so time never runs backwards from one CLI command to
    the next."""
    import azguest.emulator as emulator

    real = emulator.Engine
    skipped = [0.0]

    class SoleUserEngine(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args, **kwargs) -> None:
            self._shared = kwargs.get("state_path") is not None  # in-memory engines keep their own time
            kwargs.setdefault("virtual_time", self._shared or None)
            super().__init__(*args, **kwargs)

        @property
        def skipped_s(self) -> float:
            return skipped[0] if self._shared else self._own

        @skipped_s.setter
        def skipped_s(self, value: float) -> None:
            if self._shared:
                skipped[0] = max(skipped[0], value)  # Engine.__init__'s 0.0 keeps what earlier engines skipped
            else:
                self._own = value

    monkeypatch.setattr(emulator, "Engine", SoleUserEngine)


FLOW_AREAS = ("deploy", "guest", "backup", "restore")  # use-case flows: in process, but for marked tests
TESTS = Path(__file__).parent


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``session`` runs inproc and http for the emulator, adaptor and CLI tests (they prove the HTTP front
    end); for the use-case flows under FLOW_AREAS, in process only, except the one end-to-end per area
    marked ``@pytest.mark.http`` (the same flows cross the same HTTP front end: a second pass adds time,
    not proof)."""
    if "session" not in metafunc.fixturenames:
        return
    area = Path(str(metafunc.definition.path)).relative_to(TESTS).parts[0]
    flow = area in FLOW_AREAS and metafunc.definition.get_closest_marker("http") is None
    metafunc.parametrize("session", ("inproc",) if flow else SESSION_MODES, indirect=True)


@pytest.fixture
def session(request: pytest.FixtureRequest, engine: Engine) -> Iterator[AzureSession]:
    from azguest.azure import AzureSession, RetrySettings, resolve_target

    retry = RetrySettings(backoff_factor=0.05, backoff_max_seconds=2)  # fast, still azure-core's policy
    if request.param == "inproc":
        with AzureSession.for_engine(engine, retry=retry) as s:
            yield s
        return
    from azguest.emulator import serve

    server = serve(engine, host="127.0.0.1", port=0)
    try:
        with AzureSession(resolve_target(endpoint=server.url, environ={}),
                          transport=advancing_transport(engine, server.url), retry=retry) as s:
            yield s
    finally:
        server.shutdown()


def advancing_transport(engine: Engine, url: str):
    """azure-core's requests transport to a loopback ``serve(engine)`` at ``url``, in emulated time: every
    wait of the client (a 429's retry hint, an LRO poll interval, azguest's own polls through
    ``session_clock``) moves ``engine``'s clock (``Engine.advance``) instead of sleeping, so its throttling
    buckets refill and its operations end as they would after that wait. Every request still crosses the
    HTTP front end (Key Vault's ``https://{vault}.vault...`` ones as azguest's loopback session sends them)."""
    from urllib.parse import urlsplit

    from azure.core.pipeline.transport import RequestsTransport

    from azguest.azure.keyvault import _loopback_transport

    class AdvancingTransport(RequestsTransport):
        virtual_time = True  # azguest.execute.wait.session_clock: sleep through the transport

        def __init__(self) -> None:
            super().__init__()
            self.vault = _loopback_transport(url)

        def send(self, request, **kwargs):
            if ".vault." in (urlsplit(request.url).hostname or ""):
                return self.vault.send(request, **kwargs)
            return super().send(request, **kwargs)

        def sleep(self, duration: float) -> None:
            engine.advance(duration)

    return AdvancingTransport()
