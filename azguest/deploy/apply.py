"""Apply a plan: a DAG of PUTs (bounded parallelism), then deletes in dependency order.

Every write goes through the typed SDK operations of ``azguest.azure.kinds``; retries and
``Retry-After`` come from azure-core's retry policy. A failure stops new work, lets in-flight work
finish, and every resource's outcome is recorded with ARM's error code.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure import tags as T
from azguest.azure.errors import arm_errors
from azguest.deploy.records import DEFAULT_CONCURRENCY, ApplyRecord, ResourceResult
from azguest.errors import AzguestError, AzureError, ConfigError
from azguest.execute.budget import Budgets
from azguest.execute.dag import Event, Task, TaskOutcome, run_graph
from azguest.execute.wait import Clock, poll_until, session_clock
from azguest.plan.diff import IN_FLIGHT_STATES
from azguest.plan.live import use_slots
from azguest.plan.model import (
    LIFETIME_TAGS,
    RESTORED_TAGS,
    SECRET_PLACEHOLDER,
    Change,
    Desired,
    Plan,
    provisioning_state,
)
from azguest.plan.osdisk import OS_DISK_DIFF, os_disk_id, os_disk_tags, shared_disk_ids, shares_a_disk

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

WAIT_POLL_SECONDS = 5.0  # how often to re-read a resource another run left in flight
WAIT_TIMEOUT_SECONDS = 3600.0  # give up on it after this (a VM create takes minutes, never an hour)
SHARED_START_DEADLINE_S = 300.0  # how long a VM sharing a disk keeps retrying a refused create


def _with_secret(body: Any, secret: str | None) -> Any:
    if body == SECRET_PLACEHOLDER:
        if secret is None:
            raise ConfigError("the admin password is needed to create VMs", code="AZG-NO-PASSWORD")
        return secret
    if isinstance(body, dict):
        return {k: _with_secret(v, secret) for k, v in body.items()}
    if isinstance(body, list):
        return [_with_secret(v, secret) for v in body]
    return body


def _state(body: dict) -> str:
    return provisioning_state(body).lower()


def _without_secret(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _without_secret(v) for k, v in body.items() if v != SECRET_PLACEHOLDER}
    if isinstance(body, list):
        return [_without_secret(v) for v in body]
    return body


class Applier:
    def __init__(self, session: AzureSession, plan: Plan, *, password: str | None, budgets: Budgets | None = None,
                 wait_poll_s: float = WAIT_POLL_SECONDS, wait_timeout_s: float = WAIT_TIMEOUT_SECONDS,
                 clock: Clock | None = None):
        self.session = session
        self.plan = plan
        self.rg = plan.graph.resource_group
        self.password = password
        self.clock = clock or session_clock(session)  # sleeps like the SDK: an in-memory emulator's clock moves
        self.budgets = budgets or Budgets(self.clock)
        self.wait_poll_s, self.wait_timeout_s = wait_poll_s, wait_timeout_s
        self.shared_disks = shared_disk_ids(plan.graph)
        self.slots = dict(plan.slots)  # desired disk id (lower) -> the restored disk standing for it

    def target(self, d: Desired) -> str:
        """Where ``d``'s writes go: a restored disk's live id for the desired disk it stands for."""
        return self.slots.get(d.arm_id.lower(), d.arm_id) if d.kind == "disk" else d.arm_id

    def restored_disk_body(self, target: str, body: dict) -> dict:
        """A PUT body for a restored disk: its own creationData (Azure never changes it) and restore tags."""
        with arm_errors(target=target):
            cur = K.get(self.session, K.KINDS["disk"], target)
        body["properties"] = {**body.get("properties", {}),
                              "creationData": (cur.get("properties") or {}).get("creationData")}
        body["tags"] = {**(body.get("tags") or {}),
                        **{k: v for k, v in (cur.get("tags") or {}).items() if k in RESTORED_TAGS}}
        return body

    def put(self, d: Desired, *, with_secret: bool = True) -> dict:
        """PUT the desired body. The admin password goes only into creates: an update of an existing VM
        omits it (ARM keeps it and never returns it), so it is sent as rarely as possible. A VM's OS disk
        gets the lab's tags once the VM exists (plan.osdisk). After an in-place restore a VM refers to the
        restored disks and a disk's write goes to the restored disk standing for it (``Plan.slots``)."""
        kind = K.KINDS[d.kind]
        target, d = self.target(d), use_slots(d, self.slots)
        body = _with_secret(d.body, self.password) if with_secret else _without_secret(d.body)  # fresh copies
        if target != d.arm_id:
            body = self.restored_disk_body(target, body)

        def write() -> dict:
            self.budgets.writes.acquire()
            with arm_errors(target=target):
                return K.put(self.session, kind, target, body)

        result = self._staggered(d, write)
        self.tag_os_disk(d)
        return result

    def _staggered(self, d: Desired, write: Callable[[], dict]) -> dict:
        """VMs sharing a disk cannot start at the same moment: Azure refuses one create/start with
        ``OperationNotAllowed`` (azure-docs#108246) and documents no window. Such a VM's PUT is retried with
        exponential back-off (from ``wait_poll_s``, doubling, capped at 16x) until a deadline; other VMs and
        other codes are not retried. A refused PUT created nothing, so the retry is a plain create."""
        if d.kind != "vm" or not shares_a_disk(d, self.shared_disks):
            return write()
        delay, deadline = self.wait_poll_s, self.clock.now() + SHARED_START_DEADLINE_S
        while True:
            try:
                return write()
            except AzureError as e:
                if e.code != "OperationNotAllowed" or self.clock.now() + delay > deadline:
                    raise
            self.clock.sleep(delay)
            delay = min(delay * 2, self.wait_poll_s * 16)

    def tag_os_disk(self, d: Desired) -> None:
        """Write the lab's tag set (role os-disk) on the OS disk a VM created, keeping other tags."""
        disk_id = os_disk_id(d)
        if disk_id is None:
            return
        disk_id = self.slots.get(disk_id.lower(), disk_id)
        self.budgets.writes.acquire()
        with arm_errors(target=disk_id):
            T.merge_disk_tags(self.session, disk_id, os_disk_tags(d))

    def wait_then_put(self, d: Desired) -> dict:
        """Another run left this resource in flight: wait for Azure to finish it, re-PUT only if it failed."""
        kind = K.KINDS[d.kind]

        def read() -> dict:
            with arm_errors(target=self.target(d)):
                return K.get(self.session, kind, self.target(d))

        cur = poll_until(read, lambda r: _state(r) not in IN_FLIGHT_STATES, what=f"{d.kind} {d.name} to finish the "
                         "operation another run left in flight", timeout_s=self.wait_timeout_s,
                         interval_s=self.wait_poll_s, clock=self.clock)
        if _state(cur) == "failed":
            return self.put(d)
        self.tag_os_disk(d)
        return cur

    def delete(self, c: Change) -> None:
        kind = K.KINDS[c.kind]
        self.budgets.deletes.acquire()
        with arm_errors(target=c.arm_id):
            K.delete(self.session, kind, c.arm_id)

    def merge_group_tags(self, d: Desired) -> dict:
        """An existing group is never PUT again (a PUT replaces every tag: the group owner's, the lease's):
        azguest merges its own tags into it with the Tags API."""
        self.budgets.writes.acquire()
        with arm_errors(target=d.arm_id):
            tags = T.merge_group_tags(self.session, d.name, d.body["tags"])
            stale = [k for k in LIFETIME_TAGS if k in tags and k not in d.body["tags"]]  # expiresAfter: never
            if stale:
                tags = T.delete_group_tags(self.session, d.name, stale)
            return {"tags": tags}

    def task_for(self, c: Change, d: Desired | None) -> Callable[[], Any]:
        if c.action == "no-change":
            return lambda: None
        if c.action in ("create", "retry"):
            return lambda: self.put(d)
        if c.action == "update" and c.kind == "vm" and all(x.startswith(OS_DISK_DIFF) for x in c.differences):
            return lambda: self.tag_os_disk(d)  # only the OS disk's tags are missing: the VM is not written
        if c.action == "update" and c.kind == "resourceGroup":
            return lambda: self.merge_group_tags(d)
        if c.action == "update":
            return lambda: self.put(d, with_secret=False)
        if c.action == "wait":
            return lambda: self.wait_then_put(d)
        if c.action == "delete":
            return lambda: self.delete(c)
        raise AzguestError(f"cannot apply action {c.action} to {c.key}", code="AZG-PLAN-REPLACE")


def apply_plan(session: AzureSession, plan: Plan, *, password: str | None, max_workers: int = DEFAULT_CONCURRENCY,
               on_event: Callable[[Event], None] | None = None, stop_event: threading.Event | None = None,
               wait_poll_s: float = WAIT_POLL_SECONDS) -> ApplyRecord:
    """Create/update everything the plan asks for, then delete what is no longer wanted."""
    started = time.monotonic()
    stop_event = stop_event or threading.Event()
    applier = Applier(session, plan, password=password, wait_poll_s=wait_poll_s)
    desired = plan.graph.by_key()
    puts = [c for c in plan.changes if c.action != "delete"]
    tasks = [Task(c.key, applier.task_for(c, desired[c.key]), desired[c.key].depends_on,
                  f"{c.action} {c.kind} {c.name}", *_urgency(desired[c.key])) for c in puts]
    outcomes = run_graph(tasks, max_workers=max_workers, on_event=on_event, stop_event=stop_event)
    deletes = [c for c in plan.changes if c.action == "delete"]
    if deletes and all(o.state == "succeeded" for o in outcomes.values()):
        outcomes.update(run_deletes(applier, deletes, max_workers, on_event, stop_event))
    results = tuple(_result(c, outcomes.get(c.key)) for c in plan.changes)
    return ApplyRecord(plan.graph.lab, plan.graph.resource_group, "deploy", results,
                       time.monotonic() - started, note="interrupted" if stop_event.is_set() else "")


SAFETY_ROLES = frozenset({"cost"})  # azguest-role of what makes a lab cheap: the VMs' auto-shutdown schedules


def _urgency(d: Desired) -> tuple[int, bool]:
    """(priority, essential) of a resource's task. A schedule starts as soon as its VM exists, before any
    other ready work, and even after Ctrl-C or a failure: a VM without it runs (and bills) all night.
    The group carries the expiry tag that gc reads; it has no dependency, so it is first anyway."""
    if d.role in SAFETY_ROLES:
        return 2, True
    return (1, False) if d.kind == "resourceGroup" else (0, False)


def run_deletes(applier: Applier, deletes: list[Change], max_workers: int,
                on_event: Callable[[Event], None] | None, stop_event: threading.Event | None
                ) -> dict[str, TaskOutcome]:
    """Delete in dependency order: each rank waits for every lower rank (VMs before disks and NICs)."""
    ranks = sorted({K.KINDS[c.kind].delete_rank for c in deletes})
    tasks = []
    for c in deletes:
        rank = K.KINDS[c.kind].delete_rank
        before = tuple(o.key for o in deletes if K.KINDS[o.kind].delete_rank == _prev(ranks, rank))
        tasks.append(Task(c.key, applier.task_for(c, None), before, f"delete {c.kind} {c.name}"))
    return run_graph(tasks, max_workers=max_workers, on_event=on_event, stop_event=stop_event)


def _prev(ranks: list[int], rank: int) -> int | None:
    i = ranks.index(rank)
    return ranks[i - 1] if i else None


def _result(c: Change, o: TaskOutcome | None) -> ResourceResult:
    if o is None:
        return ResourceResult(c.key, c.kind, c.name, c.action, "skipped")
    err = None
    if o.error is not None:
        err = o.error.to_dict() if isinstance(o.error, AzguestError) else {
            "code": "AZG-INTERNAL", "message": f"{type(o.error).__name__}: {o.error}"}
    return ResourceResult(c.key, c.kind, c.name, c.action, o.state, o.elapsed_s, err)
