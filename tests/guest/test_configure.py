"""`configure` on the emulator (real SDK): every step runs once as a managed run command, VMs restart
through ARM once, a re-run writes nothing, a failure names the step, VM, exit code and output, and the
next run resumes at the failed step (whose run command really runs again)."""

from __future__ import annotations

from collections import Counter

import pytest

from azguest.azure import kinds as K
from azguest.errors import GuestError
from azguest.guest.commands import Secrets
from azguest.guest.configure import configure, plan_guest
from azguest.guest.graph import step_graph
from azguest.plan.model import GUEST_STEP_ROLE, TAG_LAB, TAG_ROLE, TAG_SPEC
from tests.deploy.conftest import PASSWORD, do_deploy, writes


def _secrets(need):
    return Secrets(PASSWORD)


def restarts(engine) -> Counter:
    return Counter(e.path.rsplit("/", 2)[-2] for e in engine.request_log
                   if e.method == "POST" and e.path.lower().endswith("/restart"))


@pytest.mark.http  # this area's end-to-end over the loopback HTTP front end too
def test_configure__runs_every_step_once_restarts_each_vm_once_and_a_rerun_writes_nothing(
        session, engine, s2d_lab, fake_guest):
    do_deploy(session, s2d_lab)
    engine.reset_log()
    record = configure(session, s2d_lab, secrets=_secrets)
    assert record.ok, [o.error for o in record.failed()]
    runs = step_graph(s2d_lab).runs
    assert sorted((s, c) for s, c, _, _ in fake_guest.calls) == sorted((r.step.id, r.computer) for r in runs)
    assert restarts(engine) == {"hv-s2d-dc01": 1, "hv-s2d-hv01": 1, "hv-s2d-hv02": 1}  # from the ARM requests
    assert fake_guest.ran("cluster-create") == ["hv01"]

    rcs = [r for vm in K.list_in_group(session, K.KINDS["vm"], s2d_lab.resource_group_name)
           for r in K.list_children(session, K.KINDS["runCommand"], vm["id"])]
    assert len(rcs) == len(runs)
    for rc in rcs:
        p = rc["properties"]
        assert rc["tags"][TAG_LAB] == s2d_lab.name and rc["tags"][TAG_ROLE] == GUEST_STEP_ROLE and rc["tags"][TAG_SPEC]
        assert p["treatFailureAsDeploymentFailure"] is True and p["timeoutInSeconds"] > 0
        assert "protectedParameters" not in p  # never returned

    fresh = plan_guest(session, s2d_lab)
    assert plan_guest(session, s2d_lab, prior=fresh) == fresh  # the plan under the lease reuses the spec's runs
    engine.reset_log()
    again = configure(session, s2d_lab, secrets=lambda need: pytest.fail("an unchanged lab needs no secret"))
    assert again.ok and again.note == "no changes" and writes(engine) == []
    assert len(fake_guest.calls) == len(runs)

    engine.reset_log()
    redeploy = do_deploy(session, s2d_lab)  # deploy's own plan leaves the guest steps alone
    assert redeploy.note == "no changes" and writes(engine) == []


def test_configure__a_failed_step_names_step_vm_exit_code_and_output_and_the_rerun_resumes_there(
        session, engine, s2d_lab, fake_guest):
    do_deploy(session, s2d_lab)
    fake_guest.fail["cluster-validate@hv01"] = (3, "Test-Cluster: 2 tests failed: Validate Network Communication")
    with pytest.raises(GuestError) as info:
        configure(session, s2d_lab, secrets=_secrets)
    e = info.value
    assert e.code == "AZG-GUEST-STEP" and "cluster-validate" in e.message and "hv-s2d-hv01" in e.message
    assert "exit code 3" in e.message and "Validate Network Communication" in e.message
    assert e.details["exitCode"] == 3 and e.details["step"] == "cluster-validate"
    assert e.result["ok"] is False
    failed = plan_guest(session, s2d_lab)
    assert failed.actions["cluster-validate@hv01"] == "create"  # the failed run command was deleted
    assert {k for k, a in failed.actions.items() if a == "no-change"} >= {"dc-promote@dc01", "node-join@hv02"}

    before = Counter(s for s, _, _, _ in fake_guest.calls)
    del fake_guest.fail["cluster-validate@hv01"]
    engine.advance(600)  # the operator fixes the network: minutes pass, hv01's Compute write budget refills
    engine.reset_log()
    record = configure(session, s2d_lab, secrets=_secrets)
    assert record.ok
    after = Counter(s for s, _, _, _ in fake_guest.calls) - before
    assert after["cluster-validate"] == 1 and after["dc-promote"] == 0 and after["node-join"] == 0
    assert restarts(engine) == {}  # every VM had its one reboot in the first run


def test_configure__a_changed_step_gets_a_new_name_and_the_old_run_command_goes(session, engine, s2d_lab,
                                                                                  fake_guest, monkeypatch):
    do_deploy(session, s2d_lab)
    assert configure(session, s2d_lab, secrets=_secrets).ok
    old = plan_guest(session, s2d_lab).desired["dc-dns@dc01"].name
    import azguest.guest.steps as steps

    dns = next(s for s in steps.COMMON if s.id == "dc-dns")
    changed = type(dns)(**{**dns.__dict__, "values": lambda lab, c: {"DomainName": lab.domain.fqdn,
                                                                      "Forwarder": "8.8.8.8"}})
    monkeypatch.setattr(steps, "COMMON", tuple(changed if s.id == "dc-dns" else s for s in steps.COMMON))
    plan = plan_guest(session, s2d_lab)
    assert plan.actions["dc-dns@dc01"] == "create" and plan.desired["dc-dns@dc01"].name != old
    assert [s.name.split("/")[1] for s in plan.stale] == [old.split("/")[1]]
    engine.reset_log()
    assert configure(session, s2d_lab, secrets=_secrets).ok
    deleted = [e.path for e in writes(engine) if e.method == "DELETE"]
    assert len(deleted) == 1 and deleted[0].endswith(old.split("/")[1])
    assert fake_guest.ran("dc-dns") == ["dc01", "dc01"] and restarts(engine) == {}


def test_configure__resumes_after_a_kill_between_a_reboot_step_and_its_restart(engine, s2d_lab, fake_guest,
                                                                                monkeypatch):
    """Killed after node-join ran but before azguest restarted the nodes: the re-run restarts them (the
    step reported a pending reboot that ended after the VM's last operation), and only once."""
    import azguest.guest.configure as cfg
    from azguest.azure import AzureSession

    session = AzureSession.for_engine(engine)
    do_deploy(session, s2d_lab)
    real = cfg._restart

    def killed(ctx, rs):
        if rs.computer != "dc01":
            raise KeyboardInterrupt  # the process dies before it restarts the nodes
        return real(ctx, rs)

    monkeypatch.setattr(cfg, "_restart", killed)
    with pytest.raises(GuestError, match="KeyboardInterrupt"):
        configure(session, s2d_lab, secrets=_secrets)
    assert not fake_guest.ran("cluster-validate")
    monkeypatch.setattr(cfg, "_restart", real)
    engine.reset_log()
    assert configure(session, s2d_lab, secrets=_secrets).ok
    assert restarts(engine) == {"hv-s2d-hv01": 1, "hv-s2d-hv02": 1}
    assert sorted(fake_guest.ran("node-join")) == ["hv01", "hv02"]  # not run again
