"""Fixtures for deploy tests: a lab spec, a helper that deploys it on the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from azguest.spec import load_lab, load_text

EXAMPLES = Path(__file__).parents[2] / "examples"
PASSWORD = "Test-Only-Pa55!"


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
    monkeypatch.setenv("AZGUEST_EMULATOR_STATE", str(state))
    monkeypatch.setenv("AZGUEST_EMULATOR_PROFILE", "fast")
    monkeypatch.setenv("AZGUEST_ADMIN_PASSWORD", PASSWORD)
    for var in ("AZGUEST_ARM_ENDPOINT", "AZGUEST_OUTPUT", "AZGUEST_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return state


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
