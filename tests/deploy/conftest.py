"""Fixtures for deploy tests: a lab spec, a helper that deploys it on the emulator."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from azguest.spec import load_lab, load_text

EXAMPLES = Path(__file__).parents[2] / "examples"
PASSWORD = "Test-Only-Pa55!"
NO_SETUP_CACHE = "AZGUEST_TEST_NO_SETUP_CACHE"  # set (to 1) to build every shared setup for real (measuring, bisecting)
STATE_ENV = "AZGUEST_EMULATOR_STATE"


def lab_from(name: str, **replacements: str):
    text = (EXAMPLES / name).read_text()
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return load_text(text, filename=name).lab


@pytest.fixture
def s2d_lab():
    return load_lab(EXAMPLES / "s2d-2node.yaml")


@pytest.fixture
def shared_lab():
    return load_lab(EXAMPLES / "shared-disk-3node.yaml")


@pytest.fixture
def emulated(tmp_path, monkeypatch):
    """The CLI on a persisted embedded emulator (fast profile), the admin password in the environment."""
    state = tmp_path / "emulator.db"
    monkeypatch.setenv("AZGUEST_EMULATOR", "1")
    monkeypatch.setenv(STATE_ENV, str(state))
    monkeypatch.setenv("AZGUEST_EMULATOR_PROFILE", "fast")
    monkeypatch.setenv("AZGUEST_ADMIN_PASSWORD", PASSWORD)
    for var in ("AZGUEST_ARM_ENDPOINT", "AZGUEST_OUTPUT", "AZGUEST_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return state


_TEMPLATES: dict[str, tuple[str, float]] = {}  # key -> (state file's JSON, emulated seconds skipped)


def from_template(state: Path, key: str, build: Callable[[], None]) -> None:
    """``build()`` (CLI commands, e.g. ``azguest deploy SPEC --yes``) on the persisted emulator state ``state``:
    run for real once per test process, ``key`` and AZGUEST_* environment, then kept. Later calls on a state that
    holds nothing yet (missing, or only the request counters of commands that found nothing) write the kept
    state there (its counters added to the ones already there), and move the test's emulated clock on to the
    seconds the build's clients skipped (stored times never lie in the future); anything else builds for real.
    For setup only, never for the command a test is about."""
    import azguest.emulator as emulator
    from azguest.emulator.store import atomic_write_json, empty_state, load_file

    if os.environ.get(NO_SETUP_CACHE):
        build()
        return
    key = repr((key, sorted((k, v) for k, v in os.environ.items() if k.startswith("AZGUEST_") and k != STATE_ENV)))
    counts = {}
    if state.exists():
        before = load_file(state)
        counts = before.pop("log_counts")
        if before != {k: v for k, v in empty_state().items() if k != "log_counts"}:
            build()
            return
    if key in _TEMPLATES:
        text, skipped = _TEMPLATES[key]
        doc = json.loads(text)
        for k, v in counts.items():
            doc["log_counts"][k] = doc["log_counts"].get(k, 0) + v
        atomic_write_json(state, doc)  # a new inode, 0600, as the store writes it
        emulator.Engine(state_path=state).skipped_s = skipped  # the test's shared emulated clock moves on to it
        return
    build()
    doc = load_file(state)
    doc["log_counts"] = {k: n for k, v in doc["log_counts"].items() if (n := v - counts.get(k, 0))}  # build's own
    _TEMPLATES[key] = (json.dumps(doc), emulator.Engine(state_path=state).skipped_s)


def deploy_key(spec: Path | str) -> str:
    """The from_template key of ``azguest deploy SPEC --yes``: the spec's file name and text (where the file is
    does not reach the emulated world)."""
    return f"deploy {Path(spec).name}\n{Path(spec).read_text(encoding='utf-8')}"


def cli_deployed(state: Path, spec: Path | str) -> None:
    """``azguest deploy SPEC --yes`` (which configures the guests) on the CLI's persisted emulator state, for a test
    whose subject comes after: from a template (``from_template``); its output is not the test's to read."""
    from azguest.cli.main import run

    def build() -> None:
        assert run(["deploy", str(spec), "--yes", "-o", "json"]) == 0

    from_template(state, deploy_key(spec), build)


def deployed_setup(session, lab, *, clock=None):
    """``do_deploy(session, lab)`` for a test whose subject comes after: on a fresh in-memory engine, deployed once
    per test process and lab, then loaded (tests.engine_cache; pass the engine's FakeClock as ``clock``). Returns
    the deploy's record."""
    from tests.engine_cache import cached

    key = ("do_deploy", repr(lab), session.polling_interval, repr(session.retry))
    return cached(session.engine, key, lambda: do_deploy(session, lab), clock=clock)


def do_deploy(session, lab, **kw):
    from azguest.deploy.lab import deploy

    kw.setdefault("max_workers", 8)
    kw.setdefault("wait_poll_s", 0.01)
    return deploy(session, lab, confirm=lambda p: True, password=lambda: PASSWORD, **kw)


READ_ONLY_ACTIONS = ("/checknameavailability", "/listkeys")  # POSTs that change nothing


def writes(engine) -> list:
    """Requests that change Azure state (injected faults and throttled attempts excluded)."""
    return [e for e in engine.request_log if e.kind in ("write", "delete", "action")
            and not e.path.lower().endswith(READ_ONLY_ACTIONS) and not e.injected and not e.throttled]
