"""The ARM work of a restore: disks created and deleted all at once, a VM's disks swapped, VMs deallocated
tier by tier. Every writer records what it creates before it creates it (a failure deletes exactly that)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure import tags as T
from azguest.azure.errors import arm_errors
from azguest.errors import AzguestError
from azguest.execute.dag import Event, Task, run_graph
from azguest.guest import ops
from azguest.plan.osdisk import os_disk_tags_of

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

DISK, VM = K.KINDS["disk"], K.KINDS["vm"]
_READ_ONLY = ("instanceView", "provisioningState", "vmId", "timeCreated")


def run_tasks(tasks: list[Task], *, on_event: Callable[[Event], None] | None, max_workers: int = 8) -> None:
    """Run the tasks (progress events); raise the first failure."""
    results = run_graph(tasks, max_workers=max_workers, on_event=on_event)
    for t in tasks:
        o = results[t.key]
        if o.state == "failed":
            err = o.error
            raise err if isinstance(err, BaseException) else AzguestError(f"{t.label} failed", code="AZG-RESTORE")


def create_disks(session: AzureSession, bodies: dict[str, dict[str, Any]], created: list[str], *,
                 on_event: Callable[[Event], None] | None = None) -> None:
    """PUT every disk (id -> body) at once; each id goes into ``created`` before its PUT."""
    def one(rid: str, body: dict[str, Any]) -> None:
        created.append(rid)
        with arm_errors(target=rid.rsplit("/", 1)[-1]):
            K.put(session, DISK, rid, body)
    run_tasks([Task(f"disk@{rid.rsplit('/', 1)[-1]}", lambda rid=rid, b=b: one(rid, b), (),
                    f"create disk {rid.rsplit('/', 1)[-1]}") for rid, b in bodies.items()], on_event=on_event)


def delete_all(session: AzureSession, kind_of: Callable[[str], Any], ids: list[str], max_workers: int = 8
               ) -> list[str]:
    """Delete these resources in parallel (absent is fine); returns the failures as 'id: message'."""
    def one(rid: str) -> str | None:
        try:
            with arm_errors(target=rid):
                K.delete(session, kind_of(rid), rid)
        except AzguestError as e:
            return f"{rid}: {e.code}: {e.message}"
        return None
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(ids)))) as pool:
        return [e for e in pool.map(one, ids) if e]


def delete_disks(session: AzureSession, ids: list[str]) -> list[str]:
    return delete_all(session, lambda _rid: DISK, ids)


def vm_body(session: AzureSession, vm_id: str) -> dict[str, Any]:
    with arm_errors(target=vm_id.rsplit("/", 1)[-1]):
        return K.get(session, VM, vm_id)


def put_body(body: dict[str, Any]) -> dict[str, Any]:
    """A VM's GET body made a PUT body: read-only properties and the secret-free osProfile's password gone."""
    out = {k: copy.deepcopy(v) for k, v in body.items() if k in ("location", "tags", "zones", "properties", "plan")}
    props = out.setdefault("properties", {})
    for k in _READ_ONLY:
        props.pop(k, None)
    return out


def swap_disks(body: dict[str, Any], new: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """``body`` (a PUT body) with its OS disk and data disks replaced: ``new`` maps 'os' and 'lun:<n>' to
    (disk id, disk name). Azure swaps the OS disk of a deallocated VM by ``osDisk.managedDisk.id`` (and its
    name); data disks are attached by LUN."""
    out = copy.deepcopy(body)
    sp = out["properties"]["storageProfile"]
    if "os" in new:
        rid, name = new["os"]
        os_disk = sp["osDisk"]
        os_disk["managedDisk"] = {"id": rid}
        os_disk["name"] = name
        os_disk.pop("diskSizeGB", None)
    for d in sp.get("dataDisks") or []:
        key = f"lun:{int(d.get('lun', 0))}"
        if key in new:
            rid, name = new[key]
            d["managedDisk"] = {"id": rid}
            d["name"] = name
            d["createOption"] = "Attach"
            d.pop("diskSizeGB", None)
    return out


def put_vm(session: AzureSession, vm_id: str, body: dict[str, Any]) -> None:
    with arm_errors(target=vm_id.rsplit("/", 1)[-1]):
        K.put(session, VM, vm_id, body)


def tag_os_disk(session: AzureSession, vm_tags: dict[str, str], disk_id: str) -> None:
    """The tag set deploy writes on a VM's OS disk (``plan.osdisk``), on the OS disk a restore swapped in: the
    next deploy of the spec then finds it as it left it (no write)."""
    with arm_errors(target=disk_id.rsplit("/", 1)[-1]):
        T.merge_disk_tags(session, disk_id, os_disk_tags_of(vm_tags))


def deallocate_in_order(session: AzureSession, inv: ops.Inventory, *,
                        on_event: Callable[[Event], None] | None = None) -> None:
    """Deallocate without the guest (a lab whose restore failed): nodes, then the storage tier, the DC last;
    a VM deallocated already is left."""
    tasks, after = [], ()
    for tier in ("node", "storage", "dc"):
        keys = []
        for vm in inv.tier(tier):
            key = f"deallocate@{vm.name}"
            tasks.append(Task(key, lambda vm=vm: _deallocate(session, vm), after, f"deallocate {vm.name}"))
            keys.append(key)
        after = tuple(keys) or after
    run_tasks(tasks, on_event=on_event)


def _deallocate(session: AzureSession, vm: ops.LabVm) -> None:
    power, _ = ops.power_of(session, vm)
    if power != "deallocated":
        with arm_errors(target=vm.name):
            K.action(session, VM, vm.id, "deallocate")
