"""Interruption (kill -9 at 10 points), faults (10% transient + AllocationFailed), destroy safety."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azguest.azure import AzureSession, resolve_target
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.emulator import Engine, load_profile
from azguest.emulator.profile import Faults, Latency, LroFailure, Profile
from azguest.emulator.requestlog import RequestLog
from azguest.emulator.store import StateFileError, parse_state
from azguest.plan.desired import desired_graph
from tests import forkserver
from tests.conftest import examples
from tests.deploy.conftest import EXAMPLES, PASSWORD, deployed_setup, do_deploy
from tests.forkserver import ForkedProcess, ForkServer

ROOT = Path(__file__).parents[2]
SPEC = EXAMPLES / "s2d-2node.yaml"
KILL_AFTER_WRITES = (1, 2, 4, 6, 8, 10, 12, 14, 16, 19)  # of 21 PUTs


def assert_exactly_desired(session: AzureSession, lab) -> None:
    """Every desired resource exists once, succeeded; nothing else in the group but VMs' OS disks."""
    graph = desired_graph(lab, session.subscription_id)
    want = {r.arm_id.lower() for r in graph.resources if r.kind != "resourceGroup"}
    have = {}
    for item in session.resource.resources.list_by_resource_group(lab.resource_group_name):
        have[item.id.lower()] = item
    disks = f"/subscriptions/{session.subscription_id}/resourceGroups/{lab.resource_group_name}" \
        "/providers/Microsoft.Compute/disks/"
    os_disks = {f"{disks}{r.name}-os".lower() for r in graph.resources if r.kind == "vm"}
    extra = set(have) - want - os_disks
    assert not extra, f"orphans: {sorted(extra)}"
    assert want <= set(have), f"missing: {sorted(want - set(have))}"
    for vm in session.compute.virtual_machines.list(lab.resource_group_name):
        assert vm.properties.provisioning_state == "Succeeded"


def _profile_file(tmp: Path, scale: float) -> Path:
    path = tmp / "profile.json"
    # base fast: 429s carry the exact wait in ms, so a throttled poll waits milliseconds, not a second. A VM
    # create takes 20 Azure seconds, not 90: the kill points count writes, and the late ones wait on the VMs.
    latency = {"time_scale": scale, "durations": {"virtualmachines.create": 20.0}}
    path.write_text(json.dumps({"name": "kill", "base": "fast", "latency": latency}))
    return path


def _writes_in(state: Path, data: bytes | None = None) -> int:
    """The writes the state file counts (Engine.stats() of a fresh engine on it), but the lease's tag writes.
    Read without the file lock: every save replaces the file whole (os.replace), so a reader sees the old
    or the new version, never a torn one, and the deploy under test never waits for the test's lock."""
    try:
        stats = RequestLog.summary(parse_state(data if data is not None else state.read_bytes())["log_counts"], {})
    except (FileNotFoundError, StateFileError):  # not written yet
        return 0
    lease = stats["by_type"].get("Microsoft.Resources/tags", {}).get("write", 0)  # the lease's tag writes
    return stats["by_kind"]["write"] - lease


@pytest.fixture(scope="session")
def cli_server():
    """The children below are forks of one process that has imported the CLI, the emulator and the SDK:
    each is still a separate `python -m azguest` process, killed for real, but skips 0.6 s of imports."""
    with forkserver.shared(forkserver.CLI_PRELOAD) as server:
        yield server


def _start_deploy(server: ForkServer, tmp_path: Path, scale: float, *extra: str) -> tuple[ForkedProcess, Path]:
    """`azguest deploy --emulator` in a child process, on a state file of its own; its stderr in a file."""
    state = tmp_path / "emulator.db"
    env = {**os.environ, "AZGUEST_EMULATOR": "1", "AZGUEST_EMULATOR_STATE": str(state),
           "AZGUEST_EMULATOR_PROFILE": str(_profile_file(tmp_path, scale)), "AZGUEST_ADMIN_PASSWORD": PASSWORD}
    proc = server.popen(["-m", "azguest", "deploy", str(SPEC), "--yes", *extra], env=env, cwd=ROOT,
                        stderr=tmp_path / "stderr.txt")
    return proc, state


def _wait_for_writes(proc: ForkedProcess, state: Path, count: int) -> None:
    """Until the state file counts ``count`` writes (or the child ended). Every save is a new file (a new
    inode): a version is read once, and kept open so that a later save cannot get its inode number."""
    deadline, held = time.monotonic() + 60, None
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError):
                fd = os.open(state, os.O_RDONLY)
                if held is not None and os.fstat(fd).st_ino == os.fstat(held).st_ino:
                    os.close(fd)
                else:
                    if held is not None:
                        os.close(held)
                    held = fd
                    if _writes_in(state, os.pread(held, os.fstat(held).st_size, 0)) >= count:
                        return
            time.sleep(0.01)
    finally:
        if held is not None:
            os.close(held)


def _rerun_converges_without_redoing_work(state: Path) -> None:
    """Re-run in this process: exactly the desired resources, and across both runs one PUT per resource."""
    writes_before = _writes_in(state)
    target = resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(state)})
    engine = Engine(state_path=state, profile=load_profile("fast").replace(latency=Latency(time_scale=0.01)),
                    virtual_time=True)  # the killed run is gone: waits may skip ahead on the emulated clock
    with AzureSession(target, engine=engine, polling_interval=0.01) as session:
        from azguest.spec import load_lab

        lab = load_lab(SPEC)
        engine.reset_log()
        record = do_deploy(session, lab)
        assert record.ok, [r.to_dict() for r in record.failed()]
        assert_exactly_desired(session, lab)
        rerun_puts = sum(1 for e in engine.request_log if e.kind == "write" and not e.retry
                         and e.arm_type != "Microsoft.Resources/tags")  # the lease's tag writes are no PUTs
        graph = desired_graph(lab, session.subscription_id)  # + one OS-disk tag write per VM (plan.osdisk)
        assert writes_before + rerun_puts == len(graph.resources) + sum(1 for d in graph.resources if d.kind == "vm")
        assert do_deploy(session, lab).note == "no changes"


@pytest.mark.slow
@pytest.mark.parametrize("after", KILL_AFTER_WRITES)
def test_deploy__killed_at_any_point_then_rerun_converges(cli_server, tmp_path, after):
    proc, state = _start_deploy(cli_server, tmp_path, 0.01, "-o", "json")
    _wait_for_writes(proc, state, after)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert killed, "deploy finished before the kill point: the kill points are too late"
    _rerun_converges_without_redoing_work(state)


@pytest.mark.slow
def test_deploy__ctrl_c_lets_running_work_finish_exits_130_and_rerun_converges(cli_server, tmp_path):
    proc, state = _start_deploy(cli_server, tmp_path, 0.02)
    _wait_for_writes(proc, state, 8)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    err = (tmp_path / "stderr.txt").read_text()
    assert proc.returncode == 130, err
    assert "AZG-INTERRUPTED" in err and "Traceback" not in err
    _rerun_converges_without_redoing_work(state)


def test_deploy__transient_faults_and_allocation_failure_then_rerun_converges(shared_lab):
    faults = Faults(seed=7, transient_rate=0.10, lro_failures=(
        LroFailure(type="Microsoft.Compute/virtualMachines", name="*sd02", code="AllocationFailed", times=1),))
    engine = Engine(profile=Profile(latency=Latency(time_scale=0.0), faults=faults))
    from azguest.azure import RetrySettings

    # more status retries than azure-core's 3: 4 faults in a row on one of ~300 requests must not fail a NIC
    session = AzureSession.for_engine(engine, retry=RetrySettings(status=10, backoff_factor=0.01),
                                      polling_interval=0.001)
    first = do_deploy(session, shared_lab)
    failed = first.failed()
    assert [f.name for f in failed] == ["hv-shared-sd02"] and failed[0].error["code"] == "AllocationFailed"
    assert engine.stats()["injected_faults"] > 0 and engine.stats()["retries"] > 0
    second = do_deploy(session, shared_lab)
    assert second.ok, [r.to_dict() for r in second.failed()]
    assert_exactly_desired(session, shared_lab)


FOREIGN_KINDS = ("nsg", "disk", "availabilitySet")
TAG_VARIANTS = ({}, {"azguest-lab": "other-lab"}, {"azguest-lab": "HV-S2D"}, {"owner": "x", "azguest-role": "node"})


def _foreign(session, rg: str, location: str, i: int, kind: str, tags: dict) -> str:
    name = f"foreign{i}-{kind.lower()}"
    if kind == "nsg":
        r = session.network.network_security_groups.begin_create_or_update(
            rg, name, {"location": location, "tags": tags}).result()
    elif kind == "disk":
        r = session.compute.disks.begin_create_or_update(rg, name, {
            "location": location, "tags": tags, "sku": {"name": "Premium_LRS"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 8}}).result()
    else:
        r = session.compute.availability_sets.create_or_update(rg, name, {
            "location": location, "tags": tags, "sku": {"name": "Aligned"},
            "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 2}})
    return r.id.lower()


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(foreign=st.lists(st.tuples(st.sampled_from(FOREIGN_KINDS), st.sampled_from(TAG_VARIANTS),
                                  st.booleans()), min_size=1, max_size=5))
def test_destroy__never_deletes_a_resource_without_the_lab_tag(s2d_lab, foreign):
    engine = Engine(profile=Profile(latency=Latency(time_scale=0.0)))
    session = AzureSession.for_engine(engine, polling_interval=0.0)
    assert deployed_setup(session, s2d_lab).ok  # the setup, not the subject: deployed once per process, then copied
    rg = s2d_lab.resource_group_name
    session.resource.resource_groups.create_or_update("rg-elsewhere", {"location": s2d_lab.location})
    ids = [_foreign(session, rg if same_group else "rg-elsewhere", s2d_lab.location, i, kind, tags)
           for i, (kind, tags, same_group) in enumerate(foreign)]
    record = destroy(session, plan_teardown(session, s2d_lab.name, with_backups=True), confirm=lambda t: True)
    assert record.ok
    remaining = {r.id.lower() for g in (rg, "rg-elsewhere") if session.resource.resource_groups.check_existence(g)
                 for r in session.resource.resources.list_by_resource_group(g)}
    assert set(ids) <= remaining
    assert not [r for r in remaining if "/hv-s2d-" in r]


def test_destroy__partial_failure_then_rerun_finishes_the_job(s2d_lab):
    faults = Faults(lro_failures=(LroFailure(type="Microsoft.Network/networkInterfaces", name="*hv01-nic-cluster",
                                             operation="delete", code="InternalServerError", times=1),))
    engine = Engine(profile=Profile(latency=Latency(time_scale=0.0), faults=faults))
    session = AzureSession.for_engine(engine, polling_interval=0.0)
    assert do_deploy(session, s2d_lab).ok
    first = destroy(session, plan_teardown(session, s2d_lab.name), confirm=lambda t: True)
    failed = first.failed()
    assert [f.name for f in failed] == ["hv-s2d-hv01-nic-cluster"] and failed[0].error["code"] == "InternalServerError"
    assert session.resource.resource_groups.check_existence(s2d_lab.resource_group_name)  # not deleted half-way
    second = destroy(session, plan_teardown(session, s2d_lab.name), confirm=lambda t: True)
    assert second.ok and not session.resource.resource_groups.check_existence(s2d_lab.resource_group_name)
