"""What a backup reads of the lab (reads only): its group, VMs, disks and NICs, as manifest records.

The lab is found by the ownership rules (``deploy.teardown.lab_group``: the one group carrying the full tag
set); only VMs, disks and NICs carrying the lab's full tag set are taken. The storage mode comes from the
spec when one is given, else from what the lab holds (:func:`storage_mode`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.backup.manifest import DiskConfig, NicConfig, VmConfig, distinct_disks
from azguest.deploy.teardown import lab_group
from azguest.errors import NotFoundError
from azguest.guest.ops import TIERS
from azguest.plan.model import LIFETIME_TAGS, TAG_CREATED, TAG_LAB, TAG_ROLE, TAG_SPEC, carries_lab_tags

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

TIER_ORDER = ("dc", "storage", "node")  # the start order: DC, storage tier, nodes
_NOT_USER_TAGS = {TAG_LAB, TAG_ROLE, TAG_SPEC, TAG_CREATED, *LIFETIME_TAGS}


@dataclass(frozen=True)
class LiveLab:
    lab: str
    subscription: str
    resource_group: str
    location: str
    user_tags: dict[str, str]  # the lab's own tags (the spec's `tags:`), carried by every piece
    vms: tuple[VmConfig, ...]
    power: dict[str, str]  # VM name -> running | deallocated | ...

    def disks(self) -> list[DiskConfig]:
        return distinct_disks(self.vms)

    def shared(self) -> list[DiskConfig]:
        return [d for d in self.disks() if d.max_shares > 1]

    def restore_order(self) -> tuple[tuple[str, ...], ...]:
        return tuple(t for t in (tuple(v.name for v in self.vms if v.tier == tier) for tier in TIER_ORDER) if t)


def _power(body: dict[str, Any]) -> str:
    for s in ((body.get("properties") or {}).get("instanceView") or {}).get("statuses") or []:
        code = str(s.get("code", ""))
        if code.startswith("PowerState/"):
            return code.split("/", 1)[1]
    return "unknown"


def _disk(disks: dict[str, dict], entry: dict[str, Any], lun: int | None) -> DiskConfig:
    did = str((entry.get("managedDisk") or {}).get("id") or "")
    body = disks.get(did.lower()) or {}
    props = body.get("properties") or {}
    name = str(body.get("name") or entry.get("name") or did.rsplit("/", 1)[-1])
    return DiskConfig(name=name, id=str(body.get("id") or did),
                      sku=str((body.get("sku") or {}).get("name") or ""), size_gb=int(props.get("diskSizeGB") or 0),
                      lun=lun, caching=str(entry.get("caching") or "None"), max_shares=int(props.get("maxShares") or 1),
                      role=str((body.get("tags") or {}).get(TAG_ROLE) or ""), os_type=props.get("osType"))


def _nic(nics: dict[str, dict], ref: dict[str, Any]) -> NicConfig:
    nid = str(ref.get("id") or "")
    body = nics.get(nid.lower()) or {"id": nid, "name": nid.rsplit("/", 1)[-1]}
    ipc = ((body.get("properties") or {}).get("ipConfigurations") or [{}])[0]
    ip = ipc.get("properties") or {}
    return NicConfig(name=str(body.get("name")), id=str(body.get("id")),
                     subnet_id=str((ip.get("subnet") or {}).get("id") or ""), private_ip=ip.get("privateIPAddress"),
                     allocation=str(ip.get("privateIPAllocationMethod") or "Static"),
                     public_ip_id=(ip.get("publicIPAddress") or {}).get("id"),
                     accelerated=bool((body.get("properties") or {}).get("enableAcceleratedNetworking")))


def _vm(body: dict[str, Any], disks: dict[str, dict], nics: dict[str, dict]) -> VmConfig:
    props = body.get("properties") or {}
    sp = props.get("storageProfile") or {}
    tags = dict(body.get("tags") or {})
    role = str(tags.get(TAG_ROLE) or "")
    data = sorted(sp.get("dataDisks") or [], key=lambda d: int(d.get("lun", 0)))
    zones = body.get("zones") or []
    return VmConfig(
        name=str(body["name"]), id=str(body["id"]),
        computer=str((props.get("osProfile") or {}).get("computerName")
                     or (props.get("instanceView") or {}).get("computerName") or body["name"]), role=role,
        tier=TIERS.get(role, "storage"), size=str((props.get("hardwareProfile") or {}).get("vmSize") or ""),
        location=str(body.get("location") or ""), zone=zones[0] if zones else None,
        availability_set_id=(props.get("availabilitySet") or {}).get("id"),
        admin_username=str((props.get("osProfile") or {}).get("adminUsername") or ""),
        image=sp.get("imageReference"), security_type=(props.get("securityProfile") or {}).get("securityType"),
        nics=tuple(_nic(nics, n) for n in (props.get("networkProfile") or {}).get("networkInterfaces") or []),
        os_disk=_disk(disks, sp.get("osDisk") or {}, None),
        data_disks=tuple(_disk(disks, d, int(d.get("lun", 0))) for d in data), tags=tags)


def read_lab(session: AzureSession, lab: str, resource_group: str | None = None) -> LiveLab:
    """The lab's group, VMs (with power), disks and NICs: 1 tag query + 3 lists."""
    group = lab_group(session, lab, resource_group)
    rg = str(group.get("name"))
    with arm_errors(target=f"the lab {lab} in {rg}"):
        vm_bodies = [b for b in K.list_in_group(session, K.KINDS["vm"], rg, expand="instanceView")
                     if carries_lab_tags(b.get("tags"), lab)]
        disks = {str(d["id"]).lower(): d for d in K.list_in_group(session, K.KINDS["disk"], rg)}
        nics = {str(n["id"]).lower(): n for n in K.list_in_group(session, K.KINDS["nic"], rg)}
    if not vm_bodies:
        raise NotFoundError(f"lab {lab} has no VMs in {rg}: nothing to back up", code="AZG-BACKUP-EMPTY")
    vms = sorted((_vm(b, disks, nics) for b in vm_bodies),
                 key=lambda v: (TIER_ORDER.index(v.tier) if v.tier in TIER_ORDER else 9, v.computer.lower()))
    user = {k: v for k, v in (group.get("tags") or {}).items()
            if k not in _NOT_USER_TAGS and not k.startswith("azguest-")}
    return LiveLab(lab, session.subscription_id, rg, str(group.get("location") or vms[0].location), user,
                   tuple(vms), {str(b["name"]): _power(b) for b in vm_bodies})


# What the lab holds tells its storage mode when no spec is given (first match): a shared disk (maxShares > 1)
# is the shared-disk design, a VM of the storage tier without one is the iSCSI target, else S2D.
EVIDENCE: tuple[tuple[str, str], ...] = (("shared-disk", "shared"), ("iscsi", "storage-vm"), ("s2d", "else"))


def storage_mode(live: LiveLab) -> str:
    facts = {"shared": bool(live.shared()), "storage-vm": any(v.tier == "storage" for v in live.vms), "else": True}
    return next(mode for mode, fact in EVIDENCE if facts[fact])
