"""Response shapes the emulator shares with Azure's documented REST responses (azure-rest-api-specs
examples, ComputeRP 2024-11-01 / DiskRP 2025-01-02 / Network 2024-05-01), checked through the SDK.

Expectations are written by hand from those examples: the keys a client reads (ids, times, states,
instance-view status codes) and their value formats. Where the examples carry placeholder values
(e.g. ``diskState: "0"``) the real service's values are used.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from azure.core.pipeline import PipelineResponse
from azure.core.polling import LROPoller

from tests.emulator.lab import LOCATION, Lab


def wire(pipeline_response: PipelineResponse, _deserialized: Any, _headers: Any) -> Any:
    """``cls=wire``: the SDK call returns the JSON body as ARM sent it."""
    return pipeline_response.http_response.json()


def initial(begin: Callable[..., LROPoller], *args: Any) -> Any:
    """The SDK model of an LRO's first response (``polling=False``). In the fast profile the
    operation has settled by the next request, so a plain GET then shows the final state."""
    return begin(*args, polling=False).result()


def is_compute_time(text: str) -> bool:
    """Microsoft.Compute times: ISO 8601 in UTC with an explicit ``+00:00`` offset."""
    return text.endswith("+00:00") and datetime.fromisoformat(text).utcoffset() is not None


def is_guid(text: str | None) -> bool:
    try:
        uuid.UUID(text or "")
    except ValueError:
        return False
    return True


def shared_vm(lab: Lab) -> tuple[str, Any, Any]:
    """(group, shared disk, VM in an availability set with that disk at LUN 0)."""
    rg = lab.rg()
    shared = lab.disk(rg, max_shares=2)
    avset = lab.avset(rg)
    vm = lab.vm(rg, data_disks=[(shared.id, 0, "None")], avset_id=avset.id)
    return rg, shared, vm


# ---- disks and snapshots -------------------------------------------------------------------------


def test_disk__create_answers_202_updating_then_carries_identity_time_and_state(lab: Lab) -> None:
    rg = lab.rg()
    name = lab.name("disk")
    body = {"location": LOCATION, "sku": {"name": "Premium_LRS"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 200}}
    first = initial(lab.s.compute.disks.begin_create_or_update, rg, name, body)
    assert first.provisioning_state == "Updating"  # DiskRP's word for a disk being created
    assert first.creation_data.create_option == "Empty"
    disk = lab.s.compute.disks.get(rg, name)

    assert disk.provisioning_state == "Succeeded"
    assert disk.disk_state == "Unattached"
    assert is_guid(disk.unique_id)
    assert disk.time_created is not None and disk.time_created.tzinfo is not None
    assert disk.disk_size_gb == 200 and disk.disk_size_bytes == 200 * 1024**3
    assert disk.managed_by is None and disk.last_ownership_update_time is None
    raw = lab.s.compute.disks.get(rg, name, cls=wire)
    assert is_compute_time(raw["properties"]["timeCreated"])
    assert {"id", "name", "type", "location", "tags", "sku", "properties"} <= raw.keys()
    assert raw["type"] == "Microsoft.Compute/disks"


def test_disk__shared_disk_attached_to_a_vm_reports_share_info_and_ownership(lab: Lab) -> None:
    rg, shared, vm = shared_vm(lab)

    disk = lab.s.compute.disks.get(rg, shared.name)
    assert disk.disk_state == "Attached"
    assert disk.managed_by == vm.id
    assert disk.managed_by_extended == [vm.id]
    assert [s.vm_uri for s in disk.share_info or []] == [vm.id]
    assert disk.last_ownership_update_time is not None
    raw = lab.s.compute.disks.get(rg, shared.name, cls=wire)
    assert is_compute_time(raw["properties"]["LastOwnershipUpdateTime"])  # sic: capital L, as ARM sends it


def test_snapshot__incremental_copy_records_its_source_and_identity(lab: Lab) -> None:
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=100)
    name = lab.name("snap")
    body = {"location": LOCATION, "properties": {
        "incremental": True, "creationData": {"createOption": "Copy", "sourceResourceId": disk.id}}}
    assert initial(lab.s.compute.snapshots.begin_create_or_update, rg, name, body).provisioning_state == "Updating"
    snap = lab.s.compute.snapshots.get(rg, name)

    assert snap.provisioning_state == "Succeeded"
    assert snap.incremental is True
    assert snap.creation_data.create_option == "Copy"
    assert snap.creation_data.source_resource_id == disk.id
    assert snap.creation_data.source_unique_id == disk.unique_id
    assert is_guid(snap.unique_id) and snap.unique_id != disk.unique_id
    assert snap.disk_size_gb == 100 and snap.disk_size_bytes == 100 * 1024**3
    assert snap.time_created is not None
    assert is_compute_time(lab.s.compute.snapshots.get(rg, name, cls=wire)["properties"]["timeCreated"])


# ---- virtual machines ----------------------------------------------------------------------------


def test_vm__read_back_carries_vm_id_time_and_arm_defaults_but_no_secrets(lab: Lab) -> None:
    rg, shared, vm = shared_vm(lab)

    got = lab.s.compute.virtual_machines.get(rg, vm.name)
    assert got.provisioning_state == "Succeeded"
    assert is_guid(got.vm_id)
    assert got.time_created is not None
    osp = got.os_profile
    assert osp.admin_password is None and osp.custom_data is None
    assert osp.secrets == []
    assert osp.windows_configuration.provision_vm_agent is True
    assert osp.windows_configuration.enable_automatic_updates is True
    assert osp.allow_extension_operations is True
    assert got.storage_profile.os_disk.os_type == "Windows"
    assert got.storage_profile.os_disk.managed_disk.id
    [data] = got.storage_profile.data_disks
    assert (data.lun, data.managed_disk.id, data.disk_size_gb, data.to_be_detached) == (0, shared.id, 256, False)
    assert got.availability_set.id.lower() == vm.availability_set.id.lower()
    raw = lab.s.compute.virtual_machines.get(rg, vm.name, cls=wire)
    assert is_compute_time(raw["properties"]["timeCreated"])
    assert "adminPassword" not in raw["properties"]["osProfile"]


def test_vm__instance_view_statuses_match_arm_codes_levels_and_display_texts(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)

    view = lab.s.compute.virtual_machines.instance_view(rg, vm.name)
    prov, pw = view.statuses
    assert (prov.code, prov.level, prov.display_status) == ("ProvisioningState/succeeded", "Info",
                                                            "Provisioning succeeded")
    assert prov.time is not None
    assert (pw.code, pw.level, pw.display_status, pw.time) == ("PowerState/running", "Info", "VM running", None)
    assert view.computer_name == vm.os_profile.computer_name
    assert view.os_name and view.os_version and view.hyper_v_generation == "V2"
    assert view.vm_agent.statuses[0].code == "ProvisioningState/succeeded"
    assert view.vm_agent.statuses[0].display_status == "Ready"
    assert view.vm_agent.statuses[0].time is not None
    assert [d.name for d in view.disks] == [vm.storage_profile.os_disk.name]
    assert view.disks[0].statuses[0].code == "ProvisioningState/succeeded"
    assert view.disks[0].statuses[0].time is not None
    raw = lab.s.compute.virtual_machines.instance_view(rg, vm.name, cls=wire)
    assert is_compute_time(raw["statuses"][0]["time"])
    assert "time" not in raw["statuses"][1]

    lab.s.compute.virtual_machines.begin_deallocate(rg, vm.name).result()
    expanded = lab.s.compute.virtual_machines.get(rg, vm.name, expand="instanceView").instance_view
    codes = {s.code: s.display_status for s in expanded.statuses}
    assert codes == {"ProvisioningState/succeeded": "Provisioning succeeded",
                     "PowerState/deallocated": "VM deallocated"}
    assert expanded.vm_agent is None


def test_vm__action_run_command_returns_stdout_and_stderr_component_statuses(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)

    result = lab.s.compute.virtual_machines.begin_run_command(
        rg, vm.name, {"commandId": "RunPowerShellScript", "script": ["# azguest-step: hello", "hostname"]}).result()
    out, err = result.value
    assert (out.code, out.level, out.display_status) == ("ComponentStatus/StdOut/succeeded", "Info",
                                                         "Provisioning succeeded")
    assert err.code == "ComponentStatus/StdErr/succeeded"
    assert isinstance(out.message, str) and err.message == ""


def test_run_command__managed_instance_view_has_execution_fields_and_hides_protected_parameters(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)
    body = {"location": LOCATION, "properties": {
        "source": {"script": "# azguest-step: hello\nhostname"}, "parameters": [{"name": "a", "value": "1"}],
        "protectedParameters": [{"name": "secret", "value": "s3cret"}]}}
    first = initial(lab.s.compute.virtual_machine_run_commands.begin_create_or_update, rg, vm.name, "rc1", body)
    assert first.provisioning_state == "Creating" and first.protected_parameters is None
    rc = lab.s.compute.virtual_machine_run_commands.get_by_virtual_machine(rg, vm.name, "rc1")

    assert rc.provisioning_state == "Succeeded"
    assert rc.type == "Microsoft.Compute/virtualMachines/runCommands"
    assert rc.async_execution is False and rc.treat_failure_as_deployment_failure is False
    got = lab.s.compute.virtual_machine_run_commands.get_by_virtual_machine(rg, vm.name, "rc1", expand="instanceView")
    iv = got.instance_view
    assert (iv.execution_state, iv.exit_code) == ("Succeeded", 0)
    assert iv.start_time is not None and iv.end_time is not None and iv.end_time >= iv.start_time
    assert got.protected_parameters is None
    raw = lab.s.compute.virtual_machine_run_commands.get_by_virtual_machine(
        rg, vm.name, "rc1", expand="instanceView", cls=wire)
    assert is_compute_time(raw["properties"]["instanceView"]["startTime"])


# ---- restore points ------------------------------------------------------------------------------


def test_restore_point__source_metadata_links_disk_restore_points_and_times(lab: Lab) -> None:
    rg, shared, vm = shared_vm(lab)
    coll = lab.name("rpc")
    rpc = lab.s.compute.restore_point_collections.create_or_update(
        rg, coll, {"location": LOCATION, "properties": {"source": {"id": vm.id}}})
    assert rpc.source.id == vm.id and rpc.provisioning_state == "Succeeded"
    assert is_guid(rpc.restore_point_collection_id)
    body = {"properties": {"excludeDisks": [{"id": shared.id}]}}
    assert initial(lab.s.compute.restore_points.begin_create, rg, coll, "rp1", body).provisioning_state == "Creating"
    rp = lab.s.compute.restore_points.get(rg, coll, "rp1")

    assert rp.provisioning_state == "Succeeded"
    assert rp.consistency_mode == "ApplicationConsistent"
    assert rp.time_created is not None
    assert [d.id for d in rp.exclude_disks] == [shared.id]
    meta = rp.source_metadata
    assert meta.vm_id == vm.vm_id and meta.location == LOCATION
    assert meta.hardware_profile.vm_size == vm.hardware_profile.vm_size
    os_disk = meta.storage_profile.os_disk
    assert os_disk.managed_disk.id == vm.storage_profile.os_disk.managed_disk.id
    assert os_disk.disk_restore_point.id.startswith(f"{rp.id}/diskRestorePoints/")
    assert meta.storage_profile.data_disks == []  # the shared disk is excluded
    assert meta.os_profile.computer_name == vm.os_profile.computer_name
    assert meta.os_profile.admin_password is None

    raw = lab.s.compute.restore_points.get(rg, coll, "rp1", cls=wire)
    assert "tags" not in raw and "location" not in raw  # a proxy resource
    assert "securityProfile" not in raw["properties"]["sourceMetadata"]  # absent, not null
    assert is_compute_time(raw["properties"]["timeCreated"])

    drp_name = os_disk.disk_restore_point.id.rsplit("/", 1)[-1]
    drp = lab.s.compute.disk_restore_point.get(rg, coll, "rp1", drp_name)
    assert drp.source_resource_id == os_disk.managed_disk.id
    assert drp.source_resource_location == LOCATION
    assert drp.time_created is not None


def test_restore_point__instance_view_reports_replication_state(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)
    coll = lab.name("rpc")
    lab.s.compute.restore_point_collections.create_or_update(
        rg, coll, {"location": LOCATION, "properties": {"source": {"id": vm.id}}})
    lab.s.compute.restore_points.begin_create(rg, coll, "rp1", {"properties": {}}).result()

    iv = lab.s.compute.restore_points.get(rg, coll, "rp1", expand="instanceView").instance_view
    [status] = iv.statuses
    assert (status.code, status.level, status.display_status) == ("ReplicationState/succeeded", "Info", "Succeeded")
    [disk] = iv.disk_restore_points
    assert disk.id.startswith(f"/subscriptions/{lab.sub}/resourceGroups/{rg}/providers/Microsoft.Compute/"
                              f"restorePointCollections/{coll}/restorePoints/rp1/diskRestorePoints/")
    assert disk.replication_status.completion_percent == 100
    assert disk.replication_status.status.code == "ReplicationState/succeeded"
    assert disk.replication_status.status.display_status == "Succeeded"


# ---- availability sets, skus, usages, network ----------------------------------------------------


def test_availability_set__defaults_to_classic_and_lists_its_vms(lab: Lab) -> None:
    rg = lab.rg()
    body = {"location": LOCATION, "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 20}}
    avset = lab.s.compute.availability_sets.create_or_update(rg, lab.name("avset"), body)
    assert avset.sku.name == "Classic"
    assert (avset.platform_fault_domain_count, avset.platform_update_domain_count) == (2, 20)
    assert avset.virtual_machines == []
    raw = lab.s.compute.availability_sets.get(rg, avset.name, cls=wire)
    assert "provisioningState" not in raw["properties"]


def test_resource_skus_and_usages__carry_the_documented_fields(lab: Lab) -> None:
    skus = list(lab.s.compute.resource_skus.list(filter=f"location eq '{LOCATION}'"))
    vm_sku = next(s for s in skus if s.resource_type == "virtualMachines")
    assert vm_sku.name.startswith("Standard_") and vm_sku.tier == "Standard" and vm_sku.family and vm_sku.size
    assert vm_sku.locations == [LOCATION]
    assert vm_sku.location_info[0].location == LOCATION
    caps = {c.name: c.value for c in vm_sku.capabilities}
    assert {"vCPUs", "MemoryGB", "MaxDataDiskCount", "PremiumIO", "MaxNetworkInterfaces"} <= caps.keys()
    assert all(isinstance(v, str) for v in caps.values())
    assert vm_sku.restrictions == []

    usages = {u.name.value: u for u in lab.s.compute.usage.list(LOCATION)}
    cores = usages["cores"]
    assert (cores.unit, cores.name.localized_value) == ("Count", "Total Regional vCPUs")
    assert isinstance(cores.current_value, int) and isinstance(cores.limit, int)


def test_nic__has_dns_settings_and_ip_configuration_fields(lab: Lab) -> None:
    rg = lab.rg()
    nic = lab.nic(rg)
    assert nic.provisioning_state == "Succeeded"
    assert nic.dns_settings.dns_servers == [] and nic.dns_settings.applied_dns_servers == []
    [cfg] = nic.ip_configurations
    assert cfg.id == f"{nic.id}/ipConfigurations/ipconfig1"
    assert cfg.primary is True and cfg.private_ip_address_version == "IPv4"
    assert cfg.private_ip_allocation_method == "Dynamic" and cfg.private_ip_address
    assert cfg.provisioning_state == "Succeeded"
    assert nic.mac_address is None and nic.virtual_machine is None  # set once a VM uses the NIC
    vm = lab.vm(rg, nic_id=nic.id)
    got = lab.s.network.network_interfaces.get(rg, nic.name)
    assert got.virtual_machine.id == vm.id and got.primary is True
    assert got.mac_address and len(got.mac_address.split("-")) == 6


def test_vm__conflicting_attach_is_accepted_then_the_vm_reports_a_failed_provisioning_state(lab: Lab) -> None:
    """ConflictingUserInput comes as a failed operation: the PUT answers 201 Creating, then the VM reads back
    ``Failed`` with ``ProvisioningState/failed`` (level Error) and no power state in its instance view."""
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=128)
    lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    name = lab.name("vm")
    body = lab.vm_body(lab.nic(rg, name=f"{name}-nic").id, name=name, data_disks=[(disk.id, 0, "None")])
    first = initial(lab.s.compute.virtual_machines.begin_create_or_update, rg, name, body)
    assert first.provisioning_state == "Creating"
    raw = lab.s.compute.virtual_machines.get(rg, name, cls=wire)
    assert raw["properties"]["provisioningState"] == "Failed"
    view = lab.s.compute.virtual_machines.instance_view(rg, name)
    codes = {(s.code, s.level) for s in view.statuses}
    assert ("ProvisioningState/failed", "Error") in codes
    assert not any(c.startswith("PowerState/") for c, _ in codes)
