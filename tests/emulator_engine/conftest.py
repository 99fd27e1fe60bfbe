"""Helpers for engine-internal tests: raw ARM requests through ``Engine.handle`` (no SDK)."""

from __future__ import annotations

import json

import pytest

from tests.emulator.fakeclock import FakeClock

SUB = "00000000-0000-0000-0000-000000000001"
BASE = "https://management.azure.com"
RG = f"/subscriptions/{SUB}/resourceGroups/rg1"


def call(engine, method: str, path: str, body: dict | None = None, headers: dict | None = None,
         api: str = "2025-04-01"):
    sep = "&" if "?" in path else "?"
    url = path if path.startswith("http") else f"{BASE}{path}{sep}api-version={api}"
    resp = engine.handle(method, url, headers or {}, json.dumps(body).encode() if body is not None else None)
    data = json.loads(resp.body) if resp.body else None
    return resp, data


def disk_body(size: int = 64, sku: str = "Premium_LRS", shares: int = 1) -> dict:
    return {"location": "westeurope", "sku": {"name": sku},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": size, "maxShares": shares}}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_000_000.0)
