"""Fixtures for the emulator suite; the builders live in lab.py."""

from __future__ import annotations

import pytest

from azguest.azure import AzureSession
from tests.emulator.lab import Lab


@pytest.fixture
def lab(session: AzureSession, uid: str) -> Lab:
    """Resource builders on ``session`` (so: run in both modes) with names unique to this test."""
    return Lab(session, uid)
