"""`connect`: how to reach each VM of a lab (role, private and public IPs, the admin user, an .rdp file or advice).

Reads: the lab's one group (teardown's ownership rules: one tag query on groups), then one list call each
for VMs, NICs and public IPs in that group, whatever the lab's size. Never reads or shows a secret: the
admin password is never fetched, and an .rdp file carries the address and the user name only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.plan.model import TAG_ROLE, carries_lab_tags

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

RDP_PORT = 3389
ROLE_ORDER = {"dc": 0, "node": 1}  # the domain controller first, then the nodes, then the rest


@dataclass(frozen=True)
class VmAccess:
    name: str  # the Azure VM name
    computer: str  # the Windows computer name
    role: str
    private_ips: tuple[str, ...]
    public_ip: str | None
    username: str  # as typed at the RDP prompt: "LAB\\labadmin" or ".\\labadmin"
    how: str  # one short line: the .rdp file, or the way in without a public IP
    vm_id: str = ""
    rdp_file: str | None = None  # written by `connect` (VMs with a public IP only)
    bastion: str = ""  # the az CLI command that opens RDP to it through the lab's Bastion (see advice)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "computerName": self.computer, "role": self.role,
                "privateIps": list(self.private_ips), "publicIp": self.public_ip, "username": self.username,
                "how": self.how, "rdpFile": self.rdp_file, "bastionCommand": self.bastion, "id": self.vm_id}


@dataclass(frozen=True)
class LabAccess:
    lab: str
    resource_group: str
    vms: tuple[VmAccess, ...]
    advice: tuple[str, ...]  # lab-wide: Bastion and just-in-time access, with az CLI commands

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "resourceGroup": self.resource_group, "vms": [v.to_dict() for v in self.vms],
                "advice": list(self.advice)}


def read_network(session: AzureSession, rg: str) -> tuple[list[dict], list[dict]]:
    """NICs and public IPs of one group: two list calls."""
    with arm_errors(target=f"NICs and public IPs in {rg}"):
        return (K.list_in_group(session, K.KINDS["nic"], rg),
                K.list_in_group(session, K.KINDS["publicIp"], rg))


def _key(x: Any) -> str:
    return str(x or "").lower()


def _ips(vm: dict, nics: dict[str, dict], pips: dict[str, dict]) -> tuple[tuple[str, ...], str | None]:
    """Private IPs of the VM's NICs (primary first) and the first public IP attached to any of them."""
    private: list[str] = []
    public = None
    refs = ((vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []
    refs = sorted(refs, key=lambda r: not (r.get("properties") or r).get("primary", False))
    for ref in refs:
        nic = nics.get(_key(ref.get("id"))) or {}
        for cfg in (nic.get("properties") or {}).get("ipConfigurations") or []:
            props = cfg.get("properties") or {}
            if props.get("privateIPAddress"):
                private.append(str(props["privateIPAddress"]))
            pip = pips.get(_key((props.get("publicIPAddress") or {}).get("id")))
            if public is None and pip and (pip.get("properties") or {}).get("ipAddress"):
                public = str(pip["properties"]["ipAddress"])
    return tuple(private), public


def username_for(admin: str, domain: str | None) -> str:
    """``DOMAIN\\user`` when the lab's NetBIOS domain is known, else the local account ``.\\user``."""
    return f"{domain}\\{admin}" if domain else f".\\{admin}"


def access_from(lab: str, rg: str, vms: list[dict], nics: list[dict], pips: list[dict],
                domain: str | None = None) -> tuple[VmAccess, ...]:
    """Per lab VM (full tag set), how to reach it; pure: the bodies come from list calls."""
    nic_by_id = {_key(n.get("id")): n for n in nics}
    pip_by_id = {_key(p.get("id")): p for p in pips}
    out = []
    for vm in vms:
        tags = vm.get("tags") or {}
        if not carries_lab_tags(tags, lab):
            continue
        os_profile = (vm.get("properties") or {}).get("osProfile") or {}
        private, public = _ips(vm, nic_by_id, pip_by_id)
        name = str(vm.get("name"))
        user = username_for(str(os_profile.get("adminUsername", "")), domain)
        how = (f"RDP {public}:{RDP_PORT} (`azguest connect` writes {name}.rdp)" if public else
               "Azure Bastion, or RDP from a lab VM (no public IP)")
        bastion = (f"az network bastion rdp --name {bastion_name(lab)} --resource-group {rg} "
                   f"--target-resource-id {vm.get('id')}")
        out.append(VmAccess(name, str(os_profile.get("computerName", name)), tags.get(TAG_ROLE, ""), private,
                            public, user, how, str(vm.get("id", "")), bastion=bastion))
    return tuple(sorted(out, key=lambda v: (ROLE_ORDER.get(v.role, 2), v.name)))


def bastion_name(lab: str) -> str:
    """The Bastion host the advice creates (azguest never creates one)."""
    return f"bastion-{lab}"


def advice(lab: str, rg: str, vnet: str | None, location: str, any_public: bool) -> tuple[str, ...]:
    """Lab-wide ways in without opening RDP to the internet: Azure Bastion, just-in-time access."""
    vnet = vnet or "<lab vnet>"
    out = [
        "Azure Bastion (no public IP on any VM; `az network bastion rdp` needs the Standard SKU and "
        "`--enable-tunneling`): add a subnet named AzureBastionSubnet (/26 or larger) to the lab's VNet, then "
        f"`az network vnet subnet create -g {rg} --vnet-name {vnet} -n AzureBastionSubnet --address-prefixes "
        f"<free /26>`; `az network public-ip create -g {rg} -n pip-bastion --sku Standard -l {location}`; "
        f"`az network bastion create -g {rg} -n {bastion_name(lab)} --vnet-name {vnet} --public-ip-address pip-bastion "
        f"--sku Standard --enable-tunneling true -l {location}`. Delete the Bastion before `azguest destroy {lab}` "
        "(destroy keeps a group that holds resources azguest did not create).",
    ]
    if any_public:
        out.append(
            "Just-in-time VM access (Microsoft Defender for Cloud, Defender for Servers Plan 2) opens 3389 on the "
            "VM with a public IP to your address for a bounded time: enable it for that VM in the portal (VM > "
            "Connect), then request access there or with `Start-AzJitNetworkAccessPolicy` / the REST `initiate` "
            "action on Microsoft.Security/locations/jitNetworkAccessPolicies; then drop allowRdpFrom's wide ranges.")
    return tuple(out)


def rdp_file_text(address: str, username: str) -> str:
    """An .rdp file for mstsc / Microsoft Remote Desktop: address and user, never a password."""
    return "\r\n".join([f"full address:s:{address}:{RDP_PORT}", f"username:s:{username}",
                        "prompt for credentials:i:1", "administrative session:i:1", "screen mode id:i:2",
                        "authentication level:i:2", ""])


def write_rdp_files(access: tuple[VmAccess, ...], directory: Path) -> tuple[VmAccess, ...]:
    """Write ``<vm>.rdp`` for every VM with a public IP into ``directory``; the others are returned as they are."""
    from dataclasses import replace

    out = []
    for v in access:
        if v.public_ip is None:
            out.append(v)
            continue
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{v.name}.rdp"
        path.write_text(rdp_file_text(v.public_ip, v.username), encoding="utf-8", newline="")
        out.append(replace(v, rdp_file=str(path), how=f"open {path} (RDP to {v.public_ip}:{RDP_PORT})"))
    return tuple(out)


def lab_access(session: AzureSession, lab: str, *, domain: str | None = None, resource_group: str | None = None
               ) -> LabAccess:
    """How to reach each VM of the lab: one tag query, then three list calls in the lab's group."""
    from azguest.deploy.teardown import lab_group

    group = lab_group(session, lab, resource_group)
    rg = str(group.get("name"))
    with arm_errors(target=f"VMs in {rg}"):
        vms = K.list_in_group(session, K.KINDS["vm"], rg)
    nics, pips = read_network(session, rg)
    access = access_from(lab, rg, vms, nics, pips, domain)
    vnet = _vnet_of(nics)
    return LabAccess(lab, rg, access, advice(lab, rg, vnet, str(group.get("location", "")),
                                             any(v.public_ip for v in access)))


def _vnet_of(nics: list[dict]) -> str | None:
    from azguest.azure.ids import ArmId

    for n in nics:
        for cfg in (n.get("properties") or {}).get("ipConfigurations") or []:
            subnet = ((cfg.get("properties") or {}).get("subnet") or {}).get("id")
            if subnet:
                return ArmId.parse(str(subnet)).names[0]
    return None


def with_domain(access: tuple[VmAccess, ...], domain: str | None) -> tuple[VmAccess, ...]:
    """The same access with ``DOMAIN\\user`` (the spec's NetBIOS name) in place of ``.\\user``."""
    from dataclasses import replace

    return tuple(replace(a, username=username_for(a.username.split("\\", 1)[-1], domain)) for a in access)
