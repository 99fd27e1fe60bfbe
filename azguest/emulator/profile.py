"""Emulator profiles: latency (per-operation durations and a time scale), throttling and faults.

A profile is data (frozen dataclasses) built from a built-in name or a JSON/YAML file;
``AZGUEST_EMULATOR_PROFILE`` (a name or a path) selects one. Built-in profiles:

- ``fast`` (``DEFAULT_PROFILE``: ``deploy --emulator``, ``emulator serve`` and the tests): every
  operation completes at once (time scale 0, Succeeded at the first poll); throttling on, with the exact wait
  in milliseconds (``x-ms-retry-after-ms``) instead of whole-second ``Retry-After``.
- ``bench``: Azure's durations at 1/100 (a 90 s VM create takes 0.9 s), throttling budgets on the same clock.
- ``realistic``: Azure-like latencies (time scale 1): a first lab deploy takes minutes.

Durations are Azure seconds; the time scale multiplies them (0 = immediate, 1 = like Azure).
Throttling is in real time unless ``Throttling.time_scaled``. An in-memory engine's clocks also move
when in-process clients sleep (``Engine.advance``). Sources for the throttling figures:
azguest.catalog.limits (ARM token buckets, Microsoft.Compute per-VM policies; each cites its page).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azguest.errors import ConfigError

ENV_PROFILE = "AZGUEST_EMULATOR_PROFILE"
GUEST_MODELS = ("windows-model", "none")  # see azguest.emulator.guest
DEFAULT_PROFILE = "fast"  # when AZGUEST_EMULATOR_PROFILE is unset; "realistic" for Azure-like latencies
BUILTIN_SCALES = {"fast": 0.0, "bench": 0.01, "realistic": 1.0}  # name -> Latency.time_scale

# Azure seconds per operation, keyed "<last type segment>.<operation>" (lower case).
DEFAULT_DURATIONS: dict[str, float] = {
    "default": 2.0,
    "resourcegroups.delete": 10.0,
    "virtualmachines.create": 90.0,
    "virtualmachines.update": 30.0,
    "virtualmachines.delete": 60.0,
    "virtualmachines.deallocate": 60.0,
    "virtualmachines.poweroff": 20.0,
    "virtualmachines.start": 40.0,
    "virtualmachines.shareddiskstart": 10.0,  # window in which a 2nd VM sharing a disk cannot start (a model)
    "virtualmachines.restart": 40.0,
    "virtualmachines.runcommand": 25.0,
    "runcommands.create": 25.0,
    "disks.create": 3.0,
    "disks.update": 3.0,
    "disks.delete": 3.0,
    "snapshots.create": 5.0,
    "restorepoints.create": 60.0,
    "restorepoints.delete": 10.0,
    "networkinterfaces.create": 2.0,
    "virtualnetworks.create": 3.0,
    "networksecuritygroups.create": 2.0,
    "publicipaddresses.create": 2.0,
    "storageaccounts.create": 20.0,
}

# Guest steps (windows-model): Azure seconds a managed run command of each step takes, with the basis of the
# figure. Typical values, NOT documented by Microsoft (docs/emulator.md says so); "guest.failed" is a step
# that fails early, "guest.s2d-repair" the resync after a node that was lost comes back.
_RC_MIN = "the ~20 s minimum of any run command (azure-compute-docs run-command.md)"
GUEST_DURATIONS: dict[str, tuple[float, str]] = {
    "guest.dc-promote": (600.0, "typical AD DS install + Install-ADDSForest; AutomatedLab allows up to 60 min"),
    "guest.dc-dns": (120.0, "typical: waits for AD Web Services after the restart, then sets the forwarder"),
    "guest.dc-health": (30.0, _RC_MIN + " plus a few queries"),
    "guest.node-features": (300.0, "typical Install-WindowsFeature of Hyper-V + Failover-Clustering + tools"),
    "guest.s2d-node-settings": (25.0, _RC_MIN + " (one registry value)"),
    "guest.node-join": (60.0, "typical Add-Computer without restart"),
    "guest.iscsi-target": (180.0, "typical: target server feature, one fixed VHDX per LUN"),
    "guest.iscsi-initiator": (60.0, "typical: portal, persistent session, initialise LUNs"),
    "guest.shared-disk-init": (60.0, "typical: Initialize-Disk, New-Partition, Format-Volume per disk"),
    "guest.cluster-validate": (300.0, "typical Test-Cluster of 2-3 nodes"),
    "guest.cluster-create": (180.0, "typical New-Cluster with a distributed network name"),
    "guest.s2d-enable": (420.0, "Enable-ClusterS2D 'may take several minutes' (deploy-storage-spaces-direct.md)"),
    "guest.cluster-disks": (90.0, "typical Add-ClusterDisk + Add-ClusterSharedVolume"),
    "guest.witness-disk": (45.0, "typical Set-ClusterQuorum"),
    "guest.witness-cloud": (60.0, "typical Set-ClusterQuorum -CloudWitness (reaches Azure storage)"),
    "guest.workload-switch": (60.0, "typical New-VMSwitch + New-NetNat"),
    "guest.cluster-networks": (30.0, _RC_MIN),
    "guest.workloads": (240.0, "typical New-VM + Add-ClusterVirtualMachineRole for a few VMs"),
    "guest.cluster-health": (30.0, _RC_MIN + " plus a few queries"),
    "guest.cluster-stop": (90.0, "typical Stop-Cluster"),
    "guest.cluster-start": (120.0, "Start-Cluster 'give it a few minutes' (maintain-servers.md)"),
    "guest.workloads-stop": (90.0, "typical Stop-ClusterGroup (guest shutdown) per VM"),
    "guest.workloads-start": (90.0, "typical Start-ClusterGroup per VM"),
    "guest.backup-feature": (60.0, "typical Install-WindowsFeature Windows-Server-Backup (no restart)"),
    "guest.backup-wsb": (600.0, "typical Windows Server Backup of a lab's CSVs (tens of GB); depends on data"),
    "guest.failed": (20.0, _RC_MIN + ": a step refused early"),
    "guest.s2d-repair": (300.0, "S2D resync takes 'many minutes' (maintain-servers.md); depends on data written"),
}
DEFAULT_DURATIONS.update({k: v[0] for k, v in GUEST_DURATIONS.items()})


@dataclass(frozen=True)
class Bucket:
    burst: float  # bucket size (tokens)
    per_second: float  # refill rate


@dataclass(frozen=True)
class Latency:
    time_scale: float = 1.0  # multiplies every duration; 0 = immediate
    durations: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DURATIONS))
    min_in_progress_polls: int = 1  # polls that answer InProgress even when the time has passed
    poll_retry_after: int | None = None  # Retry-After (s) on LRO responses; None = not sent
    poll_hint: bool = True  # send retry-after-ms = time left, capped at poll_hint_cap_s scaled (ARM RPs hint too)
    poll_hint_cap_s: float = 10.0  # Azure seconds: the longest poll-again hint, like ARM's Retry-After values

    def seconds(self, arm_type: str, operation: str) -> float:
        last = arm_type.rsplit("/", 1)[-1].lower()
        d = self.durations
        base = d.get(f"{last}.{operation.lower()}", d.get(f"{last}.*", d.get("default", 2.0)))
        return float(base) * self.time_scale


def _arm_buckets() -> dict[str, Bucket]:
    """ARM's per-subscription buckets, read from the catalogue (azguest.catalog.limits)."""
    from azguest.catalog.limits import ARM_BUCKETS

    return {op.rstrip("s"): Bucket(b.burst, b.refill_per_s) for op, b in ARM_BUCKETS.items()}


def _vm_buckets() -> dict[str, Bucket]:
    """Microsoft.Compute's per-VM policies, read from the catalogue (azguest.catalog.limits)."""
    from azguest.catalog.limits import COMPUTE_VM_BUCKETS

    return {name: Bucket(b.burst, b.refill_per_s) for name, b in COMPUTE_VM_BUCKETS.items()}


@dataclass(frozen=True)
class Throttling:
    enabled: bool = True
    arm: dict[str, Bucket] = field(default_factory=_arm_buckets)  # per subscription: read/write/delete
    compute_vm: dict[str, Bucket] = field(default_factory=_vm_buckets)  # per VM, per policy
    retry_after_ms_header: bool = False  # 429s say x-ms-retry-after-ms (exact) instead of Retry-After (whole s)
    time_scaled: bool = False  # refill buckets in emulated time (time_scale), for compressed benchmarks


@dataclass(frozen=True)
class LroFailure:
    type: str  # ARM type, e.g. "Microsoft.Compute/virtualMachines" (case-insensitive)
    name: str = "*"  # fnmatch glob on the resource name
    operation: str = "create"  # create, update, delete, deallocate, start, runCommand, ... or "*"
    code: str = "AllocationFailed"
    message: str = "Allocation failed. Please try again later."
    times: int = 1  # how many matching operations fail (0 = always)


@dataclass(frozen=True)
class Faults:
    seed: int = 0
    transient_rate: float = 0.0  # share of requests answered 429/500/503 before any handling
    transient_statuses: tuple[int, ...] = (429, 500, 503)
    retry_after_ms: int = 10  # hint on injected faults: retry-after-ms, or Retry-After (s) on a 429 if >= 1000
    lro_failures: tuple[LroFailure, ...] = ()


@dataclass(frozen=True)
class Profile:
    name: str = "realistic"
    latency: Latency = field(default_factory=Latency)
    throttling: Throttling = field(default_factory=Throttling)
    faults: Faults = field(default_factory=Faults)
    guest: str = "windows-model"  # the guest model run commands run in: windows-model | none (emulator.guest)

    def replace(self, **changes: Any) -> Profile:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict[str, Any], name: str = "custom") -> Profile:
        return _from_dict(data, name)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_env(cls, default: str = DEFAULT_PROFILE) -> Profile:
        return load_profile(os.environ.get(ENV_PROFILE) or default)


def builtin(name: str) -> Profile:
    scale = BUILTIN_SCALES.get(name)
    if scale is None:
        raise ConfigError(f"unknown emulator profile {name!r}", hint="use fast, bench, realistic or a file path")
    # fast: wait exactly, not whole seconds; bench: buckets refill on the compressed clock too, else its polls
    # (100 per Azure 10 s) spend Compute's per-VM budgets a real lab keeps and guest steps wait on 429s
    throttling = Throttling(retry_after_ms_header=scale == 0.0, time_scaled=0.0 < scale < 1.0)
    # fast: an operation that is done answers Succeeded at the first poll (one round trip per LRO, as Azure's
    # quick operations do); the others keep one InProgress poll, so clients always see an operation in flight
    latency = Latency(time_scale=scale, min_in_progress_polls=0 if scale == 0.0 else 1)
    return Profile(name=name, latency=latency, throttling=throttling)


def default_profile() -> Profile:
    """The profile of an engine made without one: ``DEFAULT_PROFILE`` (``fast``)."""
    return builtin(DEFAULT_PROFILE)


def load_profile(name_or_path: str | Path) -> Profile:
    """A built-in profile by name, or a JSON/YAML profile file (keys as in ``Profile.to_dict``)."""
    text = str(name_or_path)
    if text in BUILTIN_SCALES:
        return builtin(text)
    path = Path(text)
    if not path.is_file():
        raise ConfigError(f"emulator profile {text!r} is neither a built-in name nor a file",
                          hint="use fast, bench, realistic or a JSON/YAML file")
    raw = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        from ruamel.yaml import YAML

        data = YAML(typ="safe").load(raw) or {}
    else:
        data = json.loads(raw)
    return _from_dict(data, data.get("name", path.stem))


def _from_dict(data: dict[str, Any], name: str) -> Profile:
    base = builtin(data["base"]) if data.get("base") else Profile(name=name)
    lat = data.get("latency") or {}
    durations = dict(base.latency.durations)
    durations.update({k.lower(): float(v) for k, v in (lat.get("durations") or {}).items()})
    latency = Latency(
        time_scale=float(lat.get("time_scale", lat.get("timeScale", base.latency.time_scale))),
        durations=durations,
        min_in_progress_polls=int(lat.get("min_in_progress_polls", base.latency.min_in_progress_polls)),
        poll_retry_after=lat.get("poll_retry_after", base.latency.poll_retry_after),
        poll_hint=bool(lat.get("poll_hint", base.latency.poll_hint)),
        poll_hint_cap_s=float(lat.get("poll_hint_cap_s", base.latency.poll_hint_cap_s)),
    )
    thr = data.get("throttling") or {}
    arm = dict(base.throttling.arm)
    arm.update({k: Bucket(**v) for k, v in (thr.get("arm") or {}).items()})
    vm = dict(base.throttling.compute_vm)
    vm.update({k: Bucket(**v) for k, v in (thr.get("compute_vm") or {}).items()})
    throttling = Throttling(enabled=bool(thr.get("enabled", True)), arm=arm, compute_vm=vm,
                            retry_after_ms_header=bool(thr.get("retry_after_ms_header",
                                                               base.throttling.retry_after_ms_header)),
                            time_scaled=bool(thr.get("time_scaled", base.throttling.time_scaled)))
    fl = data.get("faults") or {}
    faults = Faults(
        seed=int(fl.get("seed", 0)),
        transient_rate=float(fl.get("transient_rate", 0.0)),
        transient_statuses=tuple(fl.get("transient_statuses", (429, 500, 503))),
        retry_after_ms=int(fl.get("retry_after_ms", 10)),
        lro_failures=tuple(LroFailure(**f) for f in fl.get("lro_failures", ())),
    )
    guest = str(data.get("guest", base.guest))
    if guest not in GUEST_MODELS:
        raise ConfigError(f"unknown emulator guest model {guest!r}", hint=f"use one of {', '.join(GUEST_MODELS)}")
    return Profile(name=data.get("name", name), latency=latency, throttling=throttling, faults=faults, guest=guest)
