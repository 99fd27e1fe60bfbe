"""`lab list`: the labs azguest created in the subscription, with expiry, VM count and power summary.

Ownership as in :mod:`azguest.deploy.teardown` (docs/design.md, "Trust model"): a lab is a group carrying
the lab's full tag set; its VMs are those in that group carrying the full set too; expiry comes from the
group's tag only. Reads: one tag query on groups, then one VM list (with instance views) per
lab group, whatever the size of each lab.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.deploy.cost import live_cost
from azguest.deploy.status import power_state
from azguest.plan.groups import created_for
from azguest.plan.model import TAG_EXPIRES, carries_lab_tags

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

TAG_OWNER = "owner"  # a spec's tags.owner, shown by `lab list` (a user tag, not one of azguest's)


@dataclass(frozen=True)
class LabSummary:
    lab: str
    resource_group: str
    location: str
    expires: str | None  # the group's azguest-expires tag
    vms: int
    power: tuple[tuple[str, int], ...]  # (power state, count), most common first
    created: bool  # azguest created the group (destroy deletes it when empty)
    ambiguous: bool = False  # another group claims the same lab (destroy/gc refuse until -g names one)
    owner: str | None = None  # the `owner` tag (the spec's tags.owner), from the group, else from a VM
    cost_per_hour: float = 0.0  # what the lab bills per hour now: running VMs, and disks (estimate)

    @property
    def state(self) -> str:
        """running | deallocated | mixed | empty: the lab's power at a glance."""
        states = {s for s, _n in self.power}
        if not states:
            return "empty"
        return next(iter(states)) if len(states) == 1 and states <= {"running", "deallocated"} else "mixed"

    @property
    def power_summary(self) -> str:
        return ", ".join(f"{n} {state}" for state, n in self.power) or "no VMs"

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "resourceGroup": self.resource_group, "location": self.location,
                "expires": self.expires, "vms": self.vms, "power": dict(self.power),
                "powerSummary": self.power_summary, "createdByAzguest": self.created, "ambiguous": self.ambiguous,
                "owner": self.owner, "state": self.state, "costPerHour": self.cost_per_hour}


def _disks_of(vms: list[dict]) -> list[dict]:
    """The VMs' OS and data disks as disk bodies for the cost estimate, from the VM bodies alone (no disk
    read; a shared disk once): sku from ``managedDisk.storageAccountType``, size from ``diskSizeGB``."""
    out: dict[str, dict] = {}
    for vm in vms:
        sp = (vm.get("properties") or {}).get("storageProfile") or {}
        for d in [sp.get("osDisk") or {}, *(sp.get("dataDisks") or [])]:
            md = d.get("managedDisk") or {}
            key = str(md.get("id") or d.get("name") or "").lower()
            if key and key not in out:
                out[key] = {"name": d.get("name"), "sku": {"name": md.get("storageAccountType") or ""},
                            "properties": {"diskSizeGB": d.get("diskSizeGB") or 0}}
    return list(out.values())


def _summary(session: AzureSession, lab: str, group: dict, ambiguous: bool) -> LabSummary:
    rg = str(group.get("name"))
    with arm_errors(target=f"VMs in {rg}"):
        vms = [v for v in K.list_in_group(session, K.KINDS["vm"], rg, expand="instanceView")
               if carries_lab_tags(v.get("tags"), lab)]
    power = Counter(power_state(v) for v in vms)
    tags = group.get("tags") or {}
    owner = tags.get(TAG_OWNER) or next((v["tags"][TAG_OWNER] for v in vms if (v.get("tags") or {}).get(TAG_OWNER)),
                                        None)
    running = {str(v.get("name")) for v in vms if power_state(v) == "running"}
    cost = live_cost(vms, _disks_of(vms), (), ()).per_hour_now(running)
    return LabSummary(lab, rg, str(group.get("location", "")), tags.get(TAG_EXPIRES), len(vms),
                      tuple(sorted(power.items(), key=lambda kv: (-kv[1], kv[0]))), created_for(tags, lab),
                      ambiguous, owner, cost)


def list_labs(session: AzureSession) -> tuple[LabSummary, ...]:
    """Every lab azguest created (or tagged a pre-existing group for) in the session's subscription."""
    from azguest.deploy.teardown import all_lab_groups

    out = []
    for lab, groups in sorted(all_lab_groups(session).items()):
        for g in sorted(groups, key=lambda g: str(g.get("name")).lower()):
            out.append(_summary(session, lab, g, len(groups) > 1))
    return tuple(out)
