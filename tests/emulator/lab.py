"""Builders for the emulator suite (used by the ``lab`` fixture): ARM resources via the real SDK only.

Bodies are wire JSON (camelCase, ``properties`` nesting), as the SDK sends a dict body as-is.
Every name carries the test's ``uid`` so tests can run in parallel.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from azguest.azure import AzureSession

LOCATION = "eastus"
PREMIUM_SIZE = "Standard_D4s_v5"  # Dsv5: PremiumIO, 4 vCPUs, family standardDSv5Family
NON_PREMIUM_SIZE = "Standard_D4_v3"  # Dv3: no PremiumIO
IMAGE = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2022-datacenter-azure-edition",
    "version": "latest",
}
TEST_PASSWORD = "Test-Only-Pa55w0rd!"  # not a secret: emulator only


def code_of(excinfo: pytest.ExceptionInfo[HttpResponseError]) -> str | None:
    """The ARM error code the SDK parsed (never the message text)."""
    return excinfo.value.error.code if excinfo.value.error else None


class Lab:
    """Resource builders bound to one session and one unique suffix."""

    def __init__(self, session: AzureSession, uid: str) -> None:
        self.s = session
        self.uid = uid
        self._n = itertools.count(1)
        self._subnets: dict[str, str] = {}

    @property
    def sub(self) -> str:
        return self.s.subscription_id

    def name(self, kind: str) -> str:
        return f"{kind}-{self.uid}-{next(self._n)}"

    def rid(self, rg: str, provider_type: str, name: str) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{rg}/providers/{provider_type}/{name}"

    # -- resource groups, network -----------------------------------------------------------------

    def rg(self, name: str | None = None, tags: dict[str, str] | None = None) -> str:
        name = name or self.name("rg")
        self.s.resource.resource_groups.create_or_update(name, {"location": LOCATION, "tags": tags or {}})
        return name

    def vnet(self, rg: str, name: str | None = None, subnets: dict[str, str] | None = None) -> Any:
        subnets = subnets or {"default": "10.0.0.0/24"}
        body = {
            "location": LOCATION,
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets.items()],
            },
        }
        return self.s.network.virtual_networks.begin_create_or_update(rg, name or self.name("vnet"), body).result()

    def subnet_id(self, rg: str) -> str:
        """The ``default`` subnet of one VNet per resource group (created on first use)."""
        if rg not in self._subnets:
            vnet = self.vnet(rg)
            self._subnets[rg] = vnet.subnets[0].id
        return self._subnets[rg]

    def nic(self, rg: str, name: str | None = None, ip: str | None = None, subnet_id: str | None = None) -> Any:
        ipconf: dict[str, Any] = {"subnet": {"id": subnet_id or self.subnet_id(rg)}}
        ipconf["privateIPAllocationMethod"] = "Static" if ip else "Dynamic"
        if ip:
            ipconf["privateIPAddress"] = ip
        body = {
            "location": LOCATION,
            "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": ipconf}]},
        }
        return self.s.network.network_interfaces.begin_create_or_update(rg, name or self.name("nic"), body).result()

    # -- compute ----------------------------------------------------------------------------------

    def disk(
        self,
        rg: str,
        name: str | None = None,
        *,
        sku: str = "Premium_LRS",
        size_gb: int | None = 256,
        max_shares: int | None = None,
        create_option: str = "Empty",
        source_id: str | None = None,
    ) -> Any:
        creation: dict[str, Any] = {"createOption": create_option}
        if source_id:
            creation["sourceResourceId"] = source_id
        props: dict[str, Any] = {"creationData": creation}
        if size_gb is not None:
            props["diskSizeGB"] = size_gb
        if max_shares is not None:
            props["maxShares"] = max_shares
        body = {"location": LOCATION, "sku": {"name": sku}, "properties": props}
        return self.s.compute.disks.begin_create_or_update(rg, name or self.name("disk"), body).result()

    def avset(self, rg: str, name: str | None = None, *, fault_domains: int = 2, update_domains: int = 5) -> Any:
        body = {
            "location": LOCATION,
            "sku": {"name": "Aligned"},
            "properties": {
                "platformFaultDomainCount": fault_domains,
                "platformUpdateDomainCount": update_domains,
            },
        }
        return self.s.compute.availability_sets.create_or_update(rg, name or self.name("avset"), body)

    def vm_body(
        self,
        nic_id: str,
        *,
        size: str = PREMIUM_SIZE,
        os_sku: str = "Premium_LRS",
        data_disks: Sequence[tuple[str, int, str]] = (),  # (disk id, lun, caching)
        avset_id: str | None = None,
        name: str = "vm",
    ) -> dict[str, Any]:
        props: dict[str, Any] = {
            "hardwareProfile": {"vmSize": size},
            "storageProfile": {
                "imageReference": IMAGE,
                "osDisk": {
                    "name": f"{name}-os",
                    "createOption": "FromImage",
                    "caching": "ReadWrite",
                    "managedDisk": {"storageAccountType": os_sku},
                },
                "dataDisks": [
                    {"lun": lun, "createOption": "Attach", "caching": caching, "managedDisk": {"id": disk_id}}
                    for disk_id, lun, caching in data_disks
                ],
            },
            "osProfile": {
                "computerName": name[:15],
                "adminUsername": "azguest",
                "adminPassword": TEST_PASSWORD,
            },
            "networkProfile": {"networkInterfaces": [{"id": nic_id, "properties": {"primary": True}}]},
        }
        if avset_id:
            props["availabilitySet"] = {"id": avset_id}
        return {"location": LOCATION, "properties": props}

    def vm(self, rg: str, name: str | None = None, *, nic_id: str | None = None, **kw: Any) -> Any:
        name = name or self.name("vm")
        nic_id = nic_id or self.nic(rg, name=f"{name}-nic").id
        body = self.vm_body(nic_id, name=name, **kw)
        return self.s.compute.virtual_machines.begin_create_or_update(rg, name, body).result()

    def power_state(self, rg: str, vm: str) -> str | None:
        view = self.s.compute.virtual_machines.instance_view(rg, vm)
        codes = [st.code for st in (view.statuses or []) if st.code and st.code.startswith("PowerState/")]
        return codes[0] if codes else None
