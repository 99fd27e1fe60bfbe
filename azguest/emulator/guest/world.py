"""What a Windows guest can see of the lab around it: the other VMs of its resource group (a lab is one
group), their computer names, addresses, power state and guest facts; the DNS servers a VM uses and
whether they answer; records shared by several guests (a failover cluster's database, the content of a
shared disk). Read from the emulator state; nothing here imports a handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.emulator import ids
from azguest.emulator.context import iso_offset
from azguest.emulator.guest.model import GUEST_FORMAT, guest_state

if TYPE_CHECKING:
    from azguest.emulator.context import Ctx

VM_TYPE = "Microsoft.Compute/virtualMachines"
SA_TYPE = "Microsoft.Storage/storageAccounts"
AZURE_DNS = "168.63.129.16"  # Azure's recursive resolver: answers in every VNet (what-is-ip-address-168-63-129-16)
LOOPBACK = ("127.0.0.1", "::1")
CLUSTER_PROVIDER = "providers/azguest.guest/clusters"  # key of a cluster's shared record, under the lab's group


@dataclass
class Peer:
    """One VM of the lab as the guests see it."""

    ctx: Ctx
    vm: dict[str, Any]  # the stored resource (read only here)
    facts: dict[str, Any]  # its guest facts (mutable)

    @property
    def id(self) -> str:
        return str(self.vm["id"])

    @property
    def name(self) -> str:
        return str(self.vm["name"])

    @property
    def computer(self) -> str:
        osp = (self.vm.get("properties") or {}).get("osProfile") or {}
        # a VM created on an attached OS disk has no osProfile: its name is the guest's, on that disk (content.py)
        return str(osp.get("computerName") or self.vm.get("_computer") or self.vm["name"]).upper()

    @property
    def power(self) -> str:
        return str(self.vm.get("_power", "running"))

    @property
    def running(self) -> bool:
        return self.power == "running"

    @property
    def edition(self) -> str:
        sku = str((((self.vm.get("properties") or {}).get("storageProfile") or {}).get("imageReference") or {})
                  .get("sku") or "")
        return "Datacenter" if "datacenter" in sku.lower() or not sku else "Standard"

    def nics(self) -> list[dict[str, Any]]:
        refs = ((self.vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []
        return [n for n in (self.ctx.get((r or {}).get("id")) for r in refs) if n]

    def addresses(self) -> dict[str, dict[str, str]]:
        """IP -> {"subnet": name, "prefix": CIDR, "subnetId": id}, in NIC order."""
        out = {}
        for nic in self.nics():
            for conf in (nic.get("properties") or {}).get("ipConfigurations") or []:
                props = conf.get("properties") or {}
                ip, sid = props.get("privateIPAddress"), (props.get("subnet") or {}).get("id") or ""
                if ip:
                    out[str(ip)] = {"subnet": ids.name_of(sid), "prefix": _prefix(self.ctx, sid), "subnetId": sid}
        return out

    def data_disks(self) -> dict[int, dict[str, Any]]:
        """LUN -> {"id", "caching", "shared" (maxShares > 1), "sizeGB", "sku"} for the attached data disks."""
        out = {}
        sp = (self.vm.get("properties") or {}).get("storageProfile") or {}
        for d in sp.get("dataDisks") or []:
            did = (d.get("managedDisk") or {}).get("id")
            disk = self.ctx.get(did) or {}
            props = disk.get("properties") or {}
            out[int(d.get("lun", 0))] = {"id": did, "caching": d.get("caching") or "None",
                                         "shared": int(props.get("maxShares") or 1) > 1,
                                         "sizeGB": int(props.get("diskSizeGB") or 0),
                                         "sku": (disk.get("sku") or {}).get("name")}
        return out

    def arm_dns(self) -> list[str]:
        """The DNS servers DHCP gives the VM: its primary NIC's, else its VNet's, else Azure DNS."""
        nics = self.nics()
        if nics:
            servers = ((nics[0].get("properties") or {}).get("dnsSettings") or {}).get("dnsServers") or []
            if servers:
                return [str(s) for s in servers]
            for conf in (nics[0].get("properties") or {}).get("ipConfigurations") or []:
                sid = ((conf.get("properties") or {}).get("subnet") or {}).get("id") or ""
                vnet = self.ctx.get(sid.rsplit("/subnets/", 1)[0]) if "/subnets/" in sid.lower() else None
                servers = (((vnet or {}).get("properties") or {}).get("dhcpOptions") or {}).get("dnsServers") or []
                if servers:
                    return [str(s) for s in servers]
        return [AZURE_DNS]

    def dns_servers(self) -> list[str]:
        """Effective DNS: set in the guest (Set-DnsClientServerAddress), else what DHCP gave at the last boot."""
        static = (self.facts.get("dns") or {}).get("static")
        if static:
            return list(static)
        boot = (self.facts.get("boot") or {}).get("dhcpDns")
        return list(boot) if boot else self.arm_dns()


def _prefix(ctx: Ctx, subnet_id: str) -> str:
    if "/subnets/" not in subnet_id.lower():
        return ""
    vnet_id, _, name = subnet_id.rpartition("/subnets/")
    vnet = ctx.get(vnet_id) or {}
    for s in (vnet.get("properties") or {}).get("subnets") or []:
        if s.get("name", "").lower() == name.lower():
            return str((s.get("properties") or {}).get("addressPrefix") or "")
    return ""


class World:
    """The lab around one VM: its resource group's VMs, shared records, DNS."""

    def __init__(self, ctx: Ctx, vm_id: str) -> None:
        self.ctx = ctx
        self.vm_id = vm_id
        self.sub = ids.sub_of(vm_id)
        self.rg = ids.rg_of(vm_id) or ""
        self._vm_keys: tuple[tuple[int, int], list[str]] | None = None  # (resources id and size, the VMs' keys)
        self._named: dict[str, str | None] = {}  # computer name -> VM key (None: no such VM), with _vm_keys

    @property
    def now(self) -> float:
        return self.ctx.now

    def iso_now(self) -> str:
        return iso_offset(self.ctx.now)

    def peer_of(self, vm: dict[str, Any]) -> Peer:
        return Peer(self.ctx, vm, guest_state(self.ctx, vm["id"])["facts"])

    def _lineup(self) -> list[str]:
        """The keys of the group's VMs in id order, listed once while the resource table keeps its size (a
        guest step adds or removes no resource)."""
        table = self.ctx.resources
        sig = (id(table), len(table))
        if self._vm_keys is None or self._vm_keys[0] != sig:
            vms = self.ctx.of_type(VM_TYPE, sub=self.sub, rg=self.rg)
            self._vm_keys, self._named = (sig, [ids.key(vm["id"]) for vm in vms]), {}
        return self._vm_keys[1]

    def peers(self) -> Iterator[Peer]:
        """The group's VMs in id order, each read afresh."""
        table = self.ctx.resources
        for key in self._lineup():
            vm = table.get(key)
            if vm is not None:
                yield self.peer_of(vm)

    @property
    def me(self) -> Peer:
        vm = self.ctx.get(self.vm_id) or {"id": self.vm_id, "name": ids.name_of(self.vm_id)}
        return self.peer_of(vm)

    def by_name(self, computer: str) -> Peer | None:
        """The VM whose computer name is ``computer`` (a cluster's health asks for its nodes dozens of times:
        the name is looked up once while the lineup holds; the VM and its facts are read afresh)."""
        want = computer.split(".")[0].upper()
        self._lineup()
        if want not in self._named:
            hit = next((p for p in self.peers() if p.computer == want), None)
            self._named[want] = None if hit is None else ids.key(hit.id)
        key = self._named[want]
        vm = None if key is None else self.ctx.resources.get(key)
        return None if vm is None else self.peer_of(vm)

    def by_ip(self, ip: str) -> Peer | None:
        return next((p for p in self.peers() if ip in p.addresses()), None)

    # ---- DNS -------------------------------------------------------------------------------------
    def dns_problem(self, server: str, asking: Peer) -> str | None:
        """None when ``server`` answers ``asking``'s queries, else why not."""
        if server == AZURE_DNS:
            return None
        target = asking if server in LOOPBACK else self.by_ip(server)
        if target is None:
            return f"no VM of the lab has the address {server}"
        if not target.running:
            return f"{target.computer} (VM {target.name}) is {target.power}"
        adds = target.facts.get("adds") or {}
        if not adds:
            return f"{target.computer} runs no DNS Server service"
        if adds.get("state") != "Running":
            return (f"{target.computer} has not restarted since Install-ADDSForest (its DNS Server service "
                    "answers after that restart)")
        return None

    def resolver(self, asking: Peer) -> tuple[str | None, str]:
        """(the first DNS server that answers, or None; why none does)."""
        reasons = []
        for server in asking.dns_servers():
            why = self.dns_problem(server, asking)
            if why is None:
                return server, ""
            reasons.append(f"{server}: {why}")
        return None, "; ".join(reasons)

    def domain_controller(self, fqdn: str) -> Peer | None:
        """The lab's DC of forest ``fqdn`` (whatever its state)."""
        return next((p for p in self.peers() if ((p.facts.get("adds") or {}).get("forest") or "").lower()
                     == fqdn.lower()), None)

    # ---- shared records --------------------------------------------------------------------------
    def cluster_key(self, name: str) -> str:
        return ids.key(f"{ids.rg_id(self.sub, self.rg)}/{CLUSTER_PROVIDER}/{name}")

    def cluster(self, name: str | None) -> dict[str, Any] | None:
        """The cluster's shared record (its database, replicated on every node in Windows)."""
        if not name:
            return None
        rec = (self.ctx.state.get("guests") or {}).get(self.cluster_key(name))
        return rec["facts"] if isinstance(rec, dict) else None

    def new_cluster(self, name: str, facts: dict[str, Any]) -> dict[str, Any]:
        self.ctx.state.setdefault("guests", {})[self.cluster_key(name)] = {"format": GUEST_FORMAT, "facts": facts,
                                                                           "runs": []}
        self.ctx.mark_dirty()
        return facts

    def disk_content(self, disk_id: str) -> dict[str, Any]:
        """What is written on a managed disk (its guest record goes with the disk)."""
        return guest_state(self.ctx, disk_id)["facts"]

    def storage_account(self, name: str) -> dict[str, Any] | None:
        for sa in self.ctx.of_type(SA_TYPE, sub=self.sub):
            if sa["name"].lower() == name.lower():
                return sa
        return None

    def profile_seconds(self, key: str, default: float) -> float:
        latency = self.ctx.engine.profile.latency
        return float(latency.durations.get(key, default)) * latency.time_scale
