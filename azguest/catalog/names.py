"""ARM naming and request limits as data: name lengths per resource type, tag limits, body cap.

Sources (primary):
- NAMES: "Naming rules and restrictions for Azure resources",
  https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
  (MicrosoftDocs/azure-docs articles/azure-resource-manager/management/resource-name-rules.md,
  revision of 2023-11-20). Types the page does not list fall back to ARM's generic resource-name
  limit of 260 characters (Azure/azure-resource-manager-rpc v1.0/resource-api-reference.md,
  "resourceName").
- TAGS: "Use tags to organize your Azure resources", section Limitations,
  https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations:
  50 tag pairs per resource, name <= 512 and value <= 256 characters (storage accounts: 128 / 256);
  tag names can't contain ``< > % & \\ ? /`` or control characters (also RPC resource-api-reference.md).
- REQUEST_BODY_MAX_BYTES: 4 MB, the template/request limit of "Resolve errors for job size exceeded",
  https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-job-size-exceeded.
  ARM does not document a separate raw PUT-body cap; the emulator applies this 4 MB to every body.

Only lengths are enforced here; the "valid characters" column is kept as text (storage account
names are also checked for their character set, by the storage handler).

Error codes: ``InvalidResourceName`` (generic ARM), ``AccountNameInvalid`` (Microsoft.Storage, see
error-storage-account-name) and ``InvalidTagNameCharacters`` are the codes Azure uses. The codes for an
over-long resource-group name, an over-long tag and too many tags, and for an over-size body, could
not be verified from a primary source: ``verified=False`` marks them.
"""

from __future__ import annotations

from dataclasses import dataclass

_NAMING = "learn.microsoft.com resource-name-rules (2023-11-20)"
_RPC = "azure-resource-manager-rpc v1.0/resource-api-reference.md (resourceName: max 260)"
_TAGS = "learn.microsoft.com tag-resources#limitations"
_JOB = "learn.microsoft.com troubleshooting/error-job-size-exceeded (4 MB)"


@dataclass(frozen=True)
class NameRule:
    arm_type: str
    min_len: int
    max_len: int
    chars: str  # the page's "valid characters" column, as text
    code: str  # ARM error code for a name outside the limits
    verified: bool  # the code was seen in a primary source
    source: str


_ALNUM_UPH = "Alphanumerics, underscores, periods, and hyphens; start alphanumeric; end alphanumeric or underscore"

NAMES: tuple[NameRule, ...] = (
    NameRule("Microsoft.Resources/resourceGroups", 1, 90,
             "Alphanumerics, underscores, parentheses, hyphens, periods, unicode letters; can't end with period",
             "InvalidResourceGroup", False, _NAMING),
    # The 1-15 (Windows) / 1-64 (Linux) row is the host (computer) name; the page's note: "The actual
    # resource name can have up to 64 characters." osProfile.computerName is checked by its handler.
    NameRule("Microsoft.Compute/virtualMachines", 1, 64, "See computer-name rules", "InvalidResourceName", True,
             _NAMING),
    NameRule("Microsoft.Compute/disks", 1, 80, "Alphanumerics, underscores, and hyphens", "InvalidResourceName",
             True, _NAMING),
    NameRule("Microsoft.Compute/snapshots", 1, 80, _ALNUM_UPH, "InvalidResourceName", True, _NAMING),
    NameRule("Microsoft.Compute/availabilitySets", 1, 80, _ALNUM_UPH, "InvalidResourceName", True, _NAMING),
    NameRule("Microsoft.Network/networkInterfaces", 1, 80, _ALNUM_UPH, "InvalidResourceName", True, _NAMING),
    NameRule("Microsoft.Network/networkSecurityGroups", 1, 80, _ALNUM_UPH, "InvalidResourceName", True, _NAMING),
    NameRule("Microsoft.Network/publicIPAddresses", 1, 80, _ALNUM_UPH, "InvalidResourceName", True, _NAMING),
    NameRule("Microsoft.Network/virtualNetworks", 2, 64, _ALNUM_UPH, "InvalidResourceName", True, _NAMING),
    NameRule("Microsoft.Network/virtualNetworks/subnets", 1, 80, _ALNUM_UPH, "InvalidResourceName", True,
             _NAMING),
    NameRule("Microsoft.Storage/storageAccounts", 3, 24, "Lowercase letters and numbers", "AccountNameInvalid",
             True, _NAMING),
    NameRule("Microsoft.Storage/storageAccounts/fileServices/shares", 3, 63,
             "Lowercase letters, numbers, and hyphens; no leading, trailing or consecutive hyphens",
             "InvalidResourceName", True, _NAMING),
)

GENERIC_NAME = NameRule("*", 1, 260, "Can't use < > % & : \\ ? / or control characters", "InvalidResourceName",
                        True, _RPC)

_BY_TYPE = {r.arm_type.lower(): r for r in NAMES}


def name_rule(arm_type: str) -> NameRule:
    """The naming rule of an ARM type (case-insensitive); ARM's generic rule when the page lists none."""
    return _BY_TYPE.get(arm_type.lower(), GENERIC_NAME)


@dataclass(frozen=True)
class TagLimits:
    max_tags: int = 50
    max_name: int = 512
    max_value: int = 256
    reserved_name_chars: str = "<>%&\\?/"
    source: str = _TAGS


TAGS = TagLimits()
STORAGE_TAGS = TagLimits(max_name=128)  # storage accounts: tag name <= 128 characters
TAG_CODES = {"count": ("InvalidTagCount", False), "name": ("InvalidTagNameLength", False),
             "value": ("InvalidTagValueLength", False), "chars": ("InvalidTagNameCharacters", True)}


def tag_limits(arm_type: str) -> TagLimits:
    return STORAGE_TAGS if arm_type.lower() == "microsoft.storage/storageaccounts" else TAGS


REQUEST_BODY_MAX_BYTES = 4 * 1024 * 1024  # _JOB
REQUEST_BODY_SOURCE = _JOB
# JSON nesting depth the emulator accepts in a body: an emulator safeguard, not an Azure figure (no
# ARM body nests deeper than ~12; deep nesting is how a parser is attacked).
MAX_JSON_DEPTH = 64
