"""Transient faults, throttling and failed long-running operations, through azure-core's retries."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from azguest.azure import AzureSession, RetrySettings, arm_errors
from azguest.emulator import Engine
from azguest.emulator.profile import Bucket, Faults, LroFailure, Throttling
from azguest.errors import AzureError
from tests.emulator.lab import LOCATION, Lab, code_of
from tests.emulator.test_status_walker import walk

# More status retries than azure-core's default 3, so a seeded run of 10% faults can't exhaust them.
PATIENT_RETRY = RetrySettings(total=20, status=10, backoff_factor=0.01, backoff_max_seconds=1)


def test_faults__walker_survives_ten_percent_transients(lab: Lab, engine: Engine):
    engine.profile = engine.profile.replace(faults=Faults(seed=7, transient_rate=0.10))
    patient = _patient(lab.s, engine)
    engine.reset_log()
    assert walk(Lab(patient, lab.uid)) == {}
    stats = engine.stats()
    assert stats["injected_faults"] > 0
    assert stats["retries"] >= stats["injected_faults"]
    assert {e.status for e in engine.request_log if e.injected} <= {429, 500, 503}
    assert any(e.injected and e.method in ("PUT", "POST") for e in engine.request_log)


def _patient(session: AzureSession, engine: Engine) -> AzureSession:
    """A session like ``session`` (same mode and endpoint) with PATIENT_RETRY."""
    if session.engine is not None:
        return AzureSession.for_engine(engine, retry=PATIENT_RETRY)
    return AzureSession(session.target, retry=PATIENT_RETRY)


def test_faults__seeded_runs_are_reproducible():
    from azguest.emulator import load_profile

    def run() -> list[tuple[str, int]]:
        engine = Engine(
            profile=load_profile("fast").replace(
                faults=Faults(seed=7, transient_rate=0.3, transient_statuses=(500, 503))
            )
        )
        s = AzureSession.for_engine(engine, retry=PATIENT_RETRY)
        for i in range(5):
            s.resource.resource_groups.create_or_update(f"rg-{i}", {"location": LOCATION})
        return [(e.method, e.status) for e in engine.request_log]

    assert run() == run()


def test_faults__lro_failure_surfaces_arm_code(lab: Lab, engine: Engine):
    rg = lab.rg()
    target = lab.name("vm")
    fail = LroFailure(type="Microsoft.Compute/virtualMachines", name=target, operation="create")
    engine.profile = engine.profile.replace(faults=Faults(lro_failures=(fail,)))
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg, target)
    assert code_of(ei) == "AllocationFailed"
    assert lab.vm(rg, target).provisioning_state == "Succeeded"  # times=1: the retry works
    assert lab.vm(rg).provisioning_state == "Succeeded"  # other names never matched


def test_faults__lro_failure_leaves_failed_resource(lab: Lab, engine: Engine):
    rg = lab.rg()
    name = lab.name("disk")
    fail = LroFailure(type="Microsoft.Compute/disks", name=name, operation="create", code="InternalDiskManagementError")
    engine.profile = engine.profile.replace(faults=Faults(lro_failures=(fail,)))
    with pytest.raises(AzureError) as ei, arm_errors(target=name):
        lab.disk(rg, name, size_gb=32)
    assert ei.value.code == "InternalDiskManagementError"


def test_throttling__arm_write_bucket_429_then_retry(lab: Lab, engine: Engine):
    arm = {"read": Bucket(250, 25), "write": Bucket(2, 40), "delete": Bucket(200, 10)}
    engine.profile = engine.profile.replace(throttling=Throttling(arm=arm, retry_after_ms_header=True))
    engine.reset_log()
    names = [lab.rg() for _ in range(4)]
    assert {g.name for g in lab.s.resource.resource_groups.list()} >= set(names)
    throttled = [e for e in engine.request_log if e.throttled]
    assert throttled and all(e.status == 429 for e in throttled)
    # the hint is the exact refill time, so a client that waits it gets a token on its next try
    assert len(throttled) <= len(names) - 2
