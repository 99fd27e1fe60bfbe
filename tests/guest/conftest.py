"""Fixtures for the guest tests: a deployed lab on the emulator, and a scripted guest for every step."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from azguest.emulator.guest import GuestResult, GuestRun, registered
from azguest.guest.steps import all_steps
from tests.deploy.conftest import EXAMPLES, PASSWORD, do_deploy, emulated, s2d_lab, shared_lab  # noqa: F401

REBOOTS = {"dc-promote", "node-features", "node-join", "s2d-node-settings"}  # report rebootRequired


@dataclass
class FakeGuest:
    """Answers every guest step with its JSON result line; records what it was given; fails on demand."""
    calls: list[tuple[str, str, dict, tuple[str, ...]]] = field(default_factory=list)  # step, computer, params,
    fail: dict[str, tuple[int, str]] = field(default_factory=dict)  # "step@computer" -> (exit code, stderr)
    seen_protected: list[dict] = field(default_factory=list)

    def handler(self, step_id: str) -> Callable[[GuestRun, dict], GuestResult]:
        def fn(run: GuestRun, facts: dict) -> GuestResult:
            self.calls.append((step_id, run.computer_name, dict(run.parameters), tuple(sorted(run.protected))))
            self.seen_protected.append(dict(run.protected))
            failure = self.fail.get(f"{step_id}@{run.computer_name}")
            if failure is not None:
                return GuestResult(failure[0], "working...\n", failure[1])
            line = {"step": step_id, "changed": True, "rebootRequired": step_id in REBOOTS, "data": {}}
            return GuestResult(0, "log line\n" + json.dumps(line))
        return fn

    def ran(self, step_id: str) -> list[str]:
        return [c for s, c, _, _ in self.calls if s == step_id]


@pytest.fixture
def fake_guest():
    guest = FakeGuest()
    with contextlib.ExitStack() as stack:
        for step_id in all_steps():
            stack.enter_context(registered(step_id, guest.handler(step_id)))
        yield guest
