"""A backup's lab as a new, isolated lab: the spec renamed, and the planner's desired graph turned into a
restore (docs/design.md, "Restore", ``--into``).

- Every disk is made from its piece (``Copy`` / ``Restore``); the OS disks too, and each VM is created on its
  OS disk with ``createOption: Attach`` (no image, no ``osProfile``: the guest, its name and its accounts are
  on the disk, so no password is needed).
- Its own virtual network with the spec's address space (the same addresses as the original), no peering,
  no gateway; no public IP and no inbound rule, whatever the spec says (``allowRdpFrom`` is dropped).
- Its own names (the new lab's), lab tag, expiry, and cloud-witness storage account.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

from azguest import naming
from azguest.backup.manifest import DiskConfig, Manifest, VmConfig
from azguest.errors import PreflightError
from azguest.plan.desired import desired_graph
from azguest.plan.model import TAG_SPEC, Desired, Graph, body_hash
from azguest.restore.model import TAG_RESTORED_FROM, disk_body
from azguest.spec.loader import checked, load_text
from azguest.spec.models import Lab


def clone_spec(m: Manifest, new_lab: str, expires: str | None = None) -> Lab:
    """The backup's spec as lab ``new_lab``: its own group and witness account names, no public inbound."""
    if m.spec is None:
        raise PreflightError(f"backup {m.id} holds no spec (it was taken of the lab name): a restore into a new lab "
                             "rebuilds the network and VMs from the spec", code="AZG-RESTORE-NO-SPEC",
                             hint=f"take backups of the spec file: `azguest backup SPEC` (or restore {m.id} in place)")
    data = copy.deepcopy(m.spec)
    data["name"] = new_lab
    data.pop("resourceGroup", None)
    (data.get("cluster") or {}).pop("witnessStorageAccount", None)
    (data.get("network") or {}).pop("allowRdpFrom", None)
    if expires:
        data.setdefault("lifetime", {})["expiresAfter"] = expires
    return checked(load_text(json.dumps(data),  # JSON is YAML
                              filename=f"<spec of backup {m.id}>"),
                   f"<spec of backup {m.id}>")


def _slots_by_vm(m: Manifest) -> dict[str, VmConfig]:
    return {v.computer.lower(): v for v in m.vms}


def _retag(d: Desired, body: dict[str, Any], backup: str) -> Desired:
    body = copy.deepcopy(body)
    tags = {k: v for k, v in (body.get("tags") or {}).items() if k != TAG_SPEC}
    tags[TAG_RESTORED_FROM] = backup
    body["tags"] = tags
    body["tags"][TAG_SPEC] = body_hash(body)
    return replace(d, body=body)


def clone_graph(lab: Lab, m: Manifest, subscription: str, lifetime: dict[str, str]) -> Graph:
    """The planner's graph of ``lab`` with every disk made from the backup and the VMs on attached OS disks."""
    g = desired_graph(lab, subscription, lifetime=lifetime)
    backup = m.id  # every resource carries azguest-restored-from=<backup> (stable: a re-run changes nothing)
    by_computer = _slots_by_vm(m)
    data_src: dict[str, DiskConfig] = {}  # desired disk name (lower) -> the backup's disk
    vm_names = {naming.vm_name(lab.name, c).lower(): c for c in by_computer}
    for d in g.resources:
        if d.kind != "vm":
            continue
        mvm = by_computer.get(vm_names.get(d.name.lower(), "").lower())
        if mvm is None:
            raise PreflightError(f"VM {d.name} of the cloned spec is not in backup {m.id}", code="AZG-RESTORE-MISMATCH")
        luns = {x.lun: x for x in mvm.data_disks}
        for entry in d.body["properties"]["storageProfile"].get("dataDisks") or []:
            src = luns.get(entry["lun"])
            if src is None:
                raise PreflightError(f"disk {entry['name']} (LUN {entry['lun']}) of {d.name} is not in backup {m.id}",
                                     code="AZG-RESTORE-MISMATCH")
            data_src[entry["name"].lower()] = src
    out: list[Desired] = []
    for d in g.resources:
        if d.kind == "publicIp":
            continue
        if d.kind == "disk":
            src = data_src[d.name.lower()]
            body = disk_body(src, d.body["location"], d.body["tags"], (d.body.get("zones") or [None])[0])
            out.append(_retag(d, body, backup))
        elif d.kind == "vm":
            mvm = by_computer[vm_names[d.name.lower()].lower()]
            os_disk = _os_disk(g, d, mvm.os_disk, backup)
            out.append(os_disk)
            out.append(_retag(replace(d, depends_on=(*d.depends_on, os_disk.key)), _attached_vm(d, os_disk), backup))
        elif d.kind == "nsg":
            body = copy.deepcopy(d.body)
            body["properties"]["securityRules"] = []  # no public inbound on a clone
            out.append(_retag(d, body, backup))
        elif d.kind == "nic":
            body = copy.deepcopy(d.body)
            for ipc in body["properties"]["ipConfigurations"]:
                ipc["properties"].pop("publicIPAddress", None)
            out.append(_retag(replace(d, depends_on=tuple(k for k in d.depends_on if not k.startswith("publicIp/"))),
                              body, backup))
        else:
            out.append(_retag(d, d.body, backup))
    return replace(g, resources=tuple(out))


def _os_disk(g: Graph, vm: Desired, src: DiskConfig, backup: str) -> Desired:
    name = vm.body["properties"]["storageProfile"]["osDisk"]["name"]
    arm_id = vm.arm_id.rsplit("/providers/", 1)[0] + f"/providers/Microsoft.Compute/disks/{name}"
    rg_key = next(r.key for r in g.resources if r.kind == "resourceGroup")
    body = disk_body(src, vm.body["location"], dict(vm.body["tags"]), (vm.body.get("zones") or [None])[0])
    d = Desired(f"disk/{name}", "disk", name, arm_id, vm.role, body, (rg_key,))
    return _retag(d, body, backup)


def _attached_vm(vm: Desired, os_disk: Desired) -> dict[str, Any]:
    """The VM's body on its attached OS disk: no image and no osProfile (Azure refuses both with Attach)."""
    body = copy.deepcopy(vm.body)
    props = body["properties"]
    sp = props["storageProfile"]
    sp.pop("imageReference", None)
    sp["osDisk"] = {"name": os_disk.name, "createOption": "Attach", "osType": os_disk.body["properties"].get("osType")
                    or "Windows", "caching": "ReadWrite", "deleteOption": "Delete",
                    "managedDisk": {"id": os_disk.arm_id}}
    props.pop("osProfile", None)
    return body
