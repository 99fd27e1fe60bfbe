"""Rules the lab-spec validator enforces, as data: rule codes, storage-mode rules, naming rules.

``RULES`` is the list of every finding code ``azguest validate`` can report, with its severity and
the source of the fact behind it. The storage-mode, naming, network and backup tables below are
read by ``azguest.spec.checks``; no check hard-codes a number or a list that lives here. Sources
are Microsoft pages as ``KEY path`` (keys in azguest/catalog/sources.py: ACD, AZD, SQL, WSD, VD,
SPEC); "azguest policy" marks a choice of this tool rather than an Azure fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"

_F11 = "ACD sizes/<series>.md"
_F12 = "VD enable-nested-virtualization.md"
_F21 = "AZD includes/virtual-machines-disks-shared-sizes.md"
_F22 = "ACD includes/virtual-machines-disks-shared-limitations.md"
_F23 = "SQL hadr-cluster-best-practices.md"
_F4 = "WSD storage/storage-spaces/storage-spaces-direct-in-vm.md"
_F4P = "SQL failover-cluster-instance-overview.md"
_F4Q = "SQL failover-cluster-instance-storage-spaces-direct-manually-configure.md"
_NAMES = "learn.microsoft.com azure-resource-manager/management/resource-name-rules"
_WIN = ("learn.microsoft.com troubleshoot/windows-server/identity/"
        "naming-conventions-for-computer-domain-site-ou")
_VNET = "learn.microsoft.com virtual-network/virtual-networks-faq (reserved addresses)"
_VMFAQ = "learn.microsoft.com virtual-machines/windows/faq (username and password requirements)"
_POLICY = "azguest policy"
_DESIGNS = ("ACD disks-shared.md (shared disks: SCSI persistent reservations, the SAN standard, so clustered "
            "applications move to Azure as they are); SQL failover-cluster-instance-overview.md (an FCI's shared "
            "storage on Azure VMs: shared disks, premium file shares, S2D; no Fibre Channel)")
_S2D_EDITION = ("WSD storage/storage-spaces/deploy-storage-spaces-direct.md (\"requires Windows Server Datacenter "
                "Edition\")")
_DNN = ("SQL failover-cluster-instance-overview.md (2024-06-18: a DNN, or a VNN with an Azure internal load "
        "balancer); WSD failover-clustering/create-failover-cluster.md (-ManagementPointNetworkType)")
_TIMEZONES = ("learn.microsoft.com windows-hardware/manufacture/desktop/default-time-zones; ids and IANA names: "
              "unicode-org/cldr common/supplemental/windowsZones.xml (azguest/catalog/timezones.py)")


@dataclass(frozen=True)
class Rule:
    code: str  # stable finding code, e.g. "AZG-S2D-NODES"
    severity: str  # "error" | "warning" | "info"
    field: str  # the spec field the rule is usually reported on
    summary: str  # one line: what the rule requires
    source: str  # where the fact comes from


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        # --- the document itself
        Rule("AZG-SPEC-FILE", ERROR, "", "The spec file must be readable UTF-8 text.", _POLICY),
        Rule("AZG-SPEC-YAML", ERROR, "", "The spec must be valid YAML (no duplicate keys).", _POLICY),
        Rule("AZG-SPEC-TOP", ERROR, "", "The top level must be a mapping (a Lab document).", _POLICY),
        Rule("AZG-SPEC-UNKNOWN-KEY", ERROR, "*", "Only known keys are allowed (did-you-mean offered).",
             _POLICY),
        Rule("AZG-SPEC-TYPE", ERROR, "*", "Each value must have the documented type.", _POLICY),
        Rule("AZG-SPEC-MISSING", ERROR, "*", "Required fields must be present.", _POLICY),
        Rule("AZG-SPEC-VALUE", ERROR, "*", "Values must be in their documented range or set.", _POLICY),
        # --- compute
        Rule("AZG-NODES-MIN", ERROR, "cluster.nodes.count", "A failover cluster needs at least 2 nodes.",
             _F4),
        Rule("AZG-SIZE-NESTED", ERROR, "cluster.nodes.size",
             "Node sizes must support nested virtualization (Hyper-V inside the VM).", _F11),
        Rule("AZG-SIZE-PREMIUM", ERROR, "cluster.nodes.size",
             "Node sizes must support Premium storage (SCSI reservations, S2D), and so must any VM given "
             "Premium disks; the message names the Premium sibling (Standard_D8_v5 -> Standard_D8s_v5).",
             "ACD sizes/<series>.md (Feature support: Premium Storage); Dsv2: ACD dv2-dsv2-series-memory.md"),
        Rule("AZG-SIZE-UNKNOWN", WARNING, "cluster.nodes.size",
             "A size the catalogue does not know cannot be checked (override: --allow-unknown-size).",
             "SPEC Skus/stable/2021-07-01/examples/skus/ListAvailableResourceSkus.json: no capability reports "
             "nested support"),
        Rule("AZG-SIZE-NICS", ERROR, "network.subnets",
             "Each node gets one NIC per subnet; the size must allow that many NICs.", _F11),
        Rule("AZG-SIZE-DATADISKS", ERROR, "cluster.nodes.size",
             "The data disks attached to each node must fit the size's data-disk limit.", _F11),
        Rule("AZG-SECURITY-TYPE", ERROR, "cluster.nodes.securityType",
             "Hyper-V nodes need securityType Standard (not TrustedLaunch or ConfidentialVM).", _F12),
        Rule("AZG-IMAGE-AMD", ERROR, "cluster.image.sku",
             "AMD sizes need Windows Server 2022 or later for nested virtualization.", _F12),
        Rule("AZG-IMAGE-UNKNOWN", WARNING, "cluster.image.sku",
             "The Windows Server version is read from the image sku (2016/2019/2022/2025).", _POLICY),
        Rule("AZG-DISK-SKU", ERROR, "*", "Disk SKUs must be ones the catalogue knows.", _F22),
        Rule("AZG-OSDISK-SKU", ERROR, "cluster.nodes.osDisk.sku",
             "Ultra and Premium SSD v2 cannot be OS disks.", _F22),
        Rule("AZG-NESTED-PRODUCTION", WARNING, "purpose",
             "Microsoft: nested virtualization isn't suitable for Windows Server Failover Clustering "
             "in production.", "VD nested-virtualization.md (2025-06-10)"),
        # --- storage modes
        Rule("AZG-STORAGE-MODE", ERROR, "cluster.storage.mode",
             "The storage mode is s2d, shared-disk or iscsi. Virtual Fibre Channel does not exist on Azure VMs: "
             "shared disks replace Shared VHDX / VHD Set and vFC, iSCSI stays iSCSI (STORAGE_DESIGNS).",
             _DESIGNS),
        Rule("AZG-STORAGE-SETTINGS", ERROR, "cluster.storage",
             "The settings block of the chosen storage mode must be present.", _POLICY),
        Rule("AZG-STORAGE-OTHER-MODE", ERROR, "cluster.storage",
             "Settings of another storage mode are not allowed (they would be ignored).", _POLICY),
        Rule("AZG-S2D-NODES", ERROR, "cluster.nodes.count", "S2D in Azure VMs supports 2 or 3 nodes.", _F4),
        Rule("AZG-S2D-ZONES", ERROR, "cluster.placement.zones",
             "S2D works in availability sets only, not availability zones.", _F4P),
        Rule("AZG-S2D-DISKS", ERROR, "cluster.storage.s2d.disksPerNode",
             "S2D needs at least 2 data disks per node.", _F4),
        Rule("AZG-S2D-DISK-MIXED", ERROR, "cluster.storage.s2d.disks",
             "S2D disks must all have the same SKU and size.", _F4P),
        Rule("AZG-S2D-DISK-PREMIUM", ERROR, "cluster.storage.s2d.disk.sku",
             "S2D in Azure VMs requires Premium managed disks.", _F4),
        Rule("AZG-S2D-EDITION", ERROR, "cluster.image.sku",
             "Storage Spaces Direct requires Windows Server Datacenter edition: the node image sku must be a "
             "Datacenter one.", _S2D_EDITION),
        Rule("AZG-S2D-WITNESS", ERROR, "cluster.witness",
             "S2D needs a cloud witness (no disk witness).", _F4Q),
        Rule("AZG-SHARED-MAXSHARES", ERROR, "cluster.storage.shared-disk.disks",
             "A shared disk's maxShares (the node count) must not exceed its tier's limit.", _F21),
        Rule("AZG-SHARED-CACHING", ERROR, "cluster.storage.shared-disk.disks",
             "Shared disks support host caching None only.", _F22),
        Rule("AZG-SHARED-SKU", ERROR, "cluster.storage.shared-disk.disks",
             "Standard HDD cannot be shared.", _F22),
        Rule("AZG-SHARED-AVSET", ERROR, "cluster.storage.shared-disk.disks",
             "Ultra and Premium SSD v2 cannot attach to VMs in an availability set.", _F22),
        Rule("AZG-DISK-AVSET", ERROR, "cluster.storage.s2d.disk.sku",
             "Ultra and Premium SSD v2 data disks cannot attach to VMs in an availability set.", _F22),
        Rule("AZG-SHARED-ZONES", ERROR, "cluster.placement.zones",
             "Sharing a disk across zones needs a ZRS SKU (Ultra/PremV2 can't be shared across zones).",
             _F22),
        Rule("AZG-SHARED-WITNESS-CSV", ERROR,
             "cluster.storage.shared-disk.witnessDisk",
             "A cluster shared volume (CSV) cannot be the disk witness.", _F23),
        Rule("AZG-SHARED-WITNESS-REF", ERROR, "cluster.storage.shared-disk.witnessDisk.disk",
             "witnessDisk.disk must name a disk of shared-disk.disks.", _POLICY),
        Rule("AZG-DUP-DISK", ERROR, "cluster.storage.shared-disk.disks", "Disk names must be unique.",
             _POLICY),
        Rule("AZG-WITNESS-MODE", ERROR, "cluster.witness",
             "The witness type must be one the storage mode supports.", _F4Q),
        Rule("AZG-WITNESS-DISK", ERROR, "cluster.storage.shared-disk.witnessDisk",
             "witness: disk needs a witnessDisk, and a witnessDisk needs witness: disk.", _F23),
        Rule("AZG-WITNESS-REQUIRED", ERROR, "cluster.witness", "A 2-node cluster must have a witness.", _F4),
        Rule("AZG-ISCSI-ZONAL-DISK", WARNING, "cluster.storage.iscsi.target.disks",
             "Premium SSD v2 attaches only to zonal VMs in most AZ regions; the iSCSI target is not zonal.",
             "ACD includes/disks-prem-v2-limitations.md (2026-06-05)"),
        Rule("AZG-ISCSI-PREMIUM", ERROR, "cluster.storage.iscsi.target.size",
             "The iSCSI target size must support Premium storage for Premium disks.", _F11),
        Rule("AZG-PLACEMENT", ERROR, "cluster.placement",
             "Give either availabilitySet or zones, not both.", _POLICY),
        # --- names
        Rule("AZG-NAME-COMPUTER", ERROR, "*",
             "Windows computer names: 1-15 characters, letters/digits/hyphen, not all digits.", _WIN),
        Rule("AZG-NAME-LAB", ERROR, "name",
             "Lab names: 1-15 letters/digits/hyphen, start with a letter, end with a letter or digit.",
             _NAMES),
        Rule("AZG-NAME-RG", ERROR, "resourceGroup",
             "Resource group names: 1-90 of letters, digits, - _ . ( ), not ending with a period.", _NAMES),
        Rule("AZG-NAME-STORAGE", ERROR, "cluster.witnessStorageAccount",
             "Storage account names: 3-24 lowercase letters and digits, globally unique.", _NAMES),
        Rule("AZG-NAME-SUBNET", ERROR, "network.subnets",
             "Subnet names: 1-80 of letters, digits, _ . -, start alphanumeric, end alphanumeric or _.",
             _NAMES),
        Rule("AZG-NAME-DOMAIN", ERROR, "domain.fqdn",
             "The domain FQDN needs at least two DNS labels; NetBIOS names are 1-15 characters.", _WIN),
        Rule("AZG-NAME-DISK", ERROR, "cluster.storage.shared-disk.disks",
             "Disk resource names (<lab>-<disk>): 1-80 of letters, digits, _ . -, start alphanumeric, "
             "end alphanumeric or _.", _NAMES),
        Rule("AZG-NAME-NIC", ERROR, "network.subnets",
             "NIC resource names (<lab>-<computer>-nic-<subnet>) are at most 80 characters.", _NAMES),
        Rule("AZG-NAME-DUP", ERROR, "*", "Computer names must be unique in the lab.", _WIN),
        Rule("AZG-NAME-TAG", ERROR, "tags",
             "Tag names: at most 512 characters without < > % & \\ ? /; values at most 256; at most 45 "
             "tags (Azure's 50 less azguest's 5).", _NAMES),
        Rule("AZG-ADMIN-USERNAME", ERROR, "admin.username",
             "Azure refuses reserved admin user names and names over 20 characters.", _VMFAQ),
        # --- network
        Rule("AZG-NET-SUBNET-OUTSIDE", ERROR, "network.subnets", "Subnets must lie inside addressSpace.",
             _VNET),
        Rule("AZG-NET-SUBNET-OVERLAP", ERROR, "network.subnets", "Subnets must not overlap.", _VNET),
        Rule("AZG-NET-SUBNET-SIZE", ERROR, "network.subnets",
             "Azure subnets are /29 or larger (5 addresses are reserved).", _VNET),
        Rule("AZG-NET-IP-OUTSIDE", ERROR, "*",
             "Static IPs must lie inside a subnet; the domain controller's NIC is in the first subnet.",
             _VNET),
        Rule("AZG-NET-SUBNET-ROOM", ERROR, "network.subnets",
             "Each subnet needs a free address for every node (one NIC per subnet) after the static IPs.",
             _VNET),
        Rule("AZG-NET-IP-RESERVED", ERROR, "*",
             "Azure reserves the network address, .1, .2, .3 and the broadcast address of each subnet.",
             _VNET),
        Rule("AZG-NET-IP-DUP", ERROR, "*", "Static IPs must be unique.", _VNET),
        Rule("AZG-NET-CLUSTER-IP", ERROR, "cluster.ip",
             "The cluster IP must not collide with any other address; give ip or dnn: true.",
             "SQL hadr-cluster-best-practices.md (client access point: VNN static IP or DNN)"),
        Rule("AZG-CLUSTER-IP-OWNER", WARNING, "cluster.ip",
             "azguest names the cluster with a distributed network name (New-Cluster -ManagementPointNetworkType "
             "Distributed); a static cluster IP answers only on the node that owns it unless an internal load "
             "balancer is added, so cluster.ip is not used: give dnn: true.", _DNN),
        Rule("AZG-NET-SINGLE-SUBNET", WARNING, "network.subnets",
             "A single subnet gives the cluster a single network (no redundant heartbeat path).", _F23),
        Rule("AZG-NET-RDP-OPEN", ERROR, "network.allowRdpFrom",
             "allowRdpFrom ranges together may cover at most a /8 (16,777,216 addresses); wider is an error "
             "unless --allow-public-rdp (then a warning). Prefer Azure Bastion or just-in-time VM access.",
             _POLICY),
        # --- secrets
        Rule("AZG-SECRET-LITERAL", ERROR, "admin.password",
             "Passwords are references (fromEnv / fromKeyVault) or omitted (prompt), never literals.",
             _POLICY),
        Rule("AZG-SECRET-REF", ERROR, "admin.password", "Give exactly one of fromEnv or fromKeyVault.",
             _POLICY),
        Rule("AZG-SECRET-ENV-NAME", ERROR, "admin.password.fromEnv",
             "fromEnv names an environment variable ([A-Za-z_][A-Za-z0-9_]*); the value is never shown.",
             _POLICY),
        Rule("AZG-SECRET-ENV-PASSWORD", ERROR, "admin.password.fromEnv",
             "A fromEnv name in mixed case that passes Azure's password rules is taken for a pasted password "
             "(rename the variable, e.g. AZGUEST_ADMIN_PASSWORD).", _POLICY),
        Rule("AZG-SECRET-KV-NAME", ERROR, "admin.password.fromKeyVault",
             "Key Vault names: 3-24 letters, digits, hyphens (start with a letter, no '--'); secret names: "
             "1-127 letters, digits, hyphens. The value is never shown.", _NAMES),
        # --- workloads, backup, lifetime
        Rule("AZG-WORKLOAD-CAPACITY", ERROR, "cluster.workloads",
             "Workload memory must fit in the nodes with one node down (N-1).", _POLICY),
        Rule("AZG-WORKLOAD-FIT", ERROR, "cluster.workloads",
             "Each workload must fit on one node (memory and vCPUs).", _POLICY),
        Rule("AZG-WORKLOAD-ANTIAFFINITY", ERROR, "cluster.workloads",
             "An anti-affinity class cannot have more workloads than there are nodes.", _POLICY),
        Rule("AZG-BACKUP-MODE", ERROR, "backup.mode",
             "The backup mode must be one the storage mode supports.",
             "ACD concepts-restore-points.md (shared disks excluded); "
             "learn.microsoft.com/azure/backup/disk-backup-support-matrix; "
             "AZD site-recovery/azure-to-azure-how-to-enable-replication-s2d-vms.md"),
        Rule("AZG-LIFETIME", ERROR, "lifetime",
             "expiresAfter is <n>m/h/d/w or never; autoShutdown.time is HH:MM.", _POLICY),
        Rule("AZG-TIMEZONE", ERROR, "lifetime.autoShutdown.timeZone",
             "The auto-shutdown time zone must be a Windows time-zone id (W. Europe Standard Time, not "
             "Europe/Berlin); an IANA name gets its Windows id suggested.", _TIMEZONES),
    )
}


@dataclass(frozen=True)
class StorageModeRules:
    mode: str  # the value of cluster.storage.mode (also the YAML key of its settings block)
    min_nodes: int
    max_nodes: int | None  # None: bounded by other rules (maxShares) only
    node_code: str  # finding code when the node count is out of range
    zones: str  # "no" | "zrs-only" (shared disks across zones must be ZRS) | "yes"
    zones_code: str  # finding code when zones are refused or need ZRS
    witnesses: tuple[str, ...]  # allowed values of cluster.witness
    witness_code: str  # finding code for a witness the mode does not support
    min_disks_per_node: int  # S2D: local data disks per node
    premium_disks: bool  # the mode's data disks must be Premium
    uniform_disks: bool  # all data disks the same SKU and size
    backup_modes: tuple[str, ...]  # allowed values of backup.mode
    source: str


STORAGE_MODES: dict[str, StorageModeRules] = {
    m.mode: m
    for m in (
        StorageModeRules("s2d", 2, 3, "AZG-S2D-NODES", "no", "AZG-S2D-ZONES", ("cloud",), "AZG-S2D-WITNESS",
                         2, True, True,
                         ("auto", "in-guest"),
                         f"{_F4}; {_F4P}; {_F4Q}; backup in-guest only (§4: no host-level snapshots)"),
        StorageModeRules("shared-disk", 2, None, "AZG-NODES-MIN", "zrs-only", "AZG-SHARED-ZONES",
                         ("cloud", "disk", "none"), "AZG-WITNESS-MODE", 0, False, False,
                         ("auto", "vm", "cold", "in-guest"),
                         f"{_F21}; {_F22}; {_F23}; restore points exclude shared disks, snapshotted apart (§2.4)"),
        StorageModeRules("iscsi", 2, None, "AZG-NODES-MIN", "yes", "", ("cloud", "none"), "AZG-WITNESS-MODE",
                         0, False, False, ("auto", "vm", "cold", "in-guest"),
                         f"{_POLICY}: one iSCSI target VM serves the disks; §3.2 for vm backup"),
    )
}

# The seed article's four storage designs for a Hyper-V guest cluster, and what each becomes on Azure VMs
# (source: _DESIGNS). Keys are what a user may type as cluster.storage.mode; values (azguest mode, why).
STORAGE_DESIGNS: dict[str, tuple[str, str]] = {
    "vfc": ("shared-disk", "Virtual Fibre Channel does not exist on Azure VMs (no Fibre Channel adapter or SAN "
            "to present)"),
    "fibre-channel": ("shared-disk", "Fibre Channel does not exist on Azure VMs"),
    "shared-vhdx": ("shared-disk", "Shared VHDX is a Hyper-V host feature; Azure shared disks take its place"),
    "vhd-set": ("shared-disk", "a VHD Set is a Hyper-V host feature; Azure shared disks take its place"),
}
STORAGE_DESIGN_MAPPING = ("shared disks replace Shared VHDX / VHD Set and Virtual Fibre Channel; iSCSI stays iSCSI "
                          "(mode iscsi, a target VM); Storage Spaces Direct stays s2d")
DATACENTER_SKU = re.compile(r"datacenter", re.IGNORECASE)  # S2D needs a Datacenter image sku (_S2D_EDITION)

WITNESS_REQUIRED_AT_NODES = 2  # 2-node clusters must have a witness (WSD storage-spaces-direct-in-vm.md)
SECURITY_TYPES_FOR_NESTED = ("Standard",)  # VD enable-nested-virtualization.md
AMD_MIN_WINDOWS_SERVER = 2022  # VD enable-nested-virtualization.md
WINDOWS_SERVER_VERSIONS = (2016, 2019, 2022, 2025)
IMAGE_SKU_VERSION = re.compile(r"^(20\d\d)-")  # "2022-datacenter-azure-edition" -> 2022
HOST_RESERVE_MB = 4096  # azguest policy: memory kept for the L1 Hyper-V host OS on each node
SUBNET_MIN_PREFIXLEN_MAX = 29  # Azure's smallest subnet is /29 (virtual-networks-faq)
AZURE_RESERVED_FIRST = 4  # network address, .1 gateway, .2 and .3 DNS (virtual-networks-faq)
AZURE_RESERVED_LAST = 1  # the broadcast address
RDP_OPEN_MAX_ADDRESSES = 2 ** 24  # azguest policy: allowRdpFrom may cover at most a /8 without --allow-public-rdp


@dataclass(frozen=True)
class NameRule:
    what: str  # what the name names
    pattern: re.Pattern[str]
    max_len: int
    code: str
    source: str


# subnets, disks, NICs: alphanumerics, underscores, periods, hyphens; start alphanumeric, end
# alphanumeric or underscore (resource-name-rules)
_ARM_NAME = re.compile(r"^[A-Za-z0-9]([\w.-]*\w)?$", re.ASCII)

NAME_RULES: dict[str, NameRule] = {
    "computer": NameRule("Windows computer name",
                         re.compile(r"^(?![0-9]+$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$"),
                         15, "AZG-NAME-COMPUTER", _WIN),
    "lab": NameRule("lab name", re.compile(r"^[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$"), 15, "AZG-NAME-LAB",
                    _NAMES),
    "resource_group": NameRule("resource group name", re.compile(r"^[-\w.()]*[-\w()]$"), 90, "AZG-NAME-RG",
                               _NAMES),
    "storage_account": NameRule("storage account name", re.compile(r"^[a-z0-9]{3,24}$"), 24,
                                "AZG-NAME-STORAGE", _NAMES),
    "subnet": NameRule("subnet name", _ARM_NAME, 80, "AZG-NAME-SUBNET", _NAMES),
    "netbios_domain": NameRule("NetBIOS domain name", re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$"), 15,
                               "AZG-NAME-DOMAIN", _WIN),
    "disk": NameRule("disk name", _ARM_NAME, 80, "AZG-NAME-DISK", _NAMES),
    "nic": NameRule("network interface name", _ARM_NAME, 80, "AZG-NAME-NIC", _NAMES),
    "dns_label": NameRule("DNS label", re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$"), 63,
                          "AZG-NAME-DOMAIN", _WIN),
}
TAG_NAME_FORBIDDEN = "<>%&\\?/"
TAG_NAME_MAX = 512
TAG_VALUE_MAX = 256
TAG_COUNT_MAX = 50  # tags per resource (resource-name-rules / tag-resources)
AZGUEST_TAG_COUNT = 5  # azguest-lab, -role, -spec, -expires, -created (azguest.plan.model)
ADMIN_USERNAME_MAX = 20
RESERVED_ADMIN_USERNAMES = frozenset({
    "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123",
    "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner",
    "root", "server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5",
})
ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # fromEnv: a variable name, never a value
KEY_VAULT_NAME = re.compile(r"^(?!.*--)[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$")  # resource-name-rules
KEY_VAULT_SECRET_NAME = re.compile(r"^[A-Za-z0-9-]{1,127}$")  # resource-name-rules (vaults/secrets)
PASSWORD_MIN = 12  # Azure Windows VM admin password: 12-123 chars, 3 of 4 character classes
PASSWORD_MAX = 123
