"""Status-code walker: every SDK operation azguest uses, once, in dependency order.

The generated SDK code accepts only the exact status codes ARM documents for each operation; any
other code raises ``HttpResponseError`` even for a 2xx ("Operation returned an invalid status").
So a wrong code in the emulator fails here loudly, operation by operation. Add a row to OPERATIONS
whenever azguest starts using another SDK operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from tests.emulator.lab import LOCATION, Lab

SCHEDULE_API = "2018-09-15"


@dataclass
class W:
    """The walk's world: names created by earlier rows."""

    lab: Lab
    rg: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def n(self, key: str) -> str:
        return self.names.setdefault(key, self.lab.name(key))


def _vm_body(w: W) -> dict:
    return w.lab.vm_body(w.ids["nic"], name=w.n("vm"), data_disks=[(w.ids["disk"], 0, "None")], avset_id=w.ids["avset"])


def _rg_create(w: W) -> None:
    w.rg = w.n("rg")
    w.lab.s.resource.resource_groups.create_or_update(w.rg, {"location": LOCATION, "tags": {"azguest-lab": "walk"}})


def _vnet_create(w: W) -> None:
    vnet = w.lab.vnet(w.rg, w.n("vnet"))
    w.ids["subnet"] = vnet.subnets[0].id


def _nsg_create(w: W) -> None:
    body = {"location": LOCATION, "properties": {"securityRules": []}}
    w.lab.s.network.network_security_groups.begin_create_or_update(w.rg, w.n("nsg"), body).result()


def _pip_create(w: W) -> None:
    body = {"location": LOCATION, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}
    w.lab.s.network.public_ip_addresses.begin_create_or_update(w.rg, w.n("pip"), body).result()


def _account_create(w: W) -> None:
    w.names["sa"] = f"walk{w.lab.uid}"
    body = {"location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
            "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2"}}  # fmt: skip
    w.lab.s.storage.storage_accounts.begin_create(w.rg, w.names["sa"], body).result()


def _snapshot_create(w: W) -> None:
    body = {"location": LOCATION, "properties": {"incremental": True,
            "creationData": {"createOption": "Copy", "sourceResourceId": w.ids["disk"]}}}  # fmt: skip
    w.lab.s.compute.snapshots.begin_create_or_update(w.rg, w.n("snap"), body).result()


def _run_command_create(w: W) -> None:
    body = {"location": LOCATION, "properties": {"source": {"script": "Write-Output hi"}, "asyncExecution": False}}
    w.lab.s.compute.virtual_machine_run_commands.begin_create_or_update(w.rg, w.n("vm"), w.n("rc"), body).result()


def _schedule_id(w: W) -> str:
    return w.lab.rid(w.rg, "Microsoft.DevTestLab/schedules", f"shutdown-computevm-{w.n('vm')}")


def _schedule_body(w: W) -> dict:
    props = {"status": "Enabled", "taskType": "ComputeVmShutdownTask", "dailyRecurrence": {"time": "1900"},
             "timeZoneId": "UTC", "targetResourceId": w.ids["vm"]}  # fmt: skip
    return {"location": LOCATION, "properties": props}


def _rp_drps(w: W) -> list:
    c = w.lab.s.compute
    return list(c.disk_restore_point.list_by_restore_point(w.rg, w.n("rpc"), w.n("rp")))


Op = Callable[[W], Any]
# (client.operations_group.method, call) in dependency order.
OPERATIONS: list[tuple[str, Op]] = [
    ("resource.resource_groups.create_or_update", _rg_create),
    ("resource.resource_groups.get", lambda w: w.lab.s.resource.resource_groups.get(w.rg)),
    ("resource.resource_groups.check_existence", lambda w: w.lab.s.resource.resource_groups.check_existence(w.rg)),
    (
        "resource.resource_groups.list",
        lambda w: list(w.lab.s.resource.resource_groups.list(filter="tagName eq 'azguest-lab'")),
    ),  # noqa: E501
    (
        "compute.resource_skus.list",
        lambda w: list(w.lab.s.compute.resource_skus.list(filter=f"location eq '{LOCATION}'")),
    ),  # noqa: E501
    ("compute.usage.list", lambda w: list(w.lab.s.compute.usage.list(LOCATION))),
    ("network.virtual_networks.begin_create_or_update", _vnet_create),
    ("network.virtual_networks.get", lambda w: w.lab.s.network.virtual_networks.get(w.rg, w.n("vnet"))),
    ("network.virtual_networks.list", lambda w: list(w.lab.s.network.virtual_networks.list(w.rg))),
    ("network.subnets.get", lambda w: w.lab.s.network.subnets.get(w.rg, w.n("vnet"), "default")),
    ("network.network_security_groups.begin_create_or_update", _nsg_create),
    ("network.network_security_groups.get", lambda w: w.lab.s.network.network_security_groups.get(w.rg, w.n("nsg"))),
    ("network.network_security_groups.list", lambda w: list(w.lab.s.network.network_security_groups.list(w.rg))),
    ("network.public_ip_addresses.begin_create_or_update", _pip_create),
    ("network.public_ip_addresses.get", lambda w: w.lab.s.network.public_ip_addresses.get(w.rg, w.n("pip"))),
    ("network.public_ip_addresses.list", lambda w: list(w.lab.s.network.public_ip_addresses.list(w.rg))),
    (
        "network.network_interfaces.begin_create_or_update",
        lambda w: w.ids.setdefault("nic", w.lab.nic(w.rg, w.n("nic"), ip="10.0.0.10", subnet_id=w.ids["subnet"]).id),
    ),
    ("network.network_interfaces.get", lambda w: w.lab.s.network.network_interfaces.get(w.rg, w.n("nic"))),
    ("network.network_interfaces.list", lambda w: list(w.lab.s.network.network_interfaces.list(w.rg))),
    (
        "compute.availability_sets.create_or_update",
        lambda w: w.ids.setdefault("avset", w.lab.avset(w.rg, w.n("avset")).id),
    ),
    ("compute.availability_sets.get", lambda w: w.lab.s.compute.availability_sets.get(w.rg, w.n("avset"))),
    ("compute.availability_sets.list", lambda w: list(w.lab.s.compute.availability_sets.list(w.rg))),
    (
        "compute.disks.begin_create_or_update",
        lambda w: w.ids.setdefault("disk", w.lab.disk(w.rg, w.n("disk"), size_gb=1024, max_shares=2).id),
    ),
    ("compute.disks.get", lambda w: w.lab.s.compute.disks.get(w.rg, w.n("disk"))),
    ("compute.disks.list_by_resource_group", lambda w: list(w.lab.s.compute.disks.list_by_resource_group(w.rg))),
    (
        "compute.disks.begin_update",
        lambda w: w.lab.s.compute.disks.begin_update(w.rg, w.n("disk"), {"tags": {"a": "b"}}).result(),
    ),
    (
        "compute.virtual_machines.begin_create_or_update",
        lambda w: w.ids.setdefault(
            "vm", w.lab.s.compute.virtual_machines.begin_create_or_update(w.rg, w.n("vm"), _vm_body(w)).result().id
        ),
    ),  # fmt: skip
    ("compute.virtual_machines.get", lambda w: w.lab.s.compute.virtual_machines.get(w.rg, w.n("vm"))),
    ("compute.virtual_machines.list", lambda w: list(w.lab.s.compute.virtual_machines.list(w.rg))),
    (
        "compute.virtual_machines.instance_view",
        lambda w: w.lab.s.compute.virtual_machines.instance_view(w.rg, w.n("vm")),
    ),  # noqa: E501
    (
        "compute.virtual_machines.begin_run_command",
        lambda w: w.lab.s.compute.virtual_machines.begin_run_command(
            w.rg, w.n("vm"), {"commandId": "RunPowerShellScript", "script": ["hostname"]}
        ).result(),
    ),  # fmt: skip
    ("compute.virtual_machine_run_commands.begin_create_or_update", _run_command_create),
    (
        "compute.virtual_machine_run_commands.get_by_virtual_machine",
        lambda w: w.lab.s.compute.virtual_machine_run_commands.get_by_virtual_machine(
            w.rg, w.n("vm"), w.n("rc"), expand="instanceView"
        ),
    ),  # fmt: skip
    (
        "compute.virtual_machine_run_commands.list_by_virtual_machine",
        lambda w: list(w.lab.s.compute.virtual_machine_run_commands.list_by_virtual_machine(w.rg, w.n("vm"))),
    ),
    (
        "compute.virtual_machine_run_commands.begin_delete",
        lambda w: w.lab.s.compute.virtual_machine_run_commands.begin_delete(w.rg, w.n("vm"), w.n("rc")).result(),
    ),
    ("compute.snapshots.begin_create_or_update", _snapshot_create),
    ("compute.snapshots.get", lambda w: w.lab.s.compute.snapshots.get(w.rg, w.n("snap"))),
    (
        "compute.snapshots.list_by_resource_group",
        lambda w: list(w.lab.s.compute.snapshots.list_by_resource_group(w.rg)),
    ),  # noqa: E501
    (
        "compute.restore_point_collections.create_or_update",
        lambda w: w.lab.s.compute.restore_point_collections.create_or_update(
            w.rg, w.n("rpc"), {"location": LOCATION, "properties": {"source": {"id": w.ids["vm"]}}}
        ),
    ),  # fmt: skip
    (
        "compute.restore_point_collections.get",
        lambda w: w.lab.s.compute.restore_point_collections.get(w.rg, w.n("rpc"), expand="restorePoints"),
    ),
    ("compute.restore_point_collections.list", lambda w: list(w.lab.s.compute.restore_point_collections.list(w.rg))),
    (
        "compute.restore_points.begin_create",
        lambda w: w.lab.s.compute.restore_points.begin_create(
            w.rg, w.n("rpc"), w.n("rp"), {"properties": {"excludeDisks": [{"id": w.ids["disk"]}]}}
        ).result(),
    ),  # fmt: skip
    ("compute.restore_points.get", lambda w: w.lab.s.compute.restore_points.get(w.rg, w.n("rpc"), w.n("rp"))),
    ("compute.disk_restore_point.list_by_restore_point", _rp_drps),
    (
        "compute.disk_restore_point.get",
        lambda w: w.lab.s.compute.disk_restore_point.get(w.rg, w.n("rpc"), w.n("rp"), _rp_drps(w)[0].name),
    ),
    ("storage.storage_accounts.begin_create", _account_create),
    (
        "storage.storage_accounts.get_properties",
        lambda w: w.lab.s.storage.storage_accounts.get_properties(w.rg, w.names["sa"]),
    ),
    (
        "storage.storage_accounts.list_by_resource_group",
        lambda w: list(w.lab.s.storage.storage_accounts.list_by_resource_group(w.rg)),
    ),
    ("storage.storage_accounts.list_keys", lambda w: w.lab.s.storage.storage_accounts.list_keys(w.rg, w.names["sa"])),
    (
        "storage.file_shares.create",
        lambda w: w.lab.s.storage.file_shares.create(w.rg, w.names["sa"], "witness", {"properties": {"shareQuota": 1}}),
    ),
    ("storage.file_shares.get", lambda w: w.lab.s.storage.file_shares.get(w.rg, w.names["sa"], "witness")),
    (
        "resource.resources.begin_create_or_update_by_id",
        lambda w: w.lab.s.resource.resources.begin_create_or_update_by_id(
            _schedule_id(w), _schedule_body(w), api_version=SCHEDULE_API
        ).result(),
    ),  # fmt: skip
    (
        "resource.resources.get_by_id",
        lambda w: w.lab.s.resource.resources.get_by_id(_schedule_id(w), api_version=SCHEDULE_API),
    ),
    (
        "resource.resources.list_by_resource_group",
        lambda w: list(w.lab.s.resource.resources.list_by_resource_group(w.rg)),
    ),  # noqa: E501
    ("resource.resources.list", lambda w: list(w.lab.s.resource.resources.list(filter="tagName eq 'azguest-lab'"))),
    (
        "resource.resources.begin_delete_by_id",
        lambda w: w.lab.s.resource.resources.begin_delete_by_id(_schedule_id(w), api_version=SCHEDULE_API).result(),
    ),
    (
        "compute.virtual_machines.begin_power_off",
        lambda w: w.lab.s.compute.virtual_machines.begin_power_off(w.rg, w.n("vm")).result(),
    ),  # noqa: E501
    (
        "compute.virtual_machines.begin_start",
        lambda w: w.lab.s.compute.virtual_machines.begin_start(w.rg, w.n("vm")).result(),
    ),  # noqa: E501
    (
        "compute.virtual_machines.begin_restart",
        lambda w: w.lab.s.compute.virtual_machines.begin_restart(w.rg, w.n("vm")).result(),
    ),  # noqa: E501
    (
        "compute.virtual_machines.begin_deallocate",
        lambda w: w.lab.s.compute.virtual_machines.begin_deallocate(w.rg, w.n("vm")).result(),
    ),  # noqa: E501
    (
        "compute.restore_points.begin_delete",
        lambda w: w.lab.s.compute.restore_points.begin_delete(w.rg, w.n("rpc"), w.n("rp")).result(),
    ),
    (
        "compute.restore_point_collections.begin_delete",
        lambda w: w.lab.s.compute.restore_point_collections.begin_delete(w.rg, w.n("rpc")).result(),
    ),
    ("compute.snapshots.begin_delete", lambda w: w.lab.s.compute.snapshots.begin_delete(w.rg, w.n("snap")).result()),
    (
        "compute.virtual_machines.begin_delete",
        lambda w: w.lab.s.compute.virtual_machines.begin_delete(w.rg, w.n("vm")).result(),
    ),  # noqa: E501
    ("compute.disks.begin_delete", lambda w: w.lab.s.compute.disks.begin_delete(w.rg, w.n("disk")).result()),
    ("compute.availability_sets.delete", lambda w: w.lab.s.compute.availability_sets.delete(w.rg, w.n("avset"))),
    ("storage.file_shares.delete", lambda w: w.lab.s.storage.file_shares.delete(w.rg, w.names["sa"], "witness")),
    ("storage.storage_accounts.delete", lambda w: w.lab.s.storage.storage_accounts.delete(w.rg, w.names["sa"])),
    (
        "network.network_interfaces.begin_delete",
        lambda w: w.lab.s.network.network_interfaces.begin_delete(w.rg, w.n("nic")).result(),
    ),
    (
        "network.public_ip_addresses.begin_delete",
        lambda w: w.lab.s.network.public_ip_addresses.begin_delete(w.rg, w.n("pip")).result(),
    ),
    (
        "network.network_security_groups.begin_delete",
        lambda w: w.lab.s.network.network_security_groups.begin_delete(w.rg, w.n("nsg")).result(),
    ),
    (
        "network.virtual_networks.begin_delete",
        lambda w: w.lab.s.network.virtual_networks.begin_delete(w.rg, w.n("vnet")).result(),
    ),
    ("resource.resource_groups.begin_delete", lambda w: w.lab.s.resource.resource_groups.begin_delete(w.rg).result()),
]


# Failure shapes (AZD error-messages.md, restore-point-troubleshooting.md; checked against the SDK):
# (label, call, expected ARM code). A
# "failed operation" case passes only if the SDK accepted the first response (no "invalid status") and the
# long-running operation then raised HttpResponseError with the code; its status is then the 200 of the
# Azure-AsyncOperation poll that reported ``Failed`` (as with Azure), not a 4xx.
def _fresh_vm_with(w: W, disk_id: str) -> None:
    name = w.lab.name("vm")
    body = w.lab.vm_body(w.lab.nic(w.rg, name=f"{name}-nic", subnet_id=w.ids["subnet"]).id, name=name,
                         data_disks=[(disk_id, 0, "None")])
    w.lab.s.compute.virtual_machines.begin_create_or_update(w.rg, name, body).result()


def _rp_of_vm_with_shared_disk(w: W) -> None:
    name = w.lab.name("rpc")
    w.lab.s.compute.restore_point_collections.create_or_update(
        w.rg, name, {"location": LOCATION, "properties": {"source": {"id": w.ids["vm"]}}})
    w.lab.s.compute.restore_points.begin_create(w.rg, name, "rp", {"properties": {}}).result()


FAILURES: list[tuple[str, Op, int, str]] = [
    ("disk over maxShares (failed operation)", lambda w: _fresh_vm_with(w, w.ids["owned"]), 200,
     "ConflictingUserInput"),
    ("restore point with a shared disk (failed creation)", _rp_of_vm_with_shared_disk, 200,
     "VMRestorePointClientError"),
    ("maxShares over the tier limit", lambda w: w.lab.disk(w.rg, size_gb=128, max_shares=4), 400, "BadRequest"),
    ("resize of an attached disk", lambda w: w.lab.s.compute.disks.begin_update(
        w.rg, w.n("disk"), {"properties": {"diskSizeGB": 2048}}).result(), 409, "Conflict"),
]


def test_status_walker__failure_shapes_carry_the_arm_code(lab: Lab):
    w = W(lab)
    for _label, op in OPERATIONS[: [x for x, _ in OPERATIONS].index("compute.virtual_machines.get")]:
        op(w)  # the walk up to a running VM in an availability set with a shared disk
    w.ids["owned"] = lab.disk(w.rg, size_gb=128).id
    _fresh_vm_with(w, w.ids["owned"])
    got = {}
    for label, op, _status, _code in FAILURES:
        try:
            op(w)
            got[label] = "no error"
        except HttpResponseError as e:
            got[label] = (e.status_code, e.error.code if e.error else None)
    assert got == {label: (status, code) for label, _, status, code in FAILURES}


def walk(lab: Lab) -> dict[str, str]:
    """Run every row; return {operation: what went wrong}. Stops at the first row that fails."""
    w = W(lab)
    for label, op in OPERATIONS:
        try:
            op(w)
        except HttpResponseError as e:
            kind = "unexpected success status" if 200 <= (e.status_code or 0) < 300 else "error"
            code = e.error.code if e.error else None
            return {label: f"{kind} {e.status_code} {code}"}
        except Exception as e:  # a deserialization or polling failure is a wrong wire shape
            return {label: f"{type(e).__name__}: {e}"}
    return {}


def test_status_walker__every_operation_accepts_the_emulator_status(lab: Lab):
    assert walk(lab) == {}


def test_status_walker__covers_the_operations_in_resource_kinds():
    kinds = pytest.importorskip("azguest.azure.kinds")
    walked = {label for label, _ in OPERATIONS}
    missing = set()
    for k in kinds.KINDS.values():
        for method in (k.put, k.get, k.delete, k.list_in_group, k.list_children, *(m for _, m in k.actions)):
            if method:
                label = f"{k.client}.{k.ops}.{method}"
                if label not in walked:
                    missing.add(label)
    assert missing == set()
