"""`status`: what exists, power state, disk sharing, backups, cost facts, and drift from the spec."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import group_of, name_of
from azguest.catalog.prices import CostEstimate
from azguest.catalog.sizes import lookup_size
from azguest.deploy.connect import VmAccess, access_from, read_network
from azguest.deploy.cost import live_cost
from azguest.deploy.teardown import lab_groups
from azguest.errors import NotFoundError
from azguest.execute.wait import session_now
from azguest.plan.model import TAG_EXPIRES, TAG_LAB, TAG_ROLE

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession


@dataclass(frozen=True)
class VmStatus:
    name: str
    role: str
    size: str
    vcpus: int
    power_state: str  # running, deallocated, stopped, starting, unknown
    provisioning_state: str
    running_since: str | None = None  # see running_since(): the end of the last Azure operation, while running
    running_hours: float | None = None  # now - running_since, 0.1 h; None when not running


@dataclass(frozen=True)
class DiskStatus:
    name: str
    sku: str
    size_gb: int
    max_shares: int
    state: str  # diskState: Unattached, Attached, Reserved
    held_by: tuple[str, ...]  # VM names holding the disk (managedByExtended, or managedBy)


@dataclass(frozen=True)
class LabStatus:
    lab: str
    resource_groups: tuple[str, ...]
    resources: tuple[tuple[str, str, str], ...]  # (type, name, role)
    vms: tuple[VmStatus, ...]
    disks: tuple[DiskStatus, ...]
    backups: tuple[str, ...]  # ids of snapshots and restore point collections
    expires: str | None
    drift: tuple[dict, ...] = ()  # plan changes when a spec was given
    access: tuple[VmAccess, ...] = ()  # per VM: IPs, admin user, how to reach it (never a secret)
    estimate: CostEstimate | None = None  # list-price estimate (azguest.catalog.prices)

    def cost_facts(self) -> dict[str, Any]:
        running = [v for v in self.vms if v.power_state == "running"]
        return {"vms": len(self.vms), "running": len(running),
                "runningVcpus": sum(v.vcpus for v in running),
                "diskGiB": sum(d.size_gb for d in self.disks),
                # the longest-running VM's hours since its last start (lower bound, see running_since)
                "runningHours": max((v.running_hours for v in running if v.running_hours is not None), default=None)}

    @property
    def per_hour_now(self) -> float | None:
        """The estimate per hour with the VMs that run now (a deallocated lab costs its disks only)."""
        running = {v.name for v in self.vms if v.power_state == "running"}
        return self.estimate.per_hour_now(running) if self.estimate else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab, "resourceGroups": list(self.resource_groups), "expires": self.expires,
            "resources": [{"type": t, "name": n, "role": r} for t, n, r in self.resources],
            "vms": [{"name": v.name, "role": v.role, "size": v.size, "vCPUs": v.vcpus, "powerState": v.power_state,
                     "provisioningState": v.provisioning_state, "runningSince": v.running_since,
                     "runningHours": v.running_hours} for v in self.vms],
            "disks": [{"name": d.name, "sku": d.sku, "sizeGB": d.size_gb, "maxShares": d.max_shares,
                       "diskState": d.state, "heldBy": list(d.held_by)} for d in self.disks],
            "backups": list(self.backups), "cost": self.cost_facts(), "drift": list(self.drift),
            "access": [a.to_dict() for a in self.access],
            "costEstimate": {**self.estimate.to_dict(), "perHourNow": self.per_hour_now} if self.estimate else None,
        }


def _power(view: dict) -> str:
    for s in view.get("statuses") or []:
        code = str(s.get("code", ""))
        if code.startswith("PowerState/"):
            return code.split("/", 1)[1]
    return "unknown"


def power_state(vm: dict) -> str:
    """A VM body's power state from its instance view (read with ``$expand=instanceView``)."""
    return _power((vm.get("properties") or {}).get("instanceView") or {})


def running_since(view: dict) -> datetime | None:
    """Since when a running VM has run at least, from its instance view; None unless ``PowerState/running``.

    Azure gives the power state status no ``time``; the ``ProvisioningState/...`` status has one: when the
    VM's last control-plane operation ended (create, update, and start/restart/deallocate, which Azure
    counts as updates). A running VM had no power operation since then, so it has run at least since that
    time: exact after a start, a lower bound when an update came later (Microsoft's VirtualMachine_Get_
    InstanceView example, azure-rest-api-specs; learn.microsoft.com/azure/virtual-machines/states-billing)."""
    if _power(view) != "running":
        return None
    for s in view.get("statuses") or []:
        if str(s.get("code", "")).startswith("ProvisioningState/") and s.get("time"):
            try:
                t = datetime.fromisoformat(str(s["time"]).replace("Z", "+00:00"))
            except ValueError:
                return None
            return t if t.tzinfo else t.replace(tzinfo=UTC)
    return None


def _vm_status(vm: dict, role: str, now: datetime) -> VmStatus:
    props = vm.get("properties") or {}
    size = str((props.get("hardwareProfile") or {}).get("vmSize", ""))
    info = lookup_size(size)
    view = props.get("instanceView") or {}
    since = running_since(view)
    hours = round(max(0.0, (now - since).total_seconds()) / 3600, 1) if since is not None else None
    return VmStatus(str(vm.get("name")), role, size, info.vcpus if info else 0, _power(view),
                    str(props.get("provisioningState", "")),
                    since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if since is not None else None, hours)


def _disk_status(d: dict) -> DiskStatus:
    props = d.get("properties") or {}
    holders = tuple(name_of(i) for i in (d.get("managedByExtended") or []))
    if not holders and d.get("managedBy"):
        holders = (name_of(d.get("managedBy")),)
    return DiskStatus(str(d.get("name")), str((d.get("sku") or {}).get("name", "")), int(props.get("diskSizeGB") or 0),
                      int(props.get("maxShares") or 1), str(props.get("diskState", "")), holders)


def _group_details(session: AzureSession, rg: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """VMs (with instance views) and disks of one group: two list calls, whatever the lab's size."""
    with arm_errors(target=f"VMs and disks in {rg}"):
        vms = {str(v["id"]).lower(): v for v in K.list_in_group(session, K.KINDS["vm"], rg, expand="instanceView")}
        disks = {str(d["id"]).lower(): d for d in K.list_in_group(session, K.KINDS["disk"], rg)}
    return vms, disks


def _access_and_cost(session: AzureSession, lab: str, groups: list[str], items: list[dict],
                     vm_bodies: dict[str, dict], disk_bodies: dict[str, dict], domain: str | None
                     ) -> tuple[tuple[VmAccess, ...], CostEstimate]:
    """How to reach each VM (two more list calls per group: NICs, public IPs) and the estimate of what
    exists: the lab's VMs, its disks and every disk a lab VM holds (OS disks need not carry tags)."""
    ids = {str(i.get("id")).lower(): i for i in items}
    access: list[VmAccess] = []
    for rg in groups:
        nics, pips = read_network(session, rg)
        in_rg = [v for v in vm_bodies.values() if (group_of(v.get("id")) or "").lower() == rg.lower()]
        access += access_from(lab, rg, in_rg, nics, pips, domain)
    lab_vms = [v for k, v in vm_bodies.items() if k in ids]
    vm_ids = {str(v.get("id")).lower() for v in lab_vms}
    disks = [d for k, d in disk_bodies.items() if k in ids or str(d.get("managedBy") or "").lower() in vm_ids]
    names: dict[str, list[str]] = {"storageAccount": [], "publicIp": []}
    for it in items:
        kind = K.kind_of(str(it.get("type", "")))
        if kind is not None and kind.key in names:
            names[kind.key].append(str(it.get("name")))
    return tuple(access), live_cost(lab_vms, disks, names["storageAccount"], names["publicIp"])


def lab_status(session: AzureSession, lab: str, *, domain: str | None = None, now: datetime | None = None) -> LabStatus:
    """Two tag queries (resources; groups, for the expiry), then four list calls per resource group (VMs,
    disks, NICs, public IPs): reads do not grow with the lab. ``domain``: the NetBIOS name for the admin
    user (from a spec), else ``.\\user``. ``now``: for running hours (default: session_now)."""
    now = now or session_now(session)
    with arm_errors(target=f"resources tagged {TAG_LAB}={lab}"):
        items = [i for i in K.list_tagged(session, TAG_LAB, lab) if (i.get("tags") or {}).get(TAG_LAB) == lab]
    if not items:
        raise NotFoundError(f"no resources tagged {TAG_LAB}={lab}", code="AZG-LAB-NOT-FOUND",
                            hint="check the lab name, --subscription, or deploy it first")
    groups = sorted({group_of(i.get("id")) or "" for i in items} - {""})
    vm_bodies: dict[str, dict] = {}
    disk_bodies: dict[str, dict] = {}
    for rg in groups:
        vms, disks = _group_details(session, rg)
        vm_bodies.update(vms)
        disk_bodies.update(disks)
    vms_out, disks_out, backups, rows = [], [], [], []
    expires = _group_expiry(session, lab, groups)
    for it in sorted(items, key=lambda i: (str(i.get("type")), str(i.get("name")))):
        tags, arm_id = it.get("tags") or {}, str(it.get("id"))
        kind = K.kind_of(str(it.get("type", "")))
        rows.append((str(it.get("type")), str(it.get("name")), tags.get(TAG_ROLE, "")))
        if kind is not None and kind.backup:
            backups.append(arm_id)
        elif kind is not None and kind.key == "vm" and arm_id.lower() in vm_bodies:
            vms_out.append(_vm_status(vm_bodies[arm_id.lower()], tags.get(TAG_ROLE, ""), now))
        elif kind is not None and kind.key == "disk" and arm_id.lower() in disk_bodies:
            disks_out.append(_disk_status(disk_bodies[arm_id.lower()]))
    access, estimate = _access_and_cost(session, lab, groups, items, vm_bodies, disk_bodies, domain)
    return LabStatus(lab, tuple(groups), tuple(rows), tuple(vms_out), tuple(disks_out), tuple(backups), expires,
                     access=access, estimate=estimate)


def _group_expiry(session: AzureSession, lab: str, groups: list[str]) -> str | None:
    """The expiry gc honours: ``azguest-expires`` of the lab's group (full tag set), never a resource's."""
    names = {g.lower() for g in groups}
    tagged = [g for g in lab_groups(session, lab) if str(g.get("name", "")).lower() in names]
    return next((str(t) for g in tagged if (t := (g.get("tags") or {}).get(TAG_EXPIRES))), None)
