"""One writer per lab: the lease in the lab group's tags (deploy, destroy, expiry, --break-lease).

No test sleeps: the settle interval goes through the policy's ``sleep``, which here is a rendezvous
(both runs have written before either re-reads: the worst interleaving) or nothing at all.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections import Counter

import pytest

from azguest.azure import AzureSession
from azguest.deploy.lab import deploy, make_plan
from azguest.deploy.lease import Lease, LeasePolicy
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.emulator import Engine
from azguest.errors import LeaseHeldError
from azguest.plan.model import LEASE_TAGS, TAG_LEASE_EXPIRES, TAG_LEASE_HOLDER, TAG_LEASE_NONCE
from tests.deploy.conftest import PASSWORD, deployed_setup, do_deploy, lab_from
from tests.deploy.test_ownership import group_tags

T0 = 1_900_000_000.0  # an injected clock: seconds since the epoch
TAGS_API = "Microsoft.Resources/tags"


def policy(**kw) -> LeasePolicy:
    kw.setdefault("settle_s", 0.0)
    kw.setdefault("renew_every_s", None)
    kw.setdefault("sleep", lambda s: None)
    return LeasePolicy(**kw)


class Rendezvous:
    """Each caller waits until every other run has arrived too, or has already finished (refused)."""

    def __init__(self, parties: int):
        self.parties, self.count = parties, 0
        self.cond = threading.Condition()

    def arrive(self, *_: object) -> bool:
        with self.cond:
            self.count += 1
            self.cond.notify_all()
            assert self.cond.wait_for(lambda: self.count >= self.parties, timeout=60)
        return True

    leave = arrive  # a run that ends early counts as arrived, so nobody waits for it


def hold(session, lab, **kw) -> Lease:
    """A lease taken by another run that is never released (a killed run, or one still working)."""
    kw.setdefault("holder", "ci@build-agent-7 pid=4242 deploy")
    lease = Lease(session, lab.resource_group_name, lab.name, policy(**kw))
    assert lease.acquire()
    return lease


def test_two_concurrent_deploys__each_resource_is_put_once_and_one_run_gets_the_lease_error(s2d_lab):
    engine = Engine()
    confirmed, settled = Rendezvous(2), Rendezvous(2)
    outcomes: dict[str, object] = {}

    def run(name: str) -> None:
        session = AzureSession.for_engine(engine, polling_interval=0.0)
        try:
            outcomes[name] = deploy(session, s2d_lab, confirm=confirmed.arrive, password=lambda: PASSWORD,
                                    max_workers=8, lease=policy(command=f"deploy-{name}", sleep=settled.arrive))
        except LeaseHeldError as e:
            outcomes[name] = e
        finally:
            confirmed.leave()
            settled.leave()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    errors = [o for o in outcomes.values() if isinstance(o, LeaseHeldError)]
    records = [o for o in outcomes.values() if not isinstance(o, LeaseHeldError)]
    assert len(errors) == 1 and len(records) == 1 and records[0].ok, outcomes
    err = errors[0]
    assert err.code == "AZG-LEASE-HELD" and err.details["holder"].endswith(("deploy-a", "deploy-b"))
    assert f"@{socket.gethostname()} pid=" in err.message and "since" in err.message
    # Count PUTs per resource path (retries excluded). The lease is written with the Tags API (its own path,
    # counted apart) except when the group does not exist yet: then each run's lease PUTs the group with its
    # desired body (that PUT is the lease write, and it never carries a secret). Every other resource: once.
    puts = Counter(e.path.lower() for e in engine.request_log if e.method == "PUT" and not e.retry
                   and e.arm_type != TAGS_API)
    group_path = f"/resourcegroups/{s2d_lab.resource_group_name}".lower()
    others = {p: n for p, n in puts.items() if not p.endswith(group_path)}
    assert len(others) == 20 and set(others.values()) == {1}, others
    assert 1 <= sum(n for p, n in puts.items() if p.endswith(group_path)) <= 2
    assert not [k for k in group_tags(AzureSession.for_engine(engine), s2d_lab.resource_group_name)
                if k in LEASE_TAGS]  # released


@pytest.mark.http  # this area's end-to-end over the loopback HTTP front end too
def test_deploy__refused_while_another_run_holds_the_lab_then_allowed_once_the_lease_expired(session, engine,
                                                                                             s2d_lab):
    assert deployed_setup(session, s2d_lab).ok
    changed = lab_from("s2d-2node.yaml", **{"course: hyperv-101": "course: hyperv-102"})  # every resource
    hold(session, s2d_lab, clock=lambda: T0, ttl_s=900)
    engine.reset_log()
    with pytest.raises(LeaseHeldError) as exc:
        do_deploy(session, changed, lease=policy(clock=lambda: T0 + 600))
    assert "ci@build-agent-7 pid=4242 deploy" in exc.value.message and exc.value.details["since"]
    assert "--break-lease" in exc.value.hint
    assert not [e for e in engine.request_log if e.kind != "read"]  # refused before any write
    record = do_deploy(session, changed, lease=policy(clock=lambda: T0 + 901))  # the killed run's lease expired
    assert record.ok and record.summary()["updated"] == 21
    assert not [k for k in group_tags(session, s2d_lab.resource_group_name) if k in LEASE_TAGS]


def test_deploy__break_lease_takes_a_stuck_lease(session, s2d_lab):
    assert deployed_setup(session, s2d_lab).ok
    hold(session, s2d_lab, clock=lambda: T0)
    changed = lab_from("s2d-2node.yaml", **{"course: hyperv-101": "course: hyperv-102"})
    with pytest.raises(LeaseHeldError):
        do_deploy(session, changed, lease=policy(clock=lambda: T0 + 1))
    assert do_deploy(session, changed, lease=policy(clock=lambda: T0 + 1, break_lease=True)).ok


def test_deploy__a_lease_of_a_dead_process_on_this_host_is_taken_over(session, s2d_lab):
    assert deployed_setup(session, s2d_lab).ok
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    hold(session, s2d_lab, clock=lambda: T0, holder=f"me@{socket.gethostname()} pid={gone.pid} deploy")
    changed = lab_from("s2d-2node.yaml", **{"course: hyperv-101": "course: hyperv-102"})
    assert do_deploy(session, changed, lease=policy(clock=lambda: T0 + 1)).ok


def test_destroy__refused_while_a_deploy_holds_the_lab(session, engine, s2d_lab):
    assert deployed_setup(session, s2d_lab).ok
    hold(session, s2d_lab, clock=lambda: T0)
    td = plan_teardown(session, s2d_lab.name)
    engine.reset_log()
    asked = []
    with pytest.raises(LeaseHeldError):
        destroy(session, td, confirm=asked.append, lease=policy(clock=lambda: T0 + 5, command="destroy"))
    assert asked == [] and not [e for e in engine.request_log if e.kind in ("write", "delete")]
    assert destroy(session, td, confirm=lambda t: True, lease=policy(clock=lambda: T0 + 5, break_lease=True)).ok


def test_lease_tags__are_not_part_of_the_hash_nor_drift(session, s2d_lab):
    assert deployed_setup(session, s2d_lab).ok
    hold(session, s2d_lab, clock=lambda: T0)
    plan = make_plan(session, s2d_lab)
    assert set(plan.summary()) == {"no-change"} and not plan.drifted()


def test_lease__renewal_pushes_the_expiry_and_notices_a_broken_lease(session, s2d_lab):
    now = [T0]
    assert deployed_setup(session, s2d_lab).ok
    mine = hold(session, s2d_lab, clock=lambda: now[0], ttl_s=900, holder="me@here pid=1 deploy")
    before = group_tags(session, s2d_lab.resource_group_name)[TAG_LEASE_EXPIRES]
    now[0] += 600
    assert mine.renew()
    assert group_tags(session, s2d_lab.resource_group_name)[TAG_LEASE_EXPIRES] > before
    hold(session, s2d_lab, clock=lambda: now[0], break_lease=True)  # someone breaks it
    assert not mine.renew() and mine.lost
    mine.release()  # not ours any more: the other holder's tags stay
    assert group_tags(session, s2d_lab.resource_group_name)[TAG_LEASE_HOLDER] == "ci@build-agent-7 pid=4242 deploy"


def test_lease__release_removes_only_the_lease_tags(session, s2d_lab):
    assert deployed_setup(session, s2d_lab).ok
    before = group_tags(session, s2d_lab.resource_group_name)
    lease = hold(session, s2d_lab, clock=lambda: T0)
    assert group_tags(session, s2d_lab.resource_group_name)[TAG_LEASE_NONCE] == lease.policy.nonce
    lease.release()
    assert group_tags(session, s2d_lab.resource_group_name) == before


def test_cli__destroy_exits_with_the_lease_code_naming_the_holder_and_break_lease_works(emulated, capsys):
    from azguest.azure import resolve_target
    from azguest.cli.exitcodes import ExitCode
    from azguest.cli.main import run
    from tests.deploy.conftest import EXAMPLES, cli_deployed

    state = emulated
    cli_deployed(state, EXAMPLES / "s2d-2node.yaml")
    with AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(state)})) as s:
        Lease(s, "rg-hv-s2d", "hv-s2d", LeasePolicy(holder="ci@build-agent-7 pid=4242 deploy", settle_s=0,
                                                    renew_every_s=None)).acquire()
    capsys.readouterr()
    assert run(["destroy", "hv-s2d", "--yes"]) == ExitCode.LEASE_HELD == 12
    err = capsys.readouterr().err
    assert "AZG-LEASE-HELD" in err and "ci@build-agent-7 pid=4242 deploy" in err and "since" in err
    assert run(["deploy", str(EXAMPLES / "s2d-2node.yaml"), "--yes"]) == 0  # unchanged: no write, no lease
    assert run(["destroy", "hv-s2d", "--yes", "--break-lease", "-o", "json"]) == 0


def test_deploy__reads_the_group_once_per_question(engine, s2d_lab):
    """A first deploy reads the lab's group four times, no more: the plan (whose read also answers "does another
    run hold it?"), the lease before and after taking it (the plan under the lease uses that last read), and the
    release. A refused deploy reads it once and nothing else before refusing."""
    session = AzureSession.for_engine(engine)
    group = f"/resourcegroups/{s2d_lab.resource_group_name}".lower()

    def group_reads() -> int:
        return sum(1 for e in engine.request_log if e.method == "GET" and e.path.lower().endswith(group))

    assert do_deploy(session, s2d_lab, lease=policy()).ok
    assert group_reads() == 4
    hold(session, s2d_lab, clock=lambda: T0, ttl_s=900)
    engine.reset_log()
    with pytest.raises(LeaseHeldError):
        do_deploy(session, lab_from("s2d-2node.yaml", **{"course: hyperv-101": "course: hyperv-102"}),
                  lease=policy(clock=lambda: T0 + 1))
    assert group_reads() == 1
    assert not [e for e in engine.request_log if "/skus" in e.path.lower() or "/usages" in e.path.lower()]
