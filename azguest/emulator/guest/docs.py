"""The "Windows guest model" section of docs/emulator.md: what the windows-model guest models, what it does
not, and the per-step durations with their basis."""

from __future__ import annotations

from azguest.emulator.guest.prelude import DNS_TIMEOUT_EXIT
from azguest.emulator.guest.ps import PS_ERROR_EXIT
from azguest.emulator.profile import GUEST_DURATIONS

MODELLED = (
    "**Per-VM Windows state**, persisted in the state file (`guests`): Windows features and their InstallState "
    "(`Hyper-V` is `InstallPending` until a restart; clustering and tools install at once), the pending reboot "
    "and its reasons, the DNS client (set in the guest, else what DHCP gave at the last boot: the NIC's, else "
    "the VNet's DNS servers, else Azure DNS 168.63.129.16), domain membership (`JoinPending` until a restart), "
    "NIC names, registry values that take effect at a restart (spaceport `HwTimeout`), AD DS (forest, NetBIOS, "
    "DNS zone and records, forwarders, NTDS/SYSVOL paths and the data disk's caching, the domain's computer "
    "objects), the iSCSI target (virtual disks per LUN, initiator ACLs) and initiator (portals, persistent "
    "sessions), the NAT switch, cluster membership and the last `Test-Cluster` report.",
    "**Shared state**: a failover cluster is one record per cluster under the lab's resource group (Windows "
    "replicates its database on every node): nodes, validation report, networks and roles, S2D pool, virtual "
    "disks, cluster disks, CSVs, witness (cloud or disk), clustered VM roles with owner node and "
    "`AntiAffinityClassNames`, storage repair, events. What is written on a managed disk (a volume label, S2D "
    "pool membership) is a record of that disk, visible to every VM that attaches it, and goes with the disk.",
    "**A lab is one resource group**: a guest sees the VMs of its VM's group, by computer name and private IP.",
    "**Before a step runs**, as on Windows: the Run Command handler must reach Azure storage through the VM's "
    "DNS servers (none answering: a failed run, exit code " + str(DNS_TIMEOUT_EXIT) + ", ERROR_TIMEOUT); then "
    "PowerShell binds `-Name value` to the script's `param()` block: case-insensitive, unambiguous prefixes, "
    "an unknown name in an advanced script (`[CmdletBinding()]`) is `NamedParameterNotFound`, an ambiguous one "
    "`AmbiguousParameter`, a `Mandatory` one missing `MissingMandatoryParameter`; a script without a `param()` "
    "block takes anything (`$args`). A step that fails writes a PowerShell error record on stderr (`Cmdlet : "
    "message`, `At line:N char:M` where the script calls that cmdlet, `CategoryInfo`, `FullyQualifiedErrorId`) "
    "and exits " + str(PS_ERROR_EXIT) + "; success is the contract's one JSON line "
    "`{\"step\", \"changed\", \"rebootRequired\", \"data\"}`.",
    "**DNS answers** at 168.63.129.16 always; at a lab VM's address only while that VM runs and its DNS Server "
    "service runs, which the model grants after `Install-ADDSForest` and the restart that follows it. The DC "
    "points its own DNS at 127.0.0.1, so until that restart no command runs on it either. `node-join` needs "
    "the DC to answer and to forward to Azure DNS (`dc-dns`).",
    "**ARM power operations reach the guest**: a create, start or restart is a boot (pending features, joins "
    "and promotions complete; DHCP DNS re-read; the Cluster service starts, startup type Automatic); a "
    "deallocate, power off, restart or delete of a cluster node whose Cluster service runs is a hard loss: its "
    "roles move to another node that is up (or fail without one or without quorum), S2D virtual disks are "
    "`Degraded` until the node returns, then `InService` with a `Repair` storage job for `guest.s2d-repair` "
    "seconds. After `cluster-stop` (Stop-Cluster) the same deallocation is graceful: nothing to repair.",
    "**Quorum** is node majority plus the witness's vote (cloud: its storage account exists; disk: its cluster "
    "disk is reachable from a node that is up). Placement is soft anti-affinity: fewest roles of the same "
    "class, then fewest roles, then node order.",
    "**Secrets**: protected parameters reach the step only; the cloud witness key is compared with the "
    "storage account's keys (derived from its id, never stored); a step that would keep a protected value in "
    "any guest record has its changes dropped and fails.",
)

NOT_MODELLED = (
    "Real name resolution: on Azure an inline script may still run when the DNS servers do not answer; the "
    "model fails the run command so that a wrong order fails in tests (a deliberate simplification).",
    "Root hints (a DC without a forwarder resolves public names on Azure; the model asks for the forwarder).",
    "Passwords: the emulator keeps no secret to compare with, so any non-empty admin or safe-mode password is "
    "accepted; the user name is checked against the DC's admin account and the domain's NetBIOS name or FQDN.",
    "Memory, vCPU and disk capacity of nodes and CSVs for nested VMs; VHDX contents; live migration timing; "
    "dynamic quorum and node weights; `ClusterEnforcedAntiAffinity` (hard anti-affinity); cluster-aware "
    "updating; Paused/drained nodes (`Suspend-ClusterNode`); storage maintenance mode.",
    "Test-Cluster's full test list: only Inventory, Network (a common subnet), System Configuration (domain, "
    "feature, pending restart as a warning), Storage (a disk every node sees) and Storage Spaces Direct (server "
    "count, Datacenter edition, two empty non-shared data disks per node) are evaluated.",
    "Exact Windows message texts where no source quotes them: the cmdlet, category and the gist follow "
    "Windows; an `(azguest emulator: ...)` note says why the model refused.",
)


def markdown() -> list[str]:
    lines = ["\n## Windows guest model (windows-model)\n",
             "The default guest of every built-in profile. What it models, honestly, and what it does not.\n",
             "Modelled:\n"]
    lines += [f"- {m}" for m in MODELLED]
    lines += ["\nNot modelled:\n"]
    lines += [f"- {m}" for m in NOT_MODELLED]
    lines += ["\n**Step durations** (profile `latency.durations`, Azure seconds times the time scale; the run "
              "command's LRO takes its step's figure; `guest.failed`: a step refused early). These are typical "
              "values, **not documented by Microsoft**; each row says what it rests on.\n",
              "| Key | Seconds | Basis |", "|---|---:|---|"]
    lines += [f"| `{k}` | {v:g} | {basis} |" for k, (v, basis) in GUEST_DURATIONS.items()]
    return lines
