"""What a disk holds goes with its copies: snapshots, disk restore points and the disks made from them.

In Windows a disk's data (its volume, its S2D pool membership; on an OS disk the whole guest: AD DS, the
domain membership, the cluster database) travels with any copy of its blocks. The windows-model keeps a
data disk's content in its guest record (``World.disk_content``) and a VM's guest in the VM's record, so:

- ``capture(ctx, disk)``: a snapshot or disk restore point takes the disk's content and, for an OS disk,
  the guest of the VM it boots (its facts, its cluster's shared record, its peers' computer names);
- ``seed_disk(ctx, disk_id, captured)``: a disk made from one (``Copy`` / ``Restore``) holds that content;
- ``os_disk_changed(ctx, vm, old, new)``: a VM whose OS disk is swapped (or that is created on an attached OS
  disk) boots that disk's guest; the disk swapped out keeps the guest as the VM left it.

A cluster finds its disks by content (``signature``: the id of the disk first captured), not by ARM id, as
Windows finds a disk by its signature: a restored shared disk is the same cluster disk. VM ids in a captured
guest are mapped to the VMs of the same computer names in the group the guest boots in (a clone).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from azguest.emulator import ids
from azguest.emulator.context import jcopy
from azguest.emulator.guest.model import guest_state
from azguest.emulator.guest.world import World

if TYPE_CHECKING:
    from azguest.emulator.context import Ctx

KEY = "_content"  # on a snapshot, disk restore point or disk: {"facts", "os"?}


def signature(ctx: Ctx, disk_id: str) -> str:
    """The disk's content identity: the id of the disk its blocks were first captured from."""
    facts = ((ctx.state.get("guests") or {}).get(ids.key(disk_id)) or {}).get("facts") or {}
    return str(facts.get("signature") or ids.key(disk_id))


def os_disk_vm(ctx: Ctx, disk: dict[str, Any]) -> dict[str, Any] | None:
    """The VM that holds this disk as its OS disk (None when it is no attached VM's OS disk)."""
    for vm_id in disk.get("_attached") or []:
        vm = ctx.get(vm_id) or {}
        os_disk = ((vm.get("properties") or {}).get("storageProfile") or {}).get("osDisk") or {}
        if str((os_disk.get("managedDisk") or {}).get("id") or "").lower() == disk["id"].lower():
            return vm
    return None


def guest_of(ctx: Ctx, vm: dict[str, Any]) -> dict[str, Any]:
    """A VM's guest as its OS disk holds it: facts, its cluster's record, the computer names of its peers."""
    world = World(ctx, vm["id"])
    facts = jcopy(guest_state(ctx, vm["id"])["facts"])
    rec = world.cluster(facts.get("cluster"))
    return {"facts": facts, "computer": world.peer_of(vm).computer,
            "cluster": jcopy(rec) if rec is not None else None,
            "peers": {p.id: p.computer for p in world.peers()}}


def capture(ctx: Ctx, src: dict[str, Any] | None) -> dict[str, Any] | None:
    """The content of ``src``: a disk (read now) or a snapshot / disk restore point (what it captured)."""
    if src is None or ctx.engine.profile.guest != "windows-model":
        return None
    if src.get(KEY) is not None or not str(src.get("type", "")).lower().endswith("/disks"):
        return jcopy(src.get(KEY))
    facts = jcopy(guest_state(ctx, src["id"])["facts"])
    facts.setdefault("signature", signature(ctx, src["id"]))
    out: dict[str, Any] = {"facts": facts}
    vm = os_disk_vm(ctx, src)
    if vm is not None:
        out["os"] = guest_of(ctx, vm)
    elif src.get("_os_guest") is not None:
        out["os"] = jcopy(src["_os_guest"])
    return out


def seed_disk(ctx: Ctx, disk: dict[str, Any], captured: dict[str, Any] | None) -> None:
    """A new disk made from a copy holds its content (and an OS disk its guest)."""
    if not captured:
        return
    guest_state(ctx, disk["id"])["facts"] = jcopy(captured.get("facts") or {})
    if captured.get("os") is not None:
        disk["_os_guest"] = jcopy(captured["os"])
    ctx.mark_dirty()


def _remap(value: Any, ctx: Ctx, vm: dict[str, Any], peers: dict[str, str]) -> Any:
    """VM ids of the captured group replaced by those of the same computer names in ``vm``'s group."""
    world = World(ctx, vm["id"])
    now = {p.computer: p.id for p in world.peers()}
    text = json.dumps(value)
    for old, computer in peers.items():
        new = now.get(computer)
        if new and ids.key(new) != ids.key(old):
            for variant in {old, old.lower()}:
                text = text.replace(variant, new)
    return json.loads(text)


def os_disk_changed(ctx: Ctx, vm: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    """The VM's OS disk is now ``new`` (``old`` before; None at creation): the swapped-out disk keeps the guest
    as the VM left it, and the VM boots the new disk's guest when that disk holds one."""
    if old is not None:
        old["_os_guest"] = guest_of(ctx, vm)
        ctx.save(old)
    held = (new or {}).get("_os_guest")
    if not held:
        return
    if held.get("computer"):
        vm["_computer"] = held["computer"]
    guest = _remap(jcopy(held), ctx, vm, held.get("peers") or {})
    guest_state(ctx, vm["id"])["facts"] = guest["facts"]
    rec = guest.get("cluster")
    if rec and rec.get("name"):
        World(ctx, vm["id"]).new_cluster(rec["name"], rec)
    ctx.mark_dirty()
