"""The storage-mode registry: one module per mode registers one :class:`StorageMode`.

In the style of the emulator's handler registry (azguest.emulator.registry): a mode is a frozen
record of what it contributes, and callers look it up by the value of ``cluster.storage.mode``
instead of branching on it. Contributions:

- ``checks``: spec checks for its own settings block (run by azguest.spec.checks.storage);
- ``layout``: the disks and extra VMs it needs in Azure, as records with names from azguest.naming
  (rendered into ARM bodies by azguest.plan.desired, counted by the validator);
- ``guest_steps``: the guest configuration steps it adds (filled in by the guest-steps issue);
- ``backup``: per backup method, whether the mode supports it, with the reason and its source.

Layering: this package sits with azguest.spec, between its data modules (models, findings) and its
validator (checks). At run time it imports only azguest.catalog, azguest.naming and
azguest.spec.findings; spec.models is imported for type checking only. spec.checks, spec.models
(lazily) and plan import it; it never imports spec.checks, plan or anything above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Protocol

from azguest.catalog.rules import STORAGE_MODES, StorageModeRules

if TYPE_CHECKING:
    from azguest.spec.findings import Finding, Path
    from azguest.spec.models import Lab, Storage

BackupMethod = Literal["vm", "cold", "in-guest"]  # backup.mode values other than "auto"
BACKUP_METHODS: tuple[BackupMethod, ...] = ("vm", "cold", "in-guest")
Verdict = Literal["supported", "lab-only", "refused"]


@dataclass(frozen=True)
class BackupSupport:
    """Whether a storage mode supports a backup method, why, and the primary source that says so."""
    verdict: Verdict  # lab-only: works, but Microsoft does not support it; fine for a lab, never production
    reason: str
    source: str
    migration_refuses: bool = False  # a nested VM live-migrating refuses the backup even with --force


Reboot = Literal["never", "pending", "restart"]
ParamValues = Callable[["Lab", str], Mapping[str, str]]  # (lab, computer name) -> public parameter values


def _no_values(lab: Lab, computer: str) -> Mapping[str, str]:
    return {}


def _always(lab: Lab) -> bool:
    return True


@dataclass(frozen=True)
class GuestStep:
    """One guest configuration step: a script ``templates/guest/<id>.ps1`` run as a managed run command.

    The contract (docs/design.md, "Guest steps"): ``targets`` selects the VMs ("dc", "nodes", "first-node",
    or the ``kind`` of a :class:`PlannedVm`, e.g. "iscsi-target"); ``deps`` are step ids (the same VM's run
    when both steps have the same ``targets``, else every run of it; ids not in the lab's step set are ignored);
    ``reboot``: "never", "pending" (may report rebootRequired; the restart waits for the VM's restart
    step) or "restart" (azguest restarts the VM through ARM after it when a reboot is pending); ``params``
    and ``protected`` are the script's ``param()`` names, protected ones only ever in protectedParameters.
    """
    id: str  # the step id the script declares (the emulator's guest handlers dispatch on it)
    summary: str
    targets: str = "nodes"
    deps: tuple[str, ...] = ()
    reboot: Reboot = "never"
    timeout_s: int = 1800
    params: tuple[str, ...] = ()
    protected: tuple[str, ...] = ()  # names from azguest.guest.steps.PROTECTED, values filled in by azguest
    values: ParamValues = _no_values  # public values per VM (strings: Run Command parameters are strings)
    when: Callable[[Lab], bool] = _always  # whether the lab needs the step at all

    @property
    def script(self) -> str:
        """The script's path under the top-level templates folder."""
        return f"guest/{self.id}.ps1"


@dataclass(frozen=True)
class PlannedDisk:
    """A managed data disk the mode needs, attached by ``attach_to`` in LUN order."""
    name: str  # Azure disk name (azguest.naming)
    sku: str
    size_gb: int
    attach_to: tuple[str, ...]  # computer names; more than one makes it a shared disk (maxShares)
    role: str  # azguest-role tag
    given: tuple[Path, str] | None = None  # (spec field, the user's name) when the Azure name derives from it

    @property
    def max_shares(self) -> int:
        return len(self.attach_to)


@dataclass(frozen=True)
class PlannedVm:
    """A VM the mode adds besides the nodes (the iSCSI target), with one NIC in one subnet."""
    computer: str
    size: str
    role: str  # azguest-role tag
    kind: str  # its key in Lab.computer_names() / Lab.static_ips(), e.g. "iscsi-target"
    title: str  # what messages call it, e.g. "iSCSI target"
    path: Path  # its block in the spec, e.g. ("cluster", "storage", "iscsi", "target")
    subnet: int  # index into network.subnets
    ip: IPv4Address | None  # fixed in the spec, or None: allocated (azguest.naming.AddressPool)


@dataclass(frozen=True)
class StorageLayout:
    """What a storage mode adds to the lab in Azure, in creation order."""
    disks: tuple[PlannedDisk, ...] = ()
    vms: tuple[PlannedVm, ...] = ()

    def disks_of(self, computer: str) -> list[PlannedDisk]:
        return [d for d in self.disks if computer in d.attach_to]


class CheckContext(Protocol):
    """What a mode's checks read (azguest.spec.checks.Context satisfies it)."""
    @property
    def lab(self) -> Lab: ...
    @property
    def allow_unknown_size(self) -> bool: ...


ModeCheck = Callable[[CheckContext], Iterable["Finding"]]


@dataclass(frozen=True)
class StorageMode:
    name: str  # the value of cluster.storage.mode (also the YAML key of its settings block)
    settings_field: str  # the attribute of spec.models.Storage that holds its settings block
    checks: tuple[ModeCheck, ...]
    layout: Callable[[Lab], StorageLayout]  # must tolerate an invalid spec (missing settings -> empty)
    guest_steps: tuple[GuestStep, ...] = ()
    validation_tests: tuple[str, ...] = ("Inventory", "Network", "System Configuration")  # Test-Cluster -Include
    backup: Mapping[BackupMethod, BackupSupport] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "backup", MappingProxyType(dict(self.backup)))

    @property
    def rules(self) -> StorageModeRules:
        """Its row of the catalogue's storage-mode table (node range, zones, witnesses, ...)."""
        return STORAGE_MODES[self.name]

    def settings(self, storage: Storage) -> object | None:
        return getattr(storage, self.settings_field)


MODES: dict[str, StorageMode] = {}


def register(mode: StorageMode) -> StorageMode:
    if mode.name not in STORAGE_MODES:
        raise ValueError(f"storage mode {mode.name!r} has no row in azguest.catalog.rules.STORAGE_MODES")
    MODES[mode.name] = mode
    return mode


def mode_for(name: str) -> StorageMode:
    """The registered mode called ``name`` (the value of cluster.storage.mode)."""
    try:
        return MODES[name]
    except KeyError:
        raise KeyError(f"no storage mode {name!r}; known: {', '.join(MODES)}") from None


def layout_of(lab: Lab) -> StorageLayout:
    """The disks and VMs the lab's storage mode adds."""
    return mode_for(lab.cluster.storage.mode).layout(lab)
