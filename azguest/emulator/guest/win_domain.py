"""Windows steps of the domain controller and the node preparation: ``dc-promote``, ``dc-dns``,
``dc-health``, ``node-features``, ``s2d-node-settings``, ``node-join``."""

from __future__ import annotations

import ipaddress
from typing import Any

from azguest.emulator.guest.model import GuestResult, GuestRun, step
from azguest.emulator.guest.ps import fail, not_null_or_empty, ok, split_list, split_pairs
from azguest.emulator.guest.winbase import (
    INSTALLED,
    check_credential,
    install_features,
    need_reboot,
    reboot_pending,
    unknown_features,
)
from azguest.emulator.guest.world import AZURE_DNS

NETBIOS_MAX = 15  # Install-ADDSForest: a NetBIOS name of 16+ characters fails (PSD ADDSDeployment)
ADDS_FEATURES = ["AD-Domain-Services", "DNS", "RSAT-AD-PowerShell"]
WORKGROUP = "WORKGROUP"


def _adws_down(run: GuestRun, cmdlet: str = "Get-ADDomain") -> GuestResult:
    return fail(cmdlet, "Unable to find a default server with Active Directory Web Services running.", run.script,
                category="ResourceUnavailable", exception="ADServerDownException",
                fqid="ActiveDirectoryServer:1355,Microsoft.ActiveDirectory.Management.Commands."
                     + cmdlet.replace("-", ""))


@step("dc-promote")
def dc_promote(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """AD DS + DNS, new forest (`Install-ADDSForest -NoRebootOnCompletion`), NTDS/logs/SYSVOL on the data disk at
    `DataDiskLun`; DNS client to 127.0.0.1; restart pending. Fails: empty DomainName or SafeModePassword, NetBIOS
    name over 15 characters, no data disk at the LUN, a computer already in a domain."""
    p = run.parameters
    fqdn, netbios = p.get("DomainName") or "", p.get("NetbiosName") or ""
    if not fqdn:
        return not_null_or_empty("Install-ADDSForest", "DomainName", run.script)
    if not run.protected.get("SafeModePassword"):
        return fail("ConvertTo-SecureString", "Cannot bind argument to parameter 'String' because it is an empty "
                    "string.", run.script, category="InvalidData", exception="ParameterBindingValidationException",
                    fqid="ParameterArgumentValidationErrorEmptyStringNotAllowed,"
                         "Microsoft.PowerShell.Commands.ConvertToSecureStringCommand")
    netbios = netbios or fqdn.split(".")[0].upper()
    adds = facts.get("adds") or {}
    if adds:
        if adds.get("forest", "").lower() != fqdn.lower():
            return fail("Install-ADDSForest", f"Verification of prerequisites for Domain Controller promotion failed. "
                        f"This computer is already a domain controller of '{adds.get('forest')}'.", run.script)
        return ok(run.step, changed=False, reboot=reboot_pending(facts), data=_adds_data(adds))
    me = run.world.me
    if (facts.get("domain") or {}).get("name"):
        return fail("Install-ADDSForest", "Verification of prerequisites for Domain Controller promotion failed. "
                    f"The computer {me.computer} is a member of the domain '{facts['domain']['name']}'; a new "
                    "forest needs a workgroup computer.", run.script)
    if len(netbios) > NETBIOS_MAX or not netbios.replace("-", "").isalnum():
        return fail("Install-ADDSForest", f"Verification of prerequisites for Domain Controller promotion failed. "
                    f"The NetBIOS domain name '{netbios}' is invalid (at most {NETBIOS_MAX} characters, letters, "
                    "digits and hyphens).", run.script)
    lun, drive = p.get("DataDiskLun") or "", (p.get("DataDriveLetter") or "").rstrip(":")
    disk = me.data_disks().get(int(lun)) if lun.isdigit() else None
    if disk is None:
        return fail("Get-Disk", f"No MSFT_Disk objects found with property 'Location' equal to 'LUN {lun}' on "
                    f"{me.computer}. Verify the value of the property and retry.", run.script,
                    category="ObjectNotFound", exception="CimJobException", fqid="CmdletizationQuery_NotFound,Get-Disk")
    root = f"{drive or 'F'}:\\"
    install_features(facts, ADDS_FEATURES)
    facts["adds"] = {"forest": fqdn, "netbios": netbios.upper(), "zone": fqdn, "state": "PendingReboot",
                     "databasePath": root + "NTDS", "logPath": root + "NTDS", "sysvolPath": root + "SYSVOL",
                     "dataDisk": {"lun": int(lun), "caching": disk["caching"]}, "forwarders": [],
                     "computers": [me.computer], "records": {}}
    run.world.disk_content(disk["id"])["volume"] = {"label": "ADDS", "fileSystem": "NTFS", "letter": drive or "F"}
    facts["dns"] = {"static": ["127.0.0.1"]}  # the first DC of a forest with AD-integrated DNS points at itself
    facts["domain"] = {"name": fqdn, "state": "DomainController"}
    need_reboot(facts, "Install-ADDSForest")
    return ok(run.step, changed=True, reboot=True, data=_adds_data(facts["adds"]))


def _adds_data(adds: dict[str, Any]) -> dict[str, Any]:
    return {k: adds.get(k) for k in ("forest", "netbios", "state", "databasePath", "sysvolPath", "forwarders")}


@step("dc-dns")
def dc_dns(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Set-DnsServerForwarder` to `Forwarder` (overwrites: idempotent) once AD DS and DNS answer. Fails before
    the promotion's restart (Active Directory Web Services not running) or for another domain."""
    adds = facts.get("adds") or {}
    fqdn, fwd = run.parameters.get("DomainName") or "", run.parameters.get("Forwarder") or ""
    if not adds or adds.get("state") != "Running":
        return _adws_down(run)
    if fqdn.lower() != adds["forest"].lower():
        return fail("Get-ADDomain", f"Cannot find an object with identity: '{fqdn}' under: "
                    f"'DC={adds['forest'].replace('.', ',DC=')}'.", run.script, category="ObjectNotFound",
                    exception="ADIdentityNotFoundException")
    try:
        ipaddress.ip_address(fwd)
    except ValueError:
        return fail("Set-DnsServerForwarder", f"Cannot process argument transformation on parameter 'IPAddress'. "
                    f"Cannot convert value \"{fwd}\" to type \"System.Net.IPAddress[]\".", run.script,
                    category="InvalidData", exception="ParameterBindingArgumentTransformationException")
    changed = adds.get("forwarders") != [fwd]
    adds["forwarders"] = [fwd]
    return ok(run.step, changed=changed, data=_adds_data(adds))


@step("dc-health")
def dc_health(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Query: AD DS and DNS state, forwarders, domain computers and the cluster names the zone resolves
    (`data.records`: name -> addresses). Fails like `Get-ADDomain` when AD DS does not run."""
    adds = facts.get("adds") or {}
    if not adds or adds.get("state") != "Running":
        return _adws_down(run)
    fqdn = run.parameters.get("DomainName") or adds["forest"]
    if fqdn.lower() != adds["forest"].lower():
        return fail("Get-ADDomain", f"Cannot find an object with identity: '{fqdn}'.", run.script,
                    category="ObjectNotFound", exception="ADIdentityNotFoundException")
    data = {**_adds_data(adds), "adws": "Running", "dnsServer": "Running",
            "resolvesAzure": AZURE_DNS in adds.get("forwarders", []), "computers": sorted(adds.get("computers", [])),
            "records": adds.get("records", {}), "dataDiskCaching": (adds.get("dataDisk") or {}).get("caching")}
    return ok(run.step, changed=False, data=data)


@step("node-features")
def node_features(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Install-WindowsFeature` of `Features` (Hyper-V: InstallPending until a restart, the rest installed at
    once) and NIC names (`NicNames` ip=name). Fails: an unknown feature name, Hyper-V on a Trusted Launch or
    confidential VM, an address the VM does not have."""
    me = run.world.me
    names = split_list(run.parameters.get("Features"))
    bad = unknown_features(names)
    if bad is not None:
        return bad
    security = (((me.vm.get("properties") or {}).get("securityProfile") or {}).get("securityType") or "Standard")
    if "Hyper-V" in names and security.lower() != "standard":
        return fail("Install-WindowsFeature", "Hyper-V cannot be installed: The processor does not have required "
                    f"virtualization capabilities. (azguest emulator: {me.computer} has securityType {security}; "
                    "nested virtualization needs Standard)", run.script, category="InvalidOperation",
                    exception="Exception")
    nic_names = split_pairs(run.parameters.get("NicNames"))
    addresses = me.addresses()
    for ip in nic_names:
        if ip not in addresses:
            return fail("Get-NetIPAddress", f"No matching MSFT_NetIPAddress objects found by CIM query for instances "
                        f"of the ROOT/StandardCimv2/MSFT_NetIPAddress class on the CIM server: SELECT * FROM "
                        f"MSFT_NetIPAddress WHERE ((IPAddress LIKE '{ip}')). Verify query parameters and retry.",
                        run.script, category="ObjectNotFound", exception="CimJobException",
                        fqid="CmdletizationQuery_NotFound,Get-NetIPAddress")
    changed, _ = install_features(facts, names)
    if nic_names and facts.get("nicNames") != nic_names:
        facts["nicNames"] = nic_names
        changed = True
    data = {"features": {n: facts["features"][n] for n in names}, "nicNames": facts.get("nicNames", {})}
    return ok(run.step, changed=changed, reboot=reboot_pending(facts), data=data)


@step("s2d-node-settings")
def s2d_node_settings(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """spaceport `HwTimeout` (`HwTimeoutMs`) in the registry; it takes effect at the next restart (pending)."""
    raw = run.parameters.get("HwTimeoutMs") or ""
    if not raw.isdigit():
        return fail("Set-ItemProperty", f"Cannot convert value \"{raw}\" to type \"System.Int32\". Error: \"Input "
                    "string was not in a correct format.\"", run.script, category="InvalidArgument",
                    exception="PSInvalidCastException")
    reg = facts.setdefault("registry", {})
    cur = reg.get("spaceport.HwTimeout") or {}
    changed = cur.get("value") != int(raw)
    if changed:
        reg["spaceport.HwTimeout"] = {"value": int(raw), "effective": cur.get("effective")}
        need_reboot(facts, "spaceport HwTimeout")
    return ok(run.step, changed=changed, reboot=reboot_pending(facts),
              data={"hwTimeoutMs": int(raw), "effective": reg["spaceport.HwTimeout"].get("effective")})


def _join_refused(run: GuestRun, computer: str, fqdn: str, why: str) -> GuestResult:
    return fail("Add-Computer", f"Computer '{computer}' failed to join domain '{fqdn}' from its current workgroup "
                f"'{WORKGROUP}' with following error message: The specified domain either does not exist or could "
                f"not be contacted. (azguest emulator: {why})", run.script, category="OperationStopped",
                fqid="FailToJoinDomainFromWorkgroup,Microsoft.PowerShell.Commands.AddComputerCommand")


@step("node-join")
def node_join(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """DNS client to `DnsServer` (guest level), then `Add-Computer` to `DomainName` without `-Restart`: joined
    after the next restart (pending). Fails when that DNS server (the DC) does not answer (AD DS not promoted,
    not restarted since, VM stopped), has no forwarder to Azure DNS, runs another domain, or the
    credential's user is not the domain's administrator."""
    world, p = run.world, run.parameters
    me = world.me
    fqdn, server = p.get("DomainName") or "", p.get("DnsServer") or ""
    if not fqdn:
        return not_null_or_empty("Add-Computer", "DomainName", run.script)
    joined = facts.get("domain") or {}
    if joined.get("name", "").lower() == fqdn.lower():
        return ok(run.step, changed=False, reboot=reboot_pending(facts),
                  data={"domain": fqdn, "state": joined.get("state"), "dnsServers": me.dns_servers()})
    if joined.get("name"):
        return fail("Add-Computer", f"Cannot add computer '{me.computer}' to domain '{fqdn}' because it is already "
                    f"in domain '{joined['name']}'.", run.script)
    why = world.dns_problem(server, me) if server else "no DnsServer given"
    dc = world.by_ip(server) if server else None
    if why is None and dc is None:
        why = f"{server} is Azure DNS, which does not serve the lab's domain"
    if why is not None:
        return _join_refused(run, me.computer, fqdn, f"DNS server {server}: {why}")
    adds = dc.facts.get("adds") or {}
    if adds.get("forest", "").lower() != fqdn.lower():
        return _join_refused(run, me.computer, fqdn, f"{dc.computer} serves '{adds.get('forest')}'")
    if AZURE_DNS not in adds.get("forwarders", []):
        return fail("Resolve-DnsName", f"management.azure.com : This operation returned because the timeout period "
                    f"expired (azguest emulator: the DC {dc.computer} has no forwarder to {AZURE_DNS} yet, so the "
                    "node would lose Azure names; run dc-dns first)", run.script, category="OperationTimeout",
                    exception="Win32Exception", fqid="ERROR_TIMEOUT,Microsoft.DnsClient.Commands.ResolveDnsName")
    admin = str(((dc.vm.get("properties") or {}).get("osProfile") or {}).get("adminUsername") or "")
    refused = check_credential(run, "Add-Computer", admin, adds["netbios"], adds["forest"])
    if refused is not None:
        return refused
    facts["dns"] = {"static": [server]}
    facts["domain"] = {"name": adds["forest"], "state": "JoinPending"}
    computers = adds.setdefault("computers", [])
    if me.computer not in computers:
        computers.append(me.computer)
    need_reboot(facts, "Add-Computer")
    return ok(run.step, changed=True, reboot=True,
              data={"domain": adds["forest"], "state": "JoinPending", "dnsServers": [server]})


def joined_domain(facts: dict[str, Any]) -> str | None:
    """The domain the computer is a member of now (a join takes effect at the restart after Add-Computer)."""
    dom = facts.get("domain") or {}
    return dom.get("name") if dom.get("state") in ("Joined", "DomainController") else None


def feature_installed(facts: dict[str, Any], name: str) -> bool:
    return (facts.get("features") or {}).get(name) == INSTALLED
