"""Attack: random JSON bodies (with the property names handlers read) PUT to every ARM type the
emulator serves. Every answer is an ARM body, never a 500 and never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azguest.emulator import Engine, load_profile
from azguest.emulator.profile import Throttling
from azguest.emulator.registry import all_handlers
from tests.conftest import examples

SUB = "00000000-0000-0000-0000-0000000000fb"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-fuzz"
KEYS = ["location", "properties", "sku", "name", "tags", "id", "kind", "zones", "hardwareProfile", "vmSize",
        "storageProfile", "osDisk", "dataDisks", "managedDisk", "createOption", "caching", "lun", "deleteOption",
        "diskSizeGB", "maxShares", "creationData", "sourceResourceId", "networkProfile", "networkInterfaces",
        "ipConfigurations", "subnet", "subnets", "addressSpace", "addressPrefixes", "addressPrefix",
        "privateIPAddress", "privateIPAllocationMethod", "securityRules", "priority", "availabilitySet",
        "osProfile", "computerName", "adminPassword", "source", "script", "parameters", "protectedParameters",
        "excludeDisks", "platformFaultDomainCount", "platformUpdateDomainCount", "shareQuota", "targetResourceId",
        "securityProfile", "securityType", "publicIPAddress", "networkSecurityGroup", "value", "operation"]
SCALARS = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from(["", "x", "Premium_LRS", "eastus", "/subscriptions/x", f"{RG}/providers/a/b/c",
                             "Empty", "None", "Delete", "10.0.0.0/24", "Standard_D4s_v5", "Aligned"]))
JSON = st.recursive(SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(KEYS), c,
                                                                                   max_size=4), max_leaves=25)


def _paths() -> list[str]:
    out = []
    for h in all_handlers():
        ns, *types = h.arm_type.split("/")
        if ns.lower() == "microsoft.resources" and types[0].lower() == "resourcegroups":
            out.append(RG)
            continue
        out.append(f"{RG}/providers/{ns}/" + "/".join(f"{t}/f{i}" for i, t in enumerate(types)))
    return out


PATHS = _paths()
ENGINE = Engine(profile=load_profile("fast").replace(throttling=Throttling(enabled=False)))
ENGINE.handle("PUT", f"https://management.azure.com{RG}?api-version=2025-04-01", {}, b'{"location": "eastus"}')


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), props=JSON, extra=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=3),
       method=st.sampled_from(["PUT", "PATCH", "POST"]))
def test_random_bodies__always_an_arm_answer_never_a_500(path: str, props, extra: dict, method: str) -> None:
    body = {"location": "eastus", **extra, "properties": props}
    url = f"https://management.azure.com{path}{'/start' if method == 'POST' else ''}?api-version=2025-04-01"
    resp = ENGINE.handle(method, url, {}, json.dumps(body).encode())
    assert resp.status != 500, (resp.status, resp.body[:300], ENGINE.last_error)
    if resp.status >= 400:
        err = json.loads(resp.body)["error"]
        assert isinstance(err["code"], str) and isinstance(err["message"], str)
