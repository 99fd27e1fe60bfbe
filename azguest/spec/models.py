"""The lab spec as frozen pydantic v2 models.

Attributes are snake_case; the YAML names (aliases) are the lab spec's (examples/,
azguest/spec/lab.schema.json). Models only check shapes, types and ranges. Azure's rules live in
``azguest.catalog`` and are applied by ``azguest.spec.checks`` with stable finding codes. Every
default is explicit here and shown by ``azguest validate --show-defaults``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    WithJsonSchema,
)

from azguest import naming

if TYPE_CHECKING:
    from azguest.storage import StorageLayout

API_VERSION = "azguest/v1"
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: object) -> timedelta | None:
    """"7d" / "12h" / "30m" / "2w" -> timedelta; "never" or None -> None."""
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        if value.strip().lower() == "never":
            return None
        m = _DURATION.match(value)
        if m and int(m.group(1)) > 0:
            return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    raise ValueError("expected a duration like 12h, 7d or 2w (or never)")


def format_duration(value: timedelta | None) -> str | None:
    if value is None:
        return None
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("w", 7 * 1440), ("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


Duration = Annotated[
    timedelta | None,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str | None),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^(\d+[mhdw]|never)$"}, {"type": "null"}]}),
]
Ip = Annotated[IPv4Address, PlainSerializer(str, return_type=str)]
Cidr = Annotated[IPv4Network, PlainSerializer(str, return_type=str)]
Name = Annotated[str, Field(min_length=1, max_length=128)]
Int = Annotated[int, Strict()]  # YAML `count: true` or `"2"` is a type error, never read as 1 or 2
SizeGB = Annotated[Int, Field(ge=1, le=65536)]
_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


def _clock_time(value: str) -> str:
    if not re.match(_CLOCK, value):
        raise ValueError("expected a time of day as HH:MM, 00:00-23:59 (e.g. 19:00)")
    return value


ClockTime = Annotated[str, AfterValidator(_clock_time), WithJsonSchema({"type": "string", "pattern": _CLOCK})]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)


# --- network -----------------------------------------------------------------------------------
class Subnet(_Model):
    name: Name
    prefix: Cidr


class Network(_Model):
    address_space: Cidr = Field(alias="addressSpace")
    subnets: tuple[Subnet, ...] = Field(min_length=1)
    allow_rdp_from: tuple[Cidr, ...] = Field(default=(), alias="allowRdpFrom")


# --- domain and admin --------------------------------------------------------------------------
class DomainController(_Model):
    name: Name = "dc01"
    size: Name = "Standard_D2s_v5"
    ip: Ip


class Domain(_Model):
    fqdn: Name
    netbios: Name | None = None  # default: the first label of fqdn, upper-cased
    controller: DomainController

    @property
    def netbios_name(self) -> str:
        return self.netbios or self.fqdn.split(".")[0].upper()


class KeyVaultRef(_Model):
    vault: Name
    secret: Name


class PasswordRef(_Model):
    from_env: Name | None = Field(default=None, alias="fromEnv")
    from_key_vault: KeyVaultRef | None = Field(default=None, alias="fromKeyVault")


class Admin(_Model):
    username: Name = "labadmin"
    password: PasswordRef | None = None  # None: prompt on a terminal


# --- cluster -----------------------------------------------------------------------------------
class Image(_Model):
    publisher: Name = "MicrosoftWindowsServer"
    offer: Name = "WindowsServer"
    sku: Name = "2022-datacenter-azure-edition"
    version: Name = "latest"

    @property
    def windows_server_version(self) -> int | None:
        """2016 / 2019 / 2022 / 2025 read from the sku, or None if it can't be read."""
        from azguest.catalog.rules import IMAGE_SKU_VERSION, WINDOWS_SERVER_VERSIONS

        m = IMAGE_SKU_VERSION.match(self.sku)
        year = int(m.group(1)) if m else None
        return year if year in WINDOWS_SERVER_VERSIONS else None


class Disk(_Model):
    sku: Name = "Premium_LRS"
    size_gb: SizeGB = Field(alias="sizeGB")


class OsDisk(_Model):
    sku: Name = "Premium_LRS"
    size_gb: SizeGB = Field(default=128, alias="sizeGB")


class Nodes(_Model):
    count: Int = Field(ge=1, le=64)
    name_prefix: Name = Field(default="hv", alias="namePrefix")
    size: Name
    security_type: Literal["Standard", "TrustedLaunch", "ConfidentialVM"] = Field(
        default="Standard", alias="securityType"
    )
    os_disk: OsDisk = Field(default_factory=OsDisk, alias="osDisk")

    def names(self) -> list[str]:
        """Computer names of the nodes: hv01, hv02, ..."""
        return [f"{self.name_prefix}{i:02d}" for i in range(1, self.count + 1)]


class AvailabilitySet(_Model):
    fault_domains: Int = Field(default=2, ge=1, le=3, alias="faultDomains")
    update_domains: Int = Field(default=5, ge=1, le=20, alias="updateDomains")


class Placement(_Model):
    availability_set: AvailabilitySet | None = Field(default=None, alias="availabilitySet")
    zones: tuple[Literal[1, 2, 3], ...] | None = Field(default=None, min_length=1)

    @property
    def kind(self) -> str:
        """"zones" or "availability-set" (the default when neither is given)."""
        return "zones" if self.zones else "availability-set"

    @property
    def effective_availability_set(self) -> AvailabilitySet | None:
        """The availability set to create: the given one, the default one, or None with zones."""
        return None if self.zones else (self.availability_set or AvailabilitySet())


class S2dSettings(_Model):
    disks_per_node: Int | None = Field(default=None, ge=0, le=64, alias="disksPerNode")
    disk: Disk | None = None
    disks: tuple[Disk, ...] | None = None  # explicit per-node list instead of disksPerNode x disk

    def node_disks(self) -> list[Disk]:
        """The data disks each node gets."""
        if self.disks is not None:
            return list(self.disks)
        return [self.disk] * (self.disks_per_node or 0) if self.disk else []


class SharedDisk(_Model):
    name: Name
    sku: Name = "Premium_LRS"
    size_gb: SizeGB = Field(alias="sizeGB")
    caching: Literal["None", "ReadOnly", "ReadWrite"] = "None"
    csv: bool = True  # becomes a cluster shared volume


class WitnessDisk(_Model):
    size_gb: SizeGB | None = Field(default=None, alias="sizeGB")  # a dedicated witness disk
    sku: Name = "Premium_LRS"
    disk: Name | None = None  # or one of shared-disk.disks (must not be a CSV)


class SharedDiskSettings(_Model):
    disks: tuple[SharedDisk, ...] = Field(min_length=1)
    witness_disk: WitnessDisk | None = Field(default=None, alias="witnessDisk")


class IscsiTarget(_Model):
    name: Name = "iscsi01"
    size: Name = "Standard_D4s_v5"
    ip: Ip | None = None
    disks: tuple[Disk, ...] = Field(min_length=1)


class IscsiSettings(_Model):
    target: IscsiTarget


class Storage(_Model):
    mode: Literal["s2d", "shared-disk", "iscsi"]
    s2d: S2dSettings | None = None
    shared_disk: SharedDiskSettings | None = Field(default=None, alias="shared-disk")
    iscsi: IscsiSettings | None = None


class Workload(_Model):
    name: Name
    vcpus: Int = Field(default=2, ge=1, le=240, alias="vCPUs")
    memory_mb: Int = Field(default=4096, ge=256, alias="memoryMB")
    disk_gb: Int = Field(default=40, ge=1, alias="diskGB")
    anti_affinity: Name | None = Field(default=None, alias="antiAffinity")


class WorkloadTotals(_Model):
    count: int
    vcpus: int
    memory_mb: int
    disk_gb: int


class Cluster(_Model):
    name: Name
    ip: Ip | None = None
    dnn: bool = False  # distributed network name instead of a cluster IP
    image: Image = Field(default_factory=Image)
    nodes: Nodes
    placement: Placement = Field(default_factory=lambda: Placement(availabilitySet=AvailabilitySet()))
    storage: Storage
    witness: Literal["cloud", "disk", "none"] = "cloud"
    witness_storage_account: Name | None = Field(default=None, alias="witnessStorageAccount")
    workloads: tuple[Workload, ...] = ()

    def workload_totals(self) -> WorkloadTotals:
        w = self.workloads
        return WorkloadTotals(count=len(w), vcpus=sum(x.vcpus for x in w),
                              memory_mb=sum(x.memory_mb for x in w), disk_gb=sum(x.disk_gb for x in w))

    def anti_affinity_classes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for w in self.workloads:
            if w.anti_affinity:
                out.setdefault(w.anti_affinity, []).append(w.name)
        return out


# --- backup, lifetime --------------------------------------------------------------------------
class Retention(_Model):
    keep_last: Int = Field(default=7, ge=0, le=500, alias="keepLast")
    keep_daily: Int = Field(default=7, ge=0, le=500, alias="keepDaily")
    keep_weekly: Int = Field(default=4, ge=0, le=500, alias="keepWeekly")


class Backup(_Model):
    mode: Literal["auto", "vm", "cold", "in-guest"] = "auto"
    consistency: Literal["application", "crash"] = "application"
    retention: Retention = Field(default_factory=Retention)


class AutoShutdown(_Model):
    time: ClockTime = "19:00"
    time_zone: Name = Field(default="UTC", alias="timeZone")


class Lifetime(_Model):
    auto_shutdown: AutoShutdown | None = Field(default=None, alias="autoShutdown")
    expires_after: Duration = Field(default=timedelta(days=7), alias="expiresAfter")


# --- the lab -----------------------------------------------------------------------------------
class Lab(_Model):
    api_version: Literal["azguest/v1"] = Field(default=API_VERSION, alias="apiVersion")
    kind: Literal["Lab"] = "Lab"
    name: Name
    purpose: Literal["lab", "training", "demo", "production"] = "lab"
    location: Name
    resource_group: Name | None = Field(default=None, alias="resourceGroup")
    subscription: Name | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    network: Network
    domain: Domain
    admin: Admin = Field(default_factory=Admin)
    cluster: Cluster
    backup: Backup = Field(default_factory=Backup)
    lifetime: Lifetime = Field(default_factory=Lifetime)

    @property
    def resource_group_name(self) -> str:
        return naming.resource_group_name(self.name, self.resource_group)

    @property
    def expires_after(self) -> timedelta | None:
        return self.lifetime.expires_after

    @property
    def witness_storage_account_name(self) -> str:
        """The cloud-witness storage account: explicit, or st<name><6 hex> (azguest.naming)."""
        return naming.witness_account_name(self.name, self.resource_group_name,
                                           self.cluster.witness_storage_account)

    def to_data(self) -> dict:
        """The normalized spec (YAML names, defaults filled in) as JSON-compatible data."""
        return self.model_dump(mode="json", by_alias=True)

    def spec_hash(self) -> str:
        """Short, stable sha256 of the normalized spec, shown by ``validate`` to identify a spec version.

        Not the ``azguest-spec`` tag: that one hashes each resource's own desired body (azguest.plan.model).
        """
        text = json.dumps(self.to_data(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def storage_layout(self) -> StorageLayout:
        """The disks and VMs the storage mode adds (azguest.storage)."""
        from azguest.storage import layout_of

        return layout_of(self)

    def computer_names(self) -> dict[str, str]:
        """Every Windows computer name in the lab -> its role."""
        out = {self.domain.controller.name: "domain-controller", self.cluster.name: "cluster"}
        out.update({n: "node" for n in self.cluster.nodes.names()})
        out.update({vm.computer: vm.kind for vm in self.storage_layout().vms})
        return out

    def static_ips(self) -> dict[str, IPv4Address]:
        """Static addresses the spec fixes: role -> IP."""
        out = {"domain-controller": self.domain.controller.ip}
        if self.cluster.ip:
            out["cluster"] = self.cluster.ip
        out.update({vm.kind: vm.ip for vm in self.storage_layout().vms if vm.ip})
        return out

    def addresses(self) -> dict[str, dict[str, IPv4Address]]:
        """The addresses azguest allocates: computer -> subnet -> IP (one allocator, naming.AddressPool).

        Nodes get fixed addresses so the cluster IP never collides with a DHCP lease (azguest policy): in
        every subnet, the first free hosts after Azure's reserved ones, node by node. Then each storage
        VM without a spec'd IP gets the first free host from .11 in its subnet. A full subnet leaves an
        entry out (the validator reports AZG-NET-SUBNET-ROOM).
        """
        pool = naming.AddressPool(self.static_ips().values())
        nodes = self.cluster.nodes.names()
        out: dict[str, dict[str, IPv4Address]] = {n: {} for n in nodes}
        for subnet in self.network.subnets:
            for node in nodes:
                ip = pool.take(subnet.prefix)
                if ip is not None:
                    out[node][subnet.name] = ip
        for vm in self.storage_layout().vms:
            if vm.ip is None:
                subnet = self.network.subnets[vm.subnet]
                ip = pool.take(subnet.prefix, naming.STORAGE_VM_FIRST_HOST)
                out[vm.computer] = {subnet.name: ip} if ip is not None else {}
        return out

    def node_ips(self) -> dict[str, dict[str, IPv4Address]]:
        """Static node addresses: node -> subnet -> IP (see :meth:`addresses`)."""
        addresses = self.addresses()
        return {n: addresses[n] for n in self.cluster.nodes.names()}
