"""The adaptor reads ARM's wire JSON without SDK models (azguest.azure.wire): for every kind, the same JSON the
SDK's models give back with ``as_dict()`` (datetimes stay ARM's strings), the SDK's errors, every page of a
paged list; and the resource SKU list once per session."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azguest.azure import AzureSession, lookups, wire
from azguest.azure import kinds as K
from azguest.azure.ids import ArmId
from azguest.emulator import EmulatorTransport, Engine, load_profile
from azguest.emulator.engine import EmuResponse
from tests.backup.conftest import deployed
from tests.emulator.fakeclock import fake_clock_engine
from tests.emulator.lab import LOCATION, Lab


@pytest.fixture
def engine() -> Engine:
    """An engine whose clock stands still: two reads of one resource are the same bytes (status times included)."""
    return fake_clock_engine()[0]


@pytest.fixture
def sess(engine: Engine):
    with AzureSession.for_engine(engine) as s:
        yield s


def _sdk(result: Any) -> Any:
    """What the SDK's own operation gives, as JSON (the path azguest.azure.wire replaces)."""
    if hasattr(result, "as_dict"):
        return result.as_dict()
    return [m.as_dict() for m in result]


def _ops(s: AzureSession, kind: K.Kind) -> Any:
    return getattr(s.client(kind.client), kind.ops)


def _methods(kind: K.Kind) -> list[str]:
    return [m for m in (kind.get, kind.list_in_group, kind.list_children) if m]


@pytest.mark.parametrize("key", sorted(K.KINDS))
def test_every_kind_reads_through_the_sdks_own_request_builder(key: str) -> None:
    """No kind falls back to SDK models: each read has the SDK's builder (an SDK upgrade renaming one fails here)."""
    kind = K.KINDS[key]
    with AzureSession.for_engine(Engine(profile=load_profile("fast"))) as s:
        for method in _methods(kind):
            assert wire.builder(_ops(s, kind), kind.ops, method) is not None, (key, method)
        for group, method in (("resources", "list_by_resource_group"), ("resources", "list"),
                              ("resource_groups", "list"), ("resource_groups", "get")):
            assert wire.builder(getattr(s.resource, group), group, method) is not None
        for group, method in (("usage", "list"), ("resource_skus", "list"), ("disks", "get")):
            assert wire.builder(getattr(s.compute, group), group, method) is not None


def _add_other_kinds(s: AzureSession, rg: str) -> None:
    """A public IP, a snapshot, a restore point collection and a restore point next to the lab (kinds the example's
    deploy does not make)."""
    vm = K.list_in_group(s, K.KINDS["vm"], rg)[0]
    disk = vm["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"]
    snap = K.KINDS["snapshot"].arm_id(s.subscription_id, rg, "snap1")
    K.put(s, K.KINDS["snapshot"], snap, {"location": vm["location"], "properties": {
        "creationData": {"createOption": "Copy", "sourceResourceId": disk}, "incremental": True}})
    coll = K.KINDS["restorePointCollection"].arm_id(s.subscription_id, rg, "rpc1")
    K.put(s, K.KINDS["restorePointCollection"], coll, {"location": vm["location"],
                                                       "properties": {"source": {"id": vm["id"]}}})
    K.put(s, K.KINDS["restorePoint"], coll.child("restorePoints", "rp1"),
          {"properties": {"consistencyMode": "CrashConsistent"}})
    K.put(s, K.KINDS["publicIp"], K.KINDS["publicIp"].arm_id(s.subscription_id, rg, "pip1"), {
        "location": vm["location"], "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})


def test_reads_of_every_kind_equal_the_sdk_models_as_dict(sess: AzureSession) -> None:
    """A deployed, configured lab (its clock stands still): every list and every GET, wire JSON vs models."""
    lab = deployed(sess, "s2d")
    rg = lab.resource_group_name
    _add_other_kinds(sess, rg)
    seen: set[str] = set()
    for kind in K.KINDS.values():
        if kind.is_child or kind.arm_type == "Microsoft.Resources/resourceGroups":
            continue
        expand = {"expand": "instanceView"} if kind.key == "vm" else {}
        listed = K.list_in_group(sess, kind, rg, **expand)
        if kind.list_in_group:
            assert listed == _sdk(getattr(_ops(sess, kind), kind.list_in_group)(rg, **expand)), kind.key
        for item in listed:
            seen.add(kind.key)
            model = getattr(_ops(sess, kind), kind.get)(*kind.args(item["id"]), **K._api(kind))
            assert K.get(sess, kind, item["id"]) == _sdk(model), item["id"]
            for child in K.CHILD_KINDS:
                if child.parent == kind.key:
                    seen |= _children_equal(sess, child, item["id"])
    assert seen == set(K.KINDS) - {"resourceGroup"}  # every kind had a resource to compare
    group = K.KINDS["resourceGroup"]
    assert K.get(sess, group, ArmId.for_group(sess.subscription_id, rg)) == _sdk(sess.resource.resource_groups.get(rg))
    assert K.list_group_resources(sess, rg) == _sdk(sess.resource.resources.list_by_resource_group(rg))
    tag = f"tagName eq 'azguest-lab' and tagValue eq '{lab.name}'"
    assert K.list_tagged(sess, "azguest-lab", lab.name) == _sdk(sess.resource.resources.list(filter=tag))
    assert K.list_tagged_groups(sess, "azguest-lab") == _sdk(sess.resource.resource_groups.list(
        filter="tagName eq 'azguest-lab'"))
    assert lookups.compute_usages(sess, lab.location) == _sdk(sess.compute.usage.list(lab.location))
    assert lookups.resource_skus(sess, lab.location) == _sdk(sess.compute.resource_skus.list(
        filter=f"location eq '{lab.location}'"))


def _children_equal(s: AzureSession, child: K.Kind, parent_id: str) -> set[str]:
    parent = K.KINDS[str(child.parent)]
    listed = K.list_children(s, child, parent_id, **({} if child.children_via else {"expand": "instanceView"}))
    if child.list_children:
        sdk = getattr(_ops(s, child), child.list_children)(*parent.args(parent_id), expand="instanceView")
        assert listed == _sdk(sdk)
    for item in listed:
        assert K.get(s, child, item["id"]) == _sdk(getattr(_ops(s, child), child.get)(*child.args(item["id"])))
    return {child.key} if listed else set()


def test_put_returns_the_resource_as_the_sdk_reads_it_and_never_builds_the_model(sess: AzureSession, uid: str
                                                                                  ) -> None:
    lab = Lab(sess, uid)
    rg = lab.rg()
    disk = K.KINDS["disk"].arm_id(sess.subscription_id, rg, f"d-{uid}")
    body = {"location": LOCATION, "sku": {"name": "Premium_LRS"}, "tags": {"azguest-lab": "x"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 64}}
    put = K.put(sess, K.KINDS["disk"], disk, body)
    assert put == _sdk(sess.compute.disks.get(rg, f"d-{uid}")) and put["properties"]["diskSizeGB"] == 64
    poller = sess.compute.disks.begin_create_or_update(rg, f"d-{uid}", body)
    assert wire.lro_result(poller) == put
    assert poller.polling_method()._deserialization_callback is wire._body  # the final body never became a model


def test_errors_are_the_sdks_own(session: AzureSession, uid: str) -> None:
    """A missing resource: ResourceNotFoundError with ARM's code, as the generated operation raises; a refused
    read (400): HttpResponseError with ARM's code; a missing group's list: ResourceNotFoundError too."""
    lab = Lab(session, uid)
    rg = lab.rg()
    vm = K.KINDS["vm"].arm_id(session.subscription_id, rg, "nope")
    with pytest.raises(ResourceNotFoundError) as ours:
        K.get(session, K.KINDS["vm"], vm)
    with pytest.raises(ResourceNotFoundError) as sdks:
        session.compute.virtual_machines.get(rg, "nope")
    assert ours.value.error.code == sdks.value.error.code == "ResourceNotFound"
    assert ours.value.status_code == 404
    with pytest.raises(ResourceNotFoundError) as gone:
        K.list_in_group(session, K.KINDS["disk"], f"{rg}-missing")
    assert gone.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(HttpResponseError) as bad:
        K.get(session, K.KINDS["vm"], K.KINDS["vm"].arm_id(session.subscription_id, rg, "nope"), expand="nonsense")
    with pytest.raises(HttpResponseError) as sdk_bad:
        session.compute.virtual_machines.get(rg, "nope", expand="nonsense")
    assert (bad.value.status_code, bad.value.error.code) == (sdk_bad.value.status_code, sdk_bad.value.error.code)


class PagingTransport(EmulatorTransport):
    """The emulator, with every list answered one item per page (``nextLink`` with a ``$skiptoken``), as ARM pages."""

    def __init__(self, emu: Engine) -> None:
        super().__init__(emu)
        self.pages = 0

    def send(self, request: Any, **kwargs: Any) -> Any:
        parts = urlsplit(request.url)
        query = parse_qs(parts.query)
        skip = int(query.pop("$skiptoken", ["0"])[0])
        response = super().send(request, **kwargs)
        body = json.loads(response.content or b"null")
        if request.method != "GET" or not isinstance(body, dict) or not isinstance(body.get("value"), list):
            return response
        self.pages += 1
        rest = {**{k: v[0] for k, v in query.items()}, "$skiptoken": skip + 1}
        page = {"value": body["value"][skip:skip + 1]}
        if skip + 1 < len(body["value"]):
            page["nextLink"] = parts._replace(query=urlencode(rest)).geturl()
        emu = response._emu
        return type(response)(request, EmuResponse(emu.status, emu.headers, json.dumps(page).encode()))


def test_lists_follow_every_next_link(engine: Engine, uid: str) -> None:
    transport = PagingTransport(engine)
    with AzureSession.for_transport(transport) as s:
        lab = Lab(s, uid)
        rg = lab.rg()
        for n in range(3):
            lab.disk(rg, f"d{n}-{uid}")
        transport.pages = 0
        ours = K.list_in_group(s, K.KINDS["disk"], rg)
        assert [d["name"] for d in ours] == [f"d{n}-{uid}" for n in range(3)] and transport.pages == 3
        assert ours == _sdk(s.compute.disks.list_by_resource_group(rg))


def test_resource_skus_are_read_once_per_session_and_usages_every_time(engine: Engine) -> None:
    def reads(path_end: str) -> int:
        return sum(1 for e in engine.request_log if e.method == "GET" and e.path.lower().endswith(path_end))

    with AzureSession.for_engine(engine) as s:
        first = lookups.resource_skus(s, LOCATION)
        assert lookups.resource_skus(s, LOCATION.upper()) == first
        engine.set_quota(LOCATION, "standardDSv5Family", 7)
        assert {u["name"]["value"]: u["limit"] for u in lookups.compute_usages(s, LOCATION)}["standardDSv5Family"] == 7
        engine.set_quota(LOCATION, "standardDSv5Family", 9)
        assert {u["name"]["value"]: u["limit"] for u in lookups.compute_usages(s, LOCATION)}["standardDSv5Family"] == 9
        lookups.resource_skus(s, "westeurope")
    assert reads("/providers/microsoft.compute/skus") == 2  # eastus once, westeurope once
    assert reads("/usages") == 2
    with AzureSession.for_engine(engine) as fresh:
        engine.set_sku_restriction(LOCATION, "Standard_D4s_v5")
        sku = next(k for k in lookups.resource_skus(fresh, LOCATION) if k["name"] == "Standard_D4s_v5")
        assert sku["restrictions"]  # a new session (a new command) sees today's restrictions
    assert reads("/providers/microsoft.compute/skus") == 3


def test_memo_loads_once_and_keeps_no_failure() -> None:
    with AzureSession.for_engine(Engine(profile=load_profile("fast"))) as s:
        calls: list[int] = []

        def failing() -> int:
            calls.append(0)
            raise RuntimeError("no")

        with pytest.raises(RuntimeError):
            s.memo("k", failing)
        assert s.memo("k", lambda: calls.append(1) or 42) == 42
        assert s.memo("k", lambda: calls.append(2) or 43) == 42
        assert calls == [0, 1]


def test_a_wire_read_is_decoded_once_and_other_requests_as_before(sess: AzureSession, uid: str) -> None:
    """azure-core's ContentDecodePolicy leaves a wire read to azguest (no second JSON decode), and still decodes
    every other response of the same client (what the SDK's own operations may read)."""
    from azure.core.rest import HttpRequest

    rg = Lab(sess, uid).rg()
    path = f"/subscriptions/{sess.subscription_id}/resourceGroups/{rg}/providers/Microsoft.Compute/disks"
    request = HttpRequest("GET", path, params={"api-version": "2025-01-02"})
    ours = sess.compute.send_request(request, azguest_wire=True, _return_pipeline_response=True)
    theirs = sess.compute.send_request(request, _return_pipeline_response=True)
    assert "deserialized_data" not in ours.context and ours.http_response.json() == {"value": []}
    assert theirs.context["deserialized_data"] == {"value": []}


class GarbageTransport(EmulatorTransport):
    """The emulator, with every GET answered 200 and a body that is not JSON (a broken proxy in between)."""

    def send(self, request: Any, **kwargs: Any) -> Any:
        response = super().send(request, **kwargs)
        if request.method != "GET":
            return response
        return type(response)(request, EmuResponse(200, {"Content-Type": "application/json"}, b"<html>oops"))


def test_a_body_that_is_not_json_is_an_azure_error_not_a_traceback(engine: Engine, uid: str) -> None:
    from azure.core.exceptions import DecodeError

    from azguest.azure.errors import arm_errors
    from azguest.errors import AzureError

    with AzureSession.for_transport(GarbageTransport(engine)) as s:
        rg = Lab(s, uid).rg()
        with pytest.raises(DecodeError):
            K.list_in_group(s, K.KINDS["disk"], rg)
        with pytest.raises(AzureError), arm_errors(target=rg):
            K.get(s, K.KINDS["resourceGroup"], ArmId.for_group(s.subscription_id, rg))
