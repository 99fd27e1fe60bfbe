"""`azguest restore BACKUP --into NEWLAB`: the backup's lab rebuilt as a new, isolated lab (``clone.py`` makes
its desired graph), brought up in the restore order.

Under the new lab's lease: the group, network, availability set, storage account and every disk (from the
backup's pieces), and the DC's VM; ``dc-health`` until AD DS and DNS answer; then the storage tier's VMs;
then the nodes (those sharing a disk one after another, as deploy staggers them); the cloud witness moved to
the clone's own account (the ``witness-cloud`` step, its key a protected parameter) before the cluster
starts; the ordered start's cluster and workload stages; ``azguest test``'s checks. A VM is created on its
attached OS disk, which starts it: creating it in that order is the start order. A failure leaves what was
created (a re-run creates only what is missing; ``azguest destroy NEWLAB`` removes it all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId
from azguest.azure.lookups import storage_account_key
from azguest.backup.manifest import Manifest
from azguest.deploy.apply import apply_plan
from azguest.deploy.lease import LeasePolicy, holding, policy_for
from azguest.deploy.lifecycle import lab_group_tags, lifetime_tags, with_lifetime
from azguest.errors import AzguestError, ConflictError, GuestError
from azguest.execute.dag import Event
from azguest.execute.wait import session_clock, session_now
from azguest.guest import ops
from azguest.guest.commands import Secrets, execution_name, run_command_body, with_secrets
from azguest.guest.configure import parse_result
from azguest.guest.graph import StepRun, run_key
from azguest.guest.health import run_checks
from azguest.guest.power import run_power
from azguest.guest.steps import all_steps, first_node
from azguest.plan.diff import diff
from azguest.plan.live import complete_bodies, read_live
from azguest.plan.model import GUEST_STEP_ROLE, TAG_LAB, TAG_ROLE, TAG_SPEC, Plan, body_hash
from azguest.restore.clone import clone_graph, clone_spec
from azguest.restore.model import Journal, Request, RestoreRecord, restore_id

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession
    from azguest.spec.models import Lab

Events = Callable[[Event], None] | None
TIER_OF_ROLE = {"dc": "dc", "node": "node"}  # any other VM role: the storage tier


def make_clone_plan(session: AzureSession, lab: Lab, m: Manifest) -> Plan:
    """``deploy.lab.make_plan`` for a clone: the live state of the new lab against its restore graph."""
    probe = clone_graph(lab, m, session.subscription_id, {})
    exists, live = read_live(session, probe)
    group_tags = lab_group_tags(live, lab.name)
    lifetime = lifetime_tags(lab.expires_after, group_tags, session_now(session))
    graph = clone_graph(lab, m, session.subscription_id, lifetime)
    plan = diff(graph, live, group_exists=exists)
    if complete_bodies(session, plan, live):
        plan = diff(graph, live, group_exists=exists)
    return with_lifetime(plan, group_tags)


def _tier(plan: Plan, key: str) -> str:
    """The start tier of a change: its VM's (a VM's schedule goes with it), 'infra' for everything else."""
    d = plan.graph.by_key()[key]
    if d.kind == "schedule":
        vm_key = next((k for k in d.depends_on if k.startswith("vm/")), "")
        d = plan.graph.by_key().get(vm_key, d)
    if d.kind != "vm":
        return "infra"
    return TIER_OF_ROLE.get(d.role, "storage")


def _phase(plan: Plan, tiers: set[str]) -> Plan:
    """The plan with only the changes of these tiers left to do."""
    changes = tuple(c if _tier(plan, c.key) in tiers else replace(c, action="no-change") for c in plan.changes)
    return replace(plan, changes=changes)


class IntoRun:
    def __init__(self, session: AzureSession, m: Manifest, lab: Lab, on_event: Events) -> None:
        self.session, self.m, self.lab, self.on_event = session, m, lab, on_event
        self.clock = session_clock(session)
        self.t0 = self.clock.now()
        self.rid = restore_id(session_now(session))
        self.j = Journal()
        self.rg = lab.resource_group_name

    def phase(self, name: str, fn: Callable[[], Any]) -> Any:
        t = self.clock.now()
        try:
            out = fn()
        except BaseException as e:
            err = {"code": getattr(e, "code", "AZG-INTERNAL"), "message": getattr(e, "message", str(e))}
            self.j.stage(name, False, self.clock.now() - t, error=err)
            raise
        self.j.stage(name, True, self.clock.now() - t)
        return out

    def apply(self, plan: Plan, tiers: set[str]) -> None:
        part = _phase(plan, tiers)
        self.j.created += [c.arm_id for c in part.changes if c.action == "create"]
        record = apply_plan(self.session, part, password=None, on_event=self.on_event)
        failed = [r for r in record.results if r.state == "failed"]
        if failed:
            err = AzguestError(f"restore into {self.lab.name}: {len(failed)} resource(s) failed: "
                               + ", ".join(f"{r.kind} {r.name}" for r in failed), code="AZG-RESTORE-CREATE",
                               details={"failed": [r.to_dict() for r in failed]},
                               hint="re-run the same command: it creates only what is missing")
            raise err

    def inventory(self) -> ops.Inventory:
        return ops.Inventory(self.lab.name, self.rg, ops.read_vms(self.session, self.lab.name, self.rg))

    def dc_healthy(self) -> None:
        inv = self.inventory()
        for vm in inv.dc:
            ops.wait_agent(self.session, vm, self.clock)
            ops.poll_step(self.session, inv, vm, "dc-health",
                          lambda d: d.get("adws") == "Running" and d.get("dnsServer") == "Running", stage="dc",
                          what=f"AD DS and DNS to answer on {vm.name}", timeout_s=1800.0, clock=self.clock)

    def witness(self) -> None:
        """The clone's cluster uses its own storage account: the witness-cloud step with that account's key."""
        if self.lab.cluster.witness != "cloud":
            return
        inv = self.inventory()
        host = next(v for v in inv.nodes if v.computer.lower() == first_node(self.lab).lower())
        ops.wait_agent(self.session, host, self.clock)
        step = all_steps()["witness-cloud"]
        body = run_command_body(self.lab, StepRun(run_key(step.id, host.computer), step, host.computer, ()))
        name = execution_name(step.id, body)
        full = {"location": self.lab.location, "tags": {TAG_LAB: self.lab.name, TAG_ROLE: GUEST_STEP_ROLE}, **body}
        full["tags"][TAG_SPEC] = body_hash(full)
        key = storage_account_key(self.session, self.rg, self.lab.witness_storage_account_name)
        rid = str(ArmId.parse(host.id).child("runCommands", name))
        rc = K.KINDS["runCommand"]
        with arm_errors(target=f"{host.name}/{name}"):
            K.put(self.session, rc, rid, with_secrets(full, Secrets(storage_key=key)))
            view = (K.get(self.session, rc, rid, expand="instanceView").get("properties") or {}).get("instanceView")
        out = str((view or {}).get("output") or "")
        if str((view or {}).get("executionState") or "").lower() != "succeeded" or parse_result(step.id, out) is None:
            raise GuestError(f"witness-cloud failed on {host.name}: {str((view or {}).get('error') or '')[-300:]}",
                             code="AZG-GUEST-STEP", details={"step": step.id, "vm": host.name})

    def health(self) -> dict[str, Any]:
        report = run_checks(self.session, self.lab.name, resource_group=self.rg, lease_held=True)
        if not report.ok:
            from azguest.errors import HealthError
            bad = [c.name for c in report.failed()]
            err = HealthError(f"the restored lab {self.lab.name} failed {len(bad)} check(s): {', '.join(bad)}",
                              code="AZG-TEST-FAILED", details={"failed": bad},
                              hint=f"`azguest test {self.lab.name}` shows each check; "
                                   f"`azguest destroy {self.lab.name}` removes the clone")
            err.result = report.to_dict()
            raise err
        return report.to_dict()

    def run(self, plan: Plan) -> RestoreRecord:
        self.phase("infra+dc", lambda: self.apply(plan, {"infra", "dc"}))
        self.phase("dc-health", self.dc_healthy)
        self.phase("storage", lambda: self.apply(plan, {"storage"}))
        self.phase("nodes", lambda: self.apply(plan, {"node"}))
        self.phase("witness", self.witness)
        self.phase("start", lambda: run_power(self.session, self.lab.name, "start", resource_group=self.rg,
                                              lease_held=True, on_event=self.on_event))
        health = self.phase("health", self.health)
        return RestoreRecord(self.m.id, self.m.method, self.m.lab, self.lab.name, self.rg, "into", self.rid,
                             tuple(self.j.created), stages=tuple(self.j.stages), health=health,
                             elapsed_s=self.clock.now() - self.t0, notes=tuple(self.j.notes))


def restore_into(session: AzureSession, m: Manifest, req: Request, *, lease: LeasePolicy | None = None,
                 on_event: Events = None, on_start: Callable[[], None] | None = None) -> RestoreRecord:
    assert req.into
    if req.into == m.lab and lab_exists(session, m.lab):
        raise ConflictError(f"lab {m.lab} exists: restore it in place (without --into), or destroy it first",
                            code="AZG-RESTORE-TARGET-EXISTS")
    lab = clone_spec(m, req.into, req.expires)
    plan = make_clone_plan(session, lab, m)
    rg = next(d for d in plan.graph.resources if d.kind == "resourceGroup")
    with holding(session, [rg.name], lab.name, lease or policy_for(session, "restore"),
                 create=(rg.body["location"], rg.body["tags"])):
        plan = make_clone_plan(session, lab, m)  # under the lease
        if on_start is not None:
            on_start()
        return IntoRun(session, m, lab, on_event).run(plan)


def lab_exists(session: AzureSession, lab: str) -> bool:
    from azguest.deploy.teardown import lab_group
    from azguest.errors import NotFoundError
    try:
        lab_group(session, lab)
    except NotFoundError:
        return False
    return True
