"""Shared pieces of the Windows steps: Windows features (InstallState), the pending reboot, credentials,
and what a boot does to a guest's facts."""

from __future__ import annotations

from typing import Any

from azguest.emulator.guest.model import GuestResult, GuestRun
from azguest.emulator.guest.ps import fail

# Install-WindowsFeature names the model knows (learn.microsoft.com windows-server storage-spaces
# deploy-storage-spaces-direct; dsccommunity/iSCSIDsc README; AD DS/DNS/RSAT: Get-WindowsFeature on WS2022).
KNOWN_FEATURES = frozenset({
    "Hyper-V", "Failover-Clustering", "RSAT-Clustering-PowerShell", "Hyper-V-PowerShell", "Data-Center-Bridging",
    "AD-Domain-Services", "DNS", "FS-iSCSITarget-Server", "Windows-Server-Backup", "Multipath-IO",
    "RSAT-AD-PowerShell", "RSAT-ADDS", "RSAT-DNS-Server", "RSAT-Clustering", "RSAT-Clustering-Mgmt",
    "RSAT-Hyper-V-Tools", "Hyper-V-Tools", "RSAT-Clustering-CmdInterface",
})
NEEDS_RESTART = frozenset({"Hyper-V"})  # Install-Hyper-V.md: "After the server restarts"; clustering: no restart
INSTALLED, PENDING = "Installed", "InstallPending"  # Get-WindowsFeature InstallState values


def feature_state(facts: dict[str, Any], name: str) -> str:
    """Installed, InstallPending or Available."""
    return str((facts.get("features") or {}).get(name, "Available"))


def install_features(facts: dict[str, Any], names: list[str]) -> tuple[bool, bool]:
    """Install ``names``; returns (changed, restart needed now)."""
    features = facts.setdefault("features", {})
    changed = False
    for name in names:
        if name in features:
            continue
        features[name] = PENDING if name in NEEDS_RESTART else INSTALLED
        changed = True
        if name in NEEDS_RESTART:
            need_reboot(facts, f"Install-WindowsFeature {name}")
    return changed, bool(facts.get("rebootPending"))


def need_reboot(facts: dict[str, Any], reason: str) -> None:
    reasons = facts.setdefault("rebootPending", [])
    if reason not in reasons:
        reasons.append(reason)


def reboot_pending(facts: dict[str, Any]) -> bool:
    return bool(facts.get("rebootPending"))


def unknown_features(names: list[str]) -> GuestResult | None:
    bad = [n for n in names if n not in KNOWN_FEATURES]
    if not bad:
        return None
    return fail("Install-WindowsFeature", f"ArgumentNotValid: The role, role service, or feature name is not valid: "
                f"'{bad[0]}'. The name was not found.", category="InvalidArgument",
                fqid="NameDoesNotExist,Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand",
                exception="Exception")


def hyperv_unusable(run: GuestRun, facts: dict[str, Any], cmdlet: str, computer: str) -> GuestResult | None:
    """Hyper-V cmdlets before the restart that completes the Hyper-V install fail as on Windows."""
    state = feature_state(facts, "Hyper-V")
    if state == INSTALLED:
        return None
    why = ("Hyper-V is installed but a restart is pending" if state == PENDING else "Hyper-V is not installed")
    return fail(cmdlet, f"The Hyper-V Management Tools could not access an expected WMI class on computer "
                f"'{computer}'. This may indicate that the Hyper-V Platform is not enabled on the computer or not "
                f"enabled on a supported version of Windows. (azguest emulator: on {computer}, {why})", run.script,
                category="NotImplemented",
                fqid="Unspecified,Microsoft.HyperV.PowerShell.Commands." + cmdlet.replace("-", ""),
                exception="VirtualizationException")


def check_credential(run: GuestRun, cmdlet: str, dc_admin: str, netbios: str, fqdn: str) -> GuestResult | None:
    """The domain admin credential (``AdminUser`` as NETBIOS\\user, FQDN\\user or user@fqdn, and a password).
    The password itself is not checked: the emulator keeps no secret to compare it with."""
    user = run.parameters.get("AdminUser") or ""
    if not user or not run.protected.get("AdminPassword"):
        from azguest.emulator.guest.ps import not_null_or_empty

        return not_null_or_empty(cmdlet, "Credential", run.script)
    if "\\" in user:
        dom, name = user.split("\\", 1)
    elif "@" in user:
        name, dom = user.split("@", 1)
    else:
        dom, name = "", user
    if dom.lower() not in (netbios.lower(), fqdn.lower()) or name.lower() != dc_admin.lower():
        return fail(cmdlet, "The user name or password is incorrect.", run.script,
                    category="OperationStopped", exception="InvalidOperationException")
    return None


def boot(facts: dict[str, Any], iso_now: str, dhcp_dns: list[str]) -> None:
    """What a (re)start does in the guest: pending features, domain joins, promotions and registry values
    take effect; DHCP gives the DNS servers of the NIC or VNet as they are now."""
    b = facts.setdefault("boot", {"count": 0})
    b["count"] = int(b.get("count", 0)) + 1
    b["time"] = iso_now
    b["dhcpDns"] = list(dhcp_dns)
    for name, state in list((facts.get("features") or {}).items()):
        if state == PENDING:
            facts["features"][name] = INSTALLED
    dom = facts.get("domain") or {}
    if dom.get("state") == "JoinPending":
        dom["state"] = "Joined"
    adds = facts.get("adds") or {}
    if adds.get("state") == "PendingReboot":
        adds["state"] = "Running"
    for value in (facts.get("registry") or {}).values():
        if isinstance(value, dict):
            value["effective"] = value.get("value")
    facts.pop("rebootPending", None)
    facts.pop("clusterStopped", None)  # the Cluster service starts with Windows (startup type Automatic)
