"""The OS disk a VM creates itself, and the VMs that share a disk: what deploy does beyond the graph.

A VM's OS disk (``createOption: FromImage``) is not a resource azguest PUTs: Azure creates it with the
VM. Whether Azure copies the VM's tags onto it is undocumented (community reports say: at creation only;
the emulator does so, see docs/emulator.md). So deploy tags it explicitly once the VM exists -- the lab's
full tag set with role ``os-disk`` -- and cost reports by lab tag see every disk. The plan treats a
missing or stale tag set on a live OS disk as a change of its VM (``update``), so a run killed between
the VM PUT and the tag write is repaired by the next one; a re-run of a tagged lab writes nothing.

VMs that hold the same shared disk (maxShares > 1) must not start at the same moment (Azure refuses one
with ``OperationNotAllowed``, azure-docs#108246): ``shares_a_disk`` tells deploy which VM PUTs to retry.
"""

from __future__ import annotations

from azguest.azure.ids import ArmId
from azguest.plan.model import TAG_ROLE, TAG_SPEC, Desired, Graph, Live, body_hash

OS_DISK_ROLE = "os-disk"
OS_DISK_DIFF = "osDisk tags."  # the prefix of a VM change's difference lines about its OS disk's tags


def os_disk_id(vm: Desired) -> str | None:
    """The ARM id of the OS disk a desired VM creates (named in its body), or None."""
    os_disk = ((vm.body.get("properties") or {}).get("storageProfile") or {}).get("osDisk") or {}
    name = os_disk.get("name")
    if vm.kind != "vm" or not name or (os_disk.get("createOption") or "").lower() != "fromimage":
        return None
    rid = ArmId.parse(vm.arm_id)
    return str(ArmId.build(rid.subscription, str(rid.resource_group), "Microsoft.Compute/disks", name))


def os_disk_tags(vm: Desired) -> dict[str, str]:
    """The VM's tags (the lab's and azguest's) with role ``os-disk`` and the hash of that tag set."""
    return os_disk_tags_of(vm.body.get("tags") or {})


def os_disk_tags_of(vm_tags: dict[str, str]) -> dict[str, str]:
    """``os_disk_tags`` from a VM's tags (also a live VM's: a restore tags the OS disk it swaps in)."""
    tags = {k: v for k, v in vm_tags.items() if k != TAG_SPEC}
    tags[TAG_ROLE] = OS_DISK_ROLE
    tags[TAG_SPEC] = body_hash({"tags": tags})
    return tags


def os_disk_differences(vm: Desired, live: dict[str, Live]) -> tuple[str, ...]:
    """``osDisk tags.<name>: live -> wanted`` lines when the VM's live OS disk lacks azguest's tag set."""
    disk_id = os_disk_id(vm)
    disk = live.get(disk_id.lower()) if disk_id else None
    if disk is None:
        return ()
    return tuple(f"{OS_DISK_DIFF}{k}: {disk.tags.get(k)!r} -> {v!r}"
                 for k, v in sorted(os_disk_tags(vm).items()) if disk.tags.get(k) != v)


def shared_disk_ids(graph: Graph) -> frozenset[str]:
    """Lower-cased ids of the desired disks that are shared (maxShares > 1)."""
    return frozenset(d.arm_id.lower() for d in graph.resources
                     if d.kind == "disk" and ((d.body.get("properties") or {}).get("maxShares") or 1) > 1)


def shares_a_disk(vm: Desired, shared: frozenset[str]) -> bool:
    """Whether a desired VM attaches one of these shared disks."""
    disks = ((vm.body.get("properties") or {}).get("storageProfile") or {}).get("dataDisks") or []
    return any(str((d.get("managedDisk") or {}).get("id") or "").lower() in shared for d in disks)
