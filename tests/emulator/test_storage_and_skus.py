"""Storage accounts and file shares; resource SKUs; DevTest Labs schedules via the generic API."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azguest.emulator import Engine
from tests.emulator.lab import LOCATION, NON_PREMIUM_SIZE, PREMIUM_SIZE, Lab, code_of

SCHEDULE_API_VERSION = "2018-09-15"


def _account_name(lab: Lab) -> str:
    return f"azg{lab.uid}{next(lab._n)}"[:24]  # 3-24 lower-case letters and digits


def _account_body(**props) -> dict:
    base = {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False}
    return {"location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": base | props}


def test_storage_account__create_get_keys(lab: Lab):
    rg = lab.rg()
    name = _account_name(lab)
    acct = lab.s.storage.storage_accounts.begin_create(rg, name, _account_body()).result()
    assert acct.kind == "StorageV2" and acct.sku.name == "Standard_LRS"
    assert acct.enable_https_traffic_only is True
    assert acct.minimum_tls_version == "TLS1_2"
    assert acct.provisioning_state == "Succeeded"
    assert acct.primary_endpoints.blob.startswith(f"https://{name}.blob.")
    got = lab.s.storage.storage_accounts.get_properties(rg, name)
    assert got.id == acct.id
    keys = lab.s.storage.storage_accounts.list_keys(rg, name).keys_property
    assert [k.key_name for k in keys] == ["key1", "key2"]
    assert all(k.value for k in keys) and keys[0].value != keys[1].value
    assert name in {a.name for a in lab.s.storage.storage_accounts.list_by_resource_group(rg)}


def test_storage_account__file_share(lab: Lab):
    rg = lab.rg()
    name = _account_name(lab)
    lab.s.storage.storage_accounts.begin_create(rg, name, _account_body()).result()
    share = lab.s.storage.file_shares.create(rg, name, "witness", {"properties": {"shareQuota": 5}})
    assert share.share_quota == 5
    assert lab.s.storage.file_shares.get(rg, name, "witness").name == "witness"
    assert [s.name for s in lab.s.storage.file_shares.list(rg, name)] == ["witness"]


def test_storage_account__file_share_on_missing_account(lab: Lab):
    rg = lab.rg()
    with pytest.raises(HttpResponseError) as ei:
        lab.s.storage.file_shares.create(rg, f"nope{lab.uid}", "witness", {"properties": {"shareQuota": 5}})
    assert code_of(ei) in ("ResourceNotFound", "ParentResourceNotFound", "StorageAccountNotFound")


def test_storage_account__invalid_name(lab: Lab):
    with pytest.raises(HttpResponseError) as ei:
        lab.s.storage.storage_accounts.begin_create(lab.rg(), "Bad_Name!", _account_body()).result()
    assert code_of(ei) in ("AccountNameInvalid", "InvalidParameter")


def test_storage_account__delete(lab: Lab):
    rg = lab.rg()
    name = _account_name(lab)
    lab.s.storage.storage_accounts.begin_create(rg, name, _account_body()).result()
    lab.s.storage.storage_accounts.delete(rg, name)
    with pytest.raises(ResourceNotFoundError):
        lab.s.storage.storage_accounts.get_properties(rg, name)


def _skus(lab: Lab) -> dict[str, object]:
    return {(s.resource_type, s.name): s for s in lab.s.compute.resource_skus.list(filter=f"location eq '{LOCATION}'")}


def _cap(sku, name: str) -> str | None:
    return next((c.value for c in sku.capabilities or [] if c.name == name), None)


def test_resource_skus__vm_sizes_and_premium_io(lab: Lab):
    skus = _skus(lab)
    premium = skus[("virtualMachines", PREMIUM_SIZE)]
    plain = skus[("virtualMachines", NON_PREMIUM_SIZE)]
    assert _cap(premium, "PremiumIO") == "True" and _cap(plain, "PremiumIO") == "False"
    assert _cap(premium, "vCPUs") == "4"
    assert premium.family == "standardDSv5Family"
    assert [loc.lower() for loc in premium.locations] == [LOCATION]


def test_resource_skus__disk_skus(lab: Lab):
    skus = _skus(lab)
    disk_names = {name for (rtype, name) in skus if rtype == "disks"}
    assert {"Premium_LRS", "StandardSSD_LRS", "Standard_LRS", "UltraSSD_LRS"} <= disk_names


def test_resource_skus__restriction_is_listed_and_enforced(lab: Lab, engine: Engine):
    engine.set_sku_restriction(LOCATION, PREMIUM_SIZE)
    sku = _skus(lab)[("virtualMachines", PREMIUM_SIZE)]
    assert [(r.type, r.reason_code) for r in sku.restrictions] == [("Location", "NotAvailableForSubscription")]
    assert [v.lower() for v in sku.restrictions[0].values_property] == [LOCATION]
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(lab.rg())
    assert code_of(ei) == "SkuNotAvailable"
    engine.set_sku_restriction(LOCATION, PREMIUM_SIZE, None)
    assert not _skus(lab)[("virtualMachines", PREMIUM_SIZE)].restrictions


def _schedule_body(vm_id: str) -> dict:
    return {
        "location": LOCATION,
        "properties": {
            "status": "Enabled",
            "taskType": "ComputeVmShutdownTask",
            "dailyRecurrence": {"time": "1900"},
            "timeZoneId": "UTC",
            "targetResourceId": vm_id,
        },
    }


def test_devtestlab_schedule__via_generic_api(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    sid = lab.rid(rg, "Microsoft.DevTestLab/schedules", f"shutdown-computevm-{vm.name}")
    res = lab.s.resource.resources
    created = res.begin_create_or_update_by_id(sid, _schedule_body(vm.id), api_version=SCHEDULE_API_VERSION).result()
    assert created.type == "Microsoft.DevTestLab/schedules"
    assert created.properties["dailyRecurrence"] == {"time": "1900"}
    got = res.get_by_id(sid, api_version=SCHEDULE_API_VERSION)
    assert got.properties["targetResourceId"].lower() == vm.id.lower()
    res.begin_delete_by_id(sid, api_version=SCHEDULE_API_VERSION).result()
    assert res.check_existence_by_id(sid, api_version=SCHEDULE_API_VERSION) is False
