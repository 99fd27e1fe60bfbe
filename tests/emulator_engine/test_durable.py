"""State saves wait for the disk by default (fsync of the file and of its folder); AZGUEST_EMULATOR_FSYNC=0, which
the test suite sets for its throwaway states, skips only the waits, never the atomic replace."""

from __future__ import annotations

import json
import os
import stat

import pytest

from azguest.emulator import Engine
from azguest.emulator.store import ENV_FSYNC, atomic_write_json


@pytest.fixture
def fsyncs(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    return calls


def test_default__a_save_fsyncs_the_file_and_its_folder(tmp_path, monkeypatch, fsyncs):
    monkeypatch.delenv(ENV_FSYNC, raising=False)
    atomic_write_json(tmp_path / "state.db", {"a": 1})
    assert len(fsyncs) == 2
    assert json.loads((tmp_path / "state.db").read_text()) == {"a": 1}


@pytest.mark.parametrize("value", ["1", "", "yes"])
def test_anything_but_zero__keeps_the_fsyncs(tmp_path, monkeypatch, fsyncs, value):
    monkeypatch.setenv(ENV_FSYNC, value)
    atomic_write_json(tmp_path / "state.db", {"a": 1})
    assert len(fsyncs) == 2


def test_fsync_off__the_same_private_file_atomically_and_no_temp_left(tmp_path, monkeypatch, fsyncs):
    monkeypatch.setenv(ENV_FSYNC, "0")
    path = tmp_path / "emulator.db"
    engine = Engine(state_path=path)
    engine.handle("PUT", "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/"
                  "resourcegroups/rg1?api-version=2024-03-01", {}, b'{"location": "westeurope"}')
    engine.flush()
    assert fsyncs == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    reread = Engine(state_path=path)
    assert reread.handle("GET", "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/"
                         "resourcegroups/rg1?api-version=2024-03-01", {}, None).status == 200
