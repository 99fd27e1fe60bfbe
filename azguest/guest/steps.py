"""The guest steps as data: which script runs on which VMs, after what, with which parameters.

Each step is a :class:`~azguest.storage.registry.GuestStep` (the record lives with the storage-mode
registry so that a storage mode, below this layer, can declare its own steps in its ``guest_steps``
slot). This module holds the steps every lab has, in order, and :func:`steps_for` adds the lab's
storage mode's steps. The scripts are ``templates/guest/<id>.ps1`` (top-level ``templates/``, shipped in
the wheel as ``azguest/templates``; :func:`script_text` reads them). docs/design.md, "Guest steps", is
the contract: script template, identity, DNS, reboots, execution names, secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from azguest.storage import mode_for
from azguest.storage.registry import GuestStep

if TYPE_CHECKING:
    from azguest.spec.models import Lab

Step = GuestStep  # the frozen step record (azguest.storage.registry.GuestStep)

# Protected parameter names: their values only ever go in a run command's protectedParameters.
ADMIN_PASSWORD = "AdminPassword"  # the lab admin's password (the domain's Administrator after promotion)
SAFE_MODE_PASSWORD = "SafeModePassword"  # DSRM password of the new forest (azguest passes the admin password)
STORAGE_KEY = "StorageKey"  # the witness storage account's key (cloud witness)
PROTECTED = frozenset({ADMIN_PASSWORD, SAFE_MODE_PASSWORD, STORAGE_KEY})

AZURE_DNS = "168.63.129.16"  # Azure's recursive resolver, the DC's forwarder (same in every cloud)
DC_DATA_LUN = 0  # the DC's data disk (caching None) that holds NTDS, logs and SYSVOL (plan/desired.py)
DC_DATA_DRIVE = "F"
NODE_FEATURES = ("Hyper-V", "Failover-Clustering", "RSAT-Clustering-PowerShell", "Hyper-V-PowerShell")
NAT_SWITCH = "InternalNAT"  # one internal NAT switch, same name on every node
NAT_PREFIX = "192.168.0.0/24"
NAT_GATEWAY = "192.168.0.1"
CLUSTER_ONLY, CLUSTER_AND_CLIENT, NO_CLUSTER = 1, 3, 0  # cluster network roles (CLUSTER_NETWORK_ROLE)


def first_node(lab: Lab) -> str:
    return lab.cluster.nodes.names()[0]


def admin_user(lab: Lab) -> str:
    """The domain admin: Azure's admin account becomes the forest's Administrator when the DC is promoted."""
    return f"{lab.domain.netbios_name}\\{lab.admin.username}"


def _pairs(items: Mapping[str, object]) -> str:
    """``a=1;b=2``: the string form of a small map as a Run Command parameter (parameters are strings)."""
    return ";".join(f"{k}={v}" for k, v in items.items())


def _dc_promote(lab: Lab, computer: str) -> dict[str, str]:
    return {"DomainName": lab.domain.fqdn, "NetbiosName": lab.domain.netbios_name,
            "DataDiskLun": str(DC_DATA_LUN), "DataDriveLetter": DC_DATA_DRIVE}


def _node_features(lab: Lab, computer: str) -> dict[str, str]:
    return {"Features": ",".join(NODE_FEATURES),
            "NicNames": _pairs({str(ip): subnet for subnet, ip in lab.node_ips()[computer].items()})}


def _node_join(lab: Lab, computer: str) -> dict[str, str]:
    return {"DomainName": lab.domain.fqdn, "DnsServer": str(lab.domain.controller.ip), "AdminUser": admin_user(lab)}


def _nodes(lab: Lab) -> str:
    return ",".join(lab.cluster.nodes.names())


def _network_roles(lab: Lab) -> dict[str, str]:
    """Cluster network per subnet: the first carries clients, the others cluster traffic; a subnet
    that holds a storage VM (the iSCSI target's network) and the nodes' NAT network are not cluster networks."""
    storage = {vm.subnet for vm in lab.storage_layout().vms} - {0}
    out = {str(s.prefix): f"{s.name}:{CLUSTER_AND_CLIENT if i == 0 else NO_CLUSTER if i in storage else CLUSTER_ONLY}"
           for i, s in enumerate(lab.network.subnets)}
    if lab.cluster.workloads:
        out[NAT_PREFIX] = f"{NAT_SWITCH}:{NO_CLUSTER}"
    return out


def _workloads(lab: Lab, computer: str) -> dict[str, str]:
    wl = [{"name": w.name, "vcpus": w.vcpus, "memoryMB": w.memory_mb, "diskGB": w.disk_gb,
           "antiAffinity": w.anti_affinity or ""} for w in lab.cluster.workloads]
    return {"Workloads": json.dumps(wl, separators=(",", ":")), "SwitchName": NAT_SWITCH}


def _has_workloads(lab: Lab) -> bool:
    return bool(lab.cluster.workloads)


COMMON: tuple[Step, ...] = (
    Step("dc-promote", "AD DS and DNS, new forest on the data disk, -NoRebootOnCompletion", targets="dc",
         reboot="restart", timeout_s=3600, params=("DomainName", "NetbiosName", "DataDiskLun", "DataDriveLetter"),
         protected=(SAFE_MODE_PASSWORD,), values=_dc_promote),
    Step("dc-dns", "DNS forwarder to Azure DNS; waits until AD DS and DNS answer", targets="dc",
         deps=("dc-promote",), timeout_s=1800, params=("DomainName", "Forwarder"),
         values=lambda lab, c: {"DomainName": lab.domain.fqdn, "Forwarder": AZURE_DNS}),
    Step("node-features", "Hyper-V, Failover-Clustering, management tools; NICs named after their subnets",
         targets="nodes", reboot="pending", timeout_s=1800, params=("Features", "NicNames"), values=_node_features),
    Step("node-join", "DNS to the DC (guest level), join the domain without -Restart", targets="nodes",
         deps=("node-features", "dc-dns", "s2d-node-settings"), reboot="restart", timeout_s=1800,
         params=("DomainName", "DnsServer", "AdminUser"), protected=(ADMIN_PASSWORD,), values=_node_join),
    Step("cluster-validate", "Test-Cluster as the domain admin; fails with the failing tests", targets="first-node",
         deps=("node-join", "iscsi-initiator", "shared-disk-init"), timeout_s=3600,
         params=("Nodes", "Tests", "AdminUser"), protected=(ADMIN_PASSWORD,),
         values=lambda lab, c: {"Nodes": _nodes(lab), "AdminUser": admin_user(lab),
                                "Tests": ",".join(mode_for(lab.cluster.storage.mode).validation_tests)}),
    Step("cluster-create", "New-Cluster -NoStorage -ManagementPointNetworkType Distributed, as the domain admin",
         targets="first-node", deps=("cluster-validate",), timeout_s=1800,
         params=("ClusterName", "Nodes", "AdminUser"), protected=(ADMIN_PASSWORD,),
         values=lambda lab, c: {"ClusterName": lab.cluster.name, "Nodes": _nodes(lab), "AdminUser": admin_user(lab)}),
    Step("workload-switch", "one internal NAT switch, same name on every node", targets="nodes",
         deps=("node-join", "cluster-create"), timeout_s=900, params=("SwitchName", "NatPrefix", "GatewayAddress"),
         values=lambda lab, c: {"SwitchName": NAT_SWITCH, "NatPrefix": NAT_PREFIX, "GatewayAddress": NAT_GATEWAY},
         when=_has_workloads),
    Step("cluster-networks", "cluster networks named after subnets, with their roles", targets="first-node",
         deps=("cluster-create", "workload-switch"), timeout_s=600, params=("Networks",),
         values=lambda lab, c: {"Networks": _pairs(_network_roles(lab))}),
    Step("witness-cloud", "cloud witness on the lab's storage account (key protected)", targets="first-node",
         deps=("cluster-create",), timeout_s=600, params=("AccountName", "Endpoint"), protected=(STORAGE_KEY,),
         values=lambda lab, c: {"AccountName": lab.witness_storage_account_name, "Endpoint": "core.windows.net"},
         when=lambda lab: lab.cluster.witness == "cloud"),
    Step("workloads", "nested VMs on the CSV as clustered roles with soft anti-affinity", targets="first-node",
         deps=("cluster-networks", "s2d-enable", "cluster-disks", "witness-cloud", "witness-disk"), timeout_s=3600,
         params=("Workloads", "SwitchName"), values=_workloads, when=_has_workloads),
)


# Operations steps: run by `azguest stop`, `start` and `test` (azguest.guest.power, azguest.guest.health) on a
# configured lab, never by configure. No parameters: they read what they need from the running guest (the
# cluster, its roles, the domain), so they work from the lab's name alone, without its spec. Each prints one
# JSON line whose ``data`` is the contract the emulator's guest model answers (docs/design.md, "Stop, start
# and test"). A health step never fails for an unhealthy finding: it reports it (exit code 0), and fails
# only when it cannot look (AD DS or the cluster service not answering yet), which azguest waits out.
OPERATIONS: tuple[Step, ...] = (
    Step("dc-health", "AD DS and DNS answer on the DC: the domain, and its name resolved by the DC's own DNS",
         targets="dc", timeout_s=300),
    Step("cluster-health", "the cluster as `azguest test` checks it: nodes, last validation report, pool, "
         "virtual disks, CSVs, storage jobs, witness, workloads with owners and anti-affinity, DNS of its name",
         targets="first-node", timeout_s=600),
    Step("workloads-stop", "shut down every clustered VM role (Stop-ClusterGroup), before Stop-Cluster",
         targets="first-node", timeout_s=1800),
    Step("cluster-stop", "Stop-Cluster -Force: the cluster service on every node, once the workloads are off",
         targets="first-node", timeout_s=900),
    Step("cluster-start", "Start-Cluster: the cluster service on every node that runs, from one of them",
         targets="first-node", timeout_s=900),
    Step("workloads-start", "start every clustered VM role; of two roles of one anti-affinity class on one "
         "node, move one to a node without that class (live migration)", targets="first-node", timeout_s=1800),
)


# Backup steps: run by `azguest backup LAB --mode in-guest` (azguest.backup.inguest) on one running node, never by
# configure. docs/design.md, "Backup": Windows Server Backup of the CSVs to a dedicated disk kept out of the pool.
BACKUP: tuple[Step, ...] = (
    Step("backup-feature", "the Windows-Server-Backup feature (no restart needed)", targets="first-node",
         timeout_s=900),
    Step("backup-wsb", "Windows Server Backup of every Online CSV to the dedicated backup disk at LUN DiskLun "
         "(kept out of the S2D pool when KeepOutOfPool is true)", targets="first-node", deps=("backup-feature",),
         timeout_s=5400, params=("DiskLun", "BackupId", "KeepOutOfPool")),
)


# Restore steps: run by `azguest restore` of an in-guest backup (azguest.restore.guestdata) on the first node of a
# freshly deployed lab, never by configure: the CSV volumes restored from the backup version on the disk at DiskLun.
RESTORE: tuple[Step, ...] = (
    Step("restore-wsb", "restore every CSV volume of the Windows Server Backup version BackupId from the disk at LUN "
         "DiskLun (a copy of the backup's snapshot of the target disk)", targets="first-node",
         deps=("backup-feature",), timeout_s=7200, params=("DiskLun", "BackupId")),
)


def steps_for(lab: Lab) -> tuple[Step, ...]:
    """The lab's steps: the common ones and its storage mode's, those it needs (``when``), in order."""
    mode_steps = mode_for(lab.cluster.storage.mode).guest_steps
    create = next(i for i, s in enumerate(COMMON) if s.id == "cluster-create")
    ordered = (*COMMON[:create + 1], *mode_steps, *COMMON[create + 1:])
    return tuple(s for s in ordered if s.when(lab))


def all_steps() -> dict[str, Step]:
    """Every step of every mode by id (a step two modes share, e.g. cluster-disks, once), and the operations steps."""
    from azguest.storage import MODES

    out = {s.id: s for s in (*COMMON, *OPERATIONS, *BACKUP, *RESTORE)}
    for mode in MODES.values():
        out.update({s.id: s for s in mode.guest_steps})
    return out


def targets_of(lab: Lab, step: Step) -> tuple[str, ...]:
    """The computer names a step runs on."""
    if step.targets == "dc":
        return (lab.domain.controller.name,)
    if step.targets == "nodes":
        return tuple(lab.cluster.nodes.names())
    if step.targets == "first-node":
        return (first_node(lab),)
    return tuple(vm.computer for vm in lab.storage_layout().vms if vm.kind == step.targets)


@cache
def templates_root() -> Path:
    """The guest scripts' folder: ``azguest/templates`` when installed, the top-level ``templates/`` in a checkout
    (located once per process: an installed or checked-out package does not move while it runs)."""
    try:
        root = resources.files("azguest.templates")
        if root.is_dir():  # installed, azguest.templates is a namespace package (a MultiplexedPath): join, then str
            return Path(str(root.joinpath("guest"))).parent
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "templates"


# A line ``# azguest-include: lib/<name>.ps1`` in a script stands for that file of templates/guest/lib/: functions
# several scripts share (a run command sends one self-contained script, so they are inlined, once, here).
_INCLUDE = re.compile(r"^# azguest-include: (lib/[A-Za-z0-9_-]+\.ps1)[ \t]*$", re.M)


def script_text(step: Step) -> str:
    """The step's script as it runs: its include lines replaced by the shared functions they name."""
    return _script(step.script)


@cache
def _script(relative: str) -> str:
    """One script with its includes inlined, read once per process (the package's templates do not change while
    it runs; every run command of every step sends the same text)."""
    path = templates_root() / relative
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: (path.parent / m.group(1)).read_text(encoding="utf-8").rstrip("\n"), text)
