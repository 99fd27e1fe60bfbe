"""What the plan decides beyond the kinds' immutable table: which disk growths Azure does in place, and
which disks a plan deletes (data loss, which deploy does only with ``--allow-data-loss``).

- A bigger ``diskSizeGB`` is an ``update`` when Azure expands the disk where it stands: unattached,
  every holder deallocated, or an attached non-shared data disk within the online-expand conditions of
  ``azguest.catalog.disk_expand``. Otherwise (shrinking, a shared disk held by a running VM, crossing
  4 TiB online) it stays a ``replace`` with advice, and deploy refuses it before any write.
- ``lost_disks`` lists every disk a plan deletes, with its size: the disks it deletes itself, and the OS
  disk of a deleted VM (``deleteOption: Delete``) -- removing a node takes its data disks with it.
"""

from __future__ import annotations

from typing import Any

from azguest.catalog.disk_expand import online_refusal
from azguest.plan.model import TAG_ROLE, Change, Live, LostDisk
from azguest.plan.osdisk import OS_DISK_ROLE

SIZE_PATH = "properties.diskSizeGB"
_IDLE_STATES = frozenset({"unattached", "reserved"})  # no VM holds it, or every holder is deallocated
GROW_NOTE = ("Azure grows it in place; extend the volume inside the guest (Storage Spaces Direct: Microsoft "
             "supports adding disks of the same size, not growing them -- WSD storage-spaces-direct-in-vm.md)")


def _props(body: dict[str, Any]) -> dict[str, Any]:
    return body.get("properties") or {}


def resize_refusal(desired: dict[str, Any], live: dict[str, Any]) -> str | None:
    """Advice when Azure refuses this disk's new size where it stands; None when it grows in place."""
    old, new = int(_props(live).get("diskSizeGB") or 0), int(_props(desired).get("diskSizeGB") or 0)
    if new < old:
        return (f"a managed disk never shrinks ({old} -> {new} GiB): keep sizeGB at {old} or more; a smaller disk "
                "is a new, empty one (destroy the lab, or remove the disk with --allow-data-loss, and re-run)")
    if str(_props(live).get("diskState") or "").lower() in _IDLE_STATES:
        return None
    shares = max(int(_props(live).get("maxShares") or 1), int(_props(desired).get("maxShares") or 1))
    sku = str((live.get("sku") or {}).get("name") or (desired.get("sku") or {}).get("name") or "")
    reason = online_refusal(sku, old, new, shared=shares > 1, os_disk=bool(_props(live).get("osType")))
    if reason is None:
        return None
    return f"{reason}: deallocate the VMs that hold it, re-run deploy, then start them"


def grow_note(desired: dict[str, Any], live: dict[str, Any]) -> str:
    """The note an in-place growth carries (the plan shows it; it does not block)."""
    old, new = int(_props(live).get("diskSizeGB") or 0), int(_props(desired).get("diskSizeGB") or 0)
    return f"grows {old} -> {new} GiB: {GROW_NOTE}" if new > old else ""


def lost_disks(changes: list[Change], live: dict[str, Live]) -> tuple[LostDisk, ...]:
    """Every disk the plan deletes, with its size: deleted disks, and OS disks deleted with their VM."""
    out: dict[str, LostDisk] = {}
    for c in changes:
        if c.action != "delete":
            continue
        cur = live.get(c.arm_id.lower())
        if cur is None:
            continue
        if c.kind == "disk":
            os_disk = (cur.tags.get(TAG_ROLE) or "") == OS_DISK_ROLE
            why = "OS disk of a VM removed from the spec" if os_disk else "removed from the spec"
            out.setdefault(c.arm_id.lower(), _lost(cur.body, c.arm_id, why))
        elif c.kind == "vm":
            for disk_id, why in _deleted_with(cur.body):
                disk = live.get(disk_id.lower())
                body = disk.body if disk else {"name": disk_id.rsplit("/", 1)[-1]}
                out.setdefault(disk_id.lower(), _lost(body, disk_id, f"{why} of VM {c.name}, deleted with it"))
    return tuple(sorted(out.values(), key=lambda d: d.name))


def _deleted_with(vm: dict[str, Any]) -> list[tuple[str, str]]:
    """(disk id, what it is) of the disks a VM delete deletes too (``deleteOption: Delete``)."""
    sp = _props(vm).get("storageProfile") or {}
    entries = ([("OS disk", sp["osDisk"])] if sp.get("osDisk") else []) + \
        [("data disk", d) for d in sp.get("dataDisks") or []]
    return [(str(e["managedDisk"]["id"]), what) for what, e in entries
            if str(e.get("deleteOption") or "").lower() == "delete" and (e.get("managedDisk") or {}).get("id")]


def _lost(body: dict[str, Any], arm_id: str, why: str) -> LostDisk:
    size = _props(body).get("diskSizeGB")
    return LostDisk(str(body.get("name") or arm_id.rsplit("/", 1)[-1]), arm_id, int(size) if size else None,
                    str((body.get("sku") or {}).get("name") or ""), str((body.get("tags") or {}).get(TAG_ROLE) or ""),
                    why)
