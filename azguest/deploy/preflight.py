"""Live checks before the first write: quota, SKU availability, names already taken.

Each check is a read; a failing preflight writes nothing and says exactly what is short.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from azguest.azure import kinds as K
from azguest.azure import lookups
from azguest.azure.errors import arm_errors
from azguest.azure.ids import group_of
from azguest.catalog.disks import lookup_disk_sku
from azguest.errors import PreflightError
from azguest.plan.model import TAG_LAB, Desired, Plan

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

REGIONAL_CORES = "cores"


@dataclass(frozen=True)
class Shortfall:
    code: str  # stable code, e.g. AZG-QUOTA
    message: str  # what is short, with figures


def needed_vcpus(vms: list[Desired]) -> dict[str, int]:
    """vCPUs per quota family plus the regional total ('cores')."""
    need: dict[str, int] = defaultdict(int)
    for vm in vms:
        need[vm.family] += vm.vcpus
        need[REGIONAL_CORES] += vm.vcpus
    return dict(need)


def check_quota(session: AzureSession, plan: Plan, creating: list[Desired]) -> list[Shortfall]:
    need = needed_vcpus([d for d in creating if d.kind == "vm"])
    if not need:
        return []
    with arm_errors(target=f"compute usages in {plan.graph.location}"):
        usages = {(u.get("name") or {}).get("value"): u for u in lookups.compute_usages(session, plan.graph.location)}
    out = []
    for name, count in sorted(need.items()):
        u = usages.get(name)
        if u is None:
            continue
        limit, used = int(u.get("limit") or 0), int(u.get("currentValue") or 0)
        free = limit - used
        if count > free:
            out.append(Shortfall("AZG-QUOTA", f"needs {count} {name} vCPUs, {max(free, 0)} free "
                                              f"(limit {limit}, in use {used})"))
    return out


def _restricted(sku: dict, location: str) -> bool:
    """A Location restriction naming this region (wire JSON: SDK models shadow ``values``)."""
    for r in sku.get("restrictions") or []:
        if str(r.get("type", "")).lower() == "location" and location.lower() in [
                v.lower() for v in r.get("values") or []]:
            return True
    return False


def check_skus(session: AzureSession, plan: Plan, creating: list[Desired]) -> list[Shortfall]:
    sizes = {d.size for d in creating if d.kind == "vm" and d.size}
    disk_skus = {d.body.get("sku", {}).get("name") for d in creating if d.kind == "disk"}
    if not sizes and not disk_skus:
        return []
    loc = plan.graph.location
    with arm_errors(target=f"resource SKUs in {loc}"):
        skus = lookups.resource_skus(session, loc)
    by_name = {(str(s.get("resourceType")).lower(), str(s.get("name")).lower()): s for s in skus}
    out = []
    for kind, names in (("virtualmachines", sizes), ("disks", disk_skus)):
        for name in sorted(n for n in names if n):
            sku = by_name.get((kind, name.lower()))
            if sku is None or _restricted(sku, loc):
                out.append(Shortfall("AZG-SKU", f"{name} is not available in {loc} for this subscription"))
    premium_vms = _premium_vms(plan, creating)
    for d in creating:
        sku = by_name.get(("virtualmachines", d.size.lower())) if d.kind == "vm" else None
        caps = {c.get("name"): c.get("value") for c in (sku or {}).get("capabilities") or []}
        if sku is not None and d.key in premium_vms and caps.get("PremiumIO", "True") != "True":
            out.append(Shortfall("AZG-SKU", f"{d.size} cannot attach Premium disks ({d.name})"))
    return out


def _premium_vms(plan: Plan, creating: list[Desired]) -> set[str]:
    premium_disks = {d.key for d in plan.graph.resources if d.kind == "disk"
                     and (info := lookup_disk_sku(d.body["sku"]["name"])) and info.premium}
    return {d.key for d in creating if d.kind == "vm" and premium_disks & set(d.depends_on)}


def check_lab_name(session: AzureSession, plan: Plan) -> list[Shortfall]:
    """State lives in the ``azguest-lab`` tag, so a lab name is unique per subscription: refuse a second lab
    of the same name in another resource group (destroy of either would take both)."""
    g = plan.graph
    with arm_errors(target=f"resources tagged {TAG_LAB}={g.lab}"):
        items = K.list_tagged(session, TAG_LAB, g.lab)
    ours = [i for i in items if (i.get("tags") or {}).get(TAG_LAB) == g.lab]
    groups = sorted({group_of(i.get("id")) or "" for i in ours} - {""}, key=str.lower)
    groups = [x for x in groups if x.lower() != g.resource_group.lower()]
    if not groups:
        return []
    return [Shortfall("AZG-LAB-NAME-TAKEN", f"a lab named {g.lab} already exists in resource group "
                                            f"{', '.join(groups)}: choose another lab name (or destroy that lab)")]


def check_names(session: AzureSession, plan: Plan, creating: list[Desired]) -> list[Shortfall]:
    out = [Shortfall("AZG-NAME-TAKEN", f"{f} exists and azguest did not create it: rename the lab or "
                                        "remove that resource") for f in plan.foreign]
    out += check_lab_name(session, plan)
    for d in creating:
        if d.kind != "storageAccount":
            continue
        with arm_errors(target=f"storage account name {d.name}"):
            res = lookups.storage_name_availability(session, d.name)
        if not res.get("nameAvailable"):
            out.append(Shortfall("AZG-NAME-TAKEN", f"storage account name {d.name} is taken "
                                                    f"({res.get('reason')}): set cluster.witnessStorageAccount"))
    return out


def preflight(session: AzureSession, plan: Plan) -> list[Shortfall]:
    """All live checks for what this plan will create; raises nothing, returns the shortfalls."""
    desired = plan.graph.by_key()
    creating = [desired[c.key] for c in plan.changes if c.action == "create"]
    return check_names(session, plan, creating) + check_quota(session, plan, creating) + \
        check_skus(session, plan, creating)


def raise_if_short(shortfalls: list[Shortfall]) -> None:
    if shortfalls:
        lines = "; ".join(s.message for s in shortfalls)
        raise PreflightError(f"preflight failed, nothing was written: {lines}", code=shortfalls[0].code,
                             details={"shortfalls": [s.__dict__ for s in shortfalls]},
                             hint="request a quota increase, choose another size or region, or rename")
