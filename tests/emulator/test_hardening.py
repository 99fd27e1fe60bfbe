"""The emulator as a sound server (issue 7 item 4), each test written as the attack or the mistake:
secrets in the state file, malformed requests, ARM's limits, remote binding, corrupt state files,
file permissions."""

from __future__ import annotations

import base64
import json
import os
import socket
import stat
from collections.abc import Iterator
from http.client import HTTPResponse
from pathlib import Path

import pytest

from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.emulator import Engine, load_profile, serve
from azguest.emulator.store import STATE_VERSION, StateFileError
from tests.deploy.conftest import EXAMPLES

CANARY = "Canary-Pa55w0rd-7f3e9!"
SUB = "00000000-0000-0000-0000-0000000000aa"
RG_PATH = f"/subscriptions/{SUB}/resourceGroups/rg-h"
API = "api-version=2025-04-01"


def _url(path: str) -> str:
    return f"https://management.azure.com{path}?{API}"


def _put(engine: Engine, path: str, body: object, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    resp = engine.handle("PUT", _url(path), {"Content-Type": "application/json"}, data)
    return resp.status, (json.loads(resp.body) if resp.body else None)


def _arm_error(status: int, body: object, lo: int = 400, hi: int = 499) -> str:
    assert lo <= status <= hi, (status, body)
    assert isinstance(body, dict) and set(body["error"]) >= {"code", "message"}, body
    return body["error"]["code"]


# ---- secrets never reach the state file -----------------------------------------------------------


def test_deploy__state_file_holds_no_admin_password(tmp_path: Path, monkeypatch, capsys) -> None:
    state = tmp_path / "emu" / "emulator.db"
    monkeypatch.setenv("AZGUEST_EMULATOR", "1")
    monkeypatch.setenv("AZGUEST_EMULATOR_STATE", str(state))
    monkeypatch.setenv("AZGUEST_EMULATOR_PROFILE", "fast")
    monkeypatch.setenv("AZGUEST_ADMIN_PASSWORD", CANARY)
    monkeypatch.delenv("AZGUEST_ARM_ENDPOINT", raising=False)
    assert run(["deploy", str(EXAMPLES / "s2d-2node.yaml"), "--yes", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"]
    assert stat.S_IMODE(state.parent.stat().st_mode) == 0o700  # made by the emulator, private
    engine = Engine(state_path=state)
    assert engine.stats()["by_type"]["Microsoft.Compute/virtualMachines"]["write"] >= 3  # the VMs were PUT
    for f in state.parent.iterdir():
        data = f.read_bytes()
        assert CANARY.encode() not in data, f
        assert base64.b64encode(CANARY.encode()) not in data, f


def test_vm_and_run_command__secrets_neither_stored_nor_returned(tmp_path: Path) -> None:
    from azguest.azure import AzureSession
    from tests.emulator.lab import LOCATION, Lab

    state = tmp_path / "emulator.db"
    engine = Engine(state_path=state, profile=load_profile("fast"))
    with AzureSession.for_engine(engine) as s:
        lab = Lab(s, "sec")
        rg = lab.rg()
        nic = lab.nic(rg)
        body = lab.vm_body(nic.id, name="vm1")
        body["properties"]["osProfile"]["adminPassword"] = CANARY
        body["properties"]["osProfile"]["customData"] = base64.b64encode(CANARY.encode()).decode()
        vm = s.compute.virtual_machines.begin_create_or_update(rg, "vm1", body).result()
        rc = {"location": LOCATION, "properties": {
            "source": {"script": "# azguest-step: hello\nWrite-Output hi"},
            "protectedParameters": [{"name": "Secret", "value": CANARY}]}}
        made = s.compute.virtual_machine_run_commands.begin_create_or_update(rg, "vm1", "rc1", rc).result()
        got = s.compute.virtual_machine_run_commands.get_by_virtual_machine(rg, "vm1", "rc1", expand="instanceView")
        again = s.compute.virtual_machines.get(rg, "vm1")
    for shown in (vm.as_dict(), made.as_dict(), got.as_dict(), again.as_dict()):
        text = json.dumps(shown)
        assert CANARY not in text and base64.b64encode(CANARY.encode()).decode() not in text
    assert again.os_profile.admin_password is None and again.os_profile.custom_data is None
    data = state.read_bytes()
    assert CANARY.encode() not in data and base64.b64encode(CANARY.encode()) not in data


def test_state_v1__secrets_are_dropped_when_it_is_migrated(tmp_path: Path) -> None:
    state = tmp_path / "emulator.db"
    vm_key = f"{RG_PATH}/providers/microsoft.compute/virtualmachines/vm1".lower()
    v1 = {"version": 1, "resources": {vm_key: {
        "id": vm_key, "name": "vm1", "type": "Microsoft.Compute/virtualMachines",
        "properties": {"osProfile": {"adminUsername": "a", "adminPassword": CANARY}}}},
        "operations": {}, "quotas": {}, "sku_restrictions": {}, "fault_uses": {}, "log_counts": {}}
    state.write_text(json.dumps(v1))
    engine = Engine(state_path=state)
    engine.handle("PUT", _url(RG_PATH), {}, b'{"location": "eastus"}')  # any write saves the migrated state
    data = json.loads(state.read_bytes())
    assert data["version"] == STATE_VERSION and CANARY not in json.dumps(data)


# ---- malformed requests: an ARM 4xx body, never a dropped connection or a traceback ---------------

DEEP = b'{"location": "eastus", "tags": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
MALFORMED = [
    ("string body", RG_PATH, b'"just a string"'),
    ("list body", RG_PATH, b"[1, 2]"),
    ("list for tags", RG_PATH, b'{"location": "eastus", "tags": ["a", "b"]}'),
    ("number tag value", RG_PATH, b'{"location": "eastus", "tags": {"a": 5}}'),
    ("number location", RG_PATH, b'{"location": 5}'),
    ("string properties", f"{RG_PATH}/providers/Microsoft.Compute/disks/d1",
     b'{"location": "eastus", "properties": "x"}'),
    ("string sku", f"{RG_PATH}/providers/Microsoft.Compute/disks/d1", b'{"location": "eastus", "sku": "x"}'),
    ("string where an object belongs, deep", f"{RG_PATH}/providers/Microsoft.Compute/disks/d1",
     b'{"location": "eastus", "properties": {"creationData": "x", "diskSizeGB": 8}}'),
    ("list where an object belongs, VM", f"{RG_PATH}/providers/Microsoft.Compute/virtualMachines/vm1",
     b'{"location": "eastus", "properties": {"hardwareProfile": ["Standard_D4s_v5"]}}'),
    ("deep nesting", RG_PATH, DEEP),
    ("moderate nesting", RG_PATH, b'{"location": "eastus", "properties": ' + b'{"a": ' * 80 + b"1" + b"}" * 81),
    ("number for a reference id", f"{RG_PATH}/providers/Microsoft.Network/networkInterfaces/n1",
     b'{"location": "eastus", "properties": {"ipConfigurations": [{"name": "c", '
     b'"properties": {"subnet": {"id": 7}}}]}}'),
    ("not JSON", RG_PATH, b"{location: eastus"),
    ("not UTF-8", RG_PATH, b'{"location": "\xff\xfe"}'),
]


@pytest.fixture
def world() -> Engine:
    engine = Engine(profile=load_profile("fast"))
    assert engine.handle("PUT", _url(RG_PATH), {}, b'{"location": "eastus"}').status == 201
    return engine


@pytest.mark.parametrize("what,path,raw", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_body__inproc_gets_an_arm_400(world: Engine, what: str, path: str, raw: bytes) -> None:
    status, body = _put(world, path, None, raw)
    assert _arm_error(status, body) in ("InvalidRequestContent", "InvalidParameter", "BadRequest")
    assert world.handle("GET", _url(RG_PATH), {}, None).status == 200  # the engine still serves


@pytest.fixture
def server(world: Engine) -> Iterator[tuple[str, int]]:
    srv = serve(world)
    try:
        host, port = srv.httpd.server_address[:2]
        yield host, port
    finally:
        srv.shutdown()


def _raw_http(addr: tuple[str, int], head: str, body: bytes = b"") -> tuple[int, dict, object]:
    with socket.create_connection(addr, timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        resp = HTTPResponse(sock)
        resp.begin()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), (json.loads(data) if data else None)


def _head(method: str, path: str, *extra: str) -> str:
    return "\r\n".join([f"{method} {path}?{API} HTTP/1.1", "Host: localhost", *extra, "", ""])


@pytest.mark.parametrize("what,path,raw", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_body__over_http_gets_an_arm_400(server, capfd, what: str, path: str, raw: bytes) -> None:
    status, _, body = _raw_http(server, _head("PUT", path, f"Content-Length: {len(raw)}"), raw)
    assert _arm_error(status, body) in ("InvalidRequestContent", "InvalidParameter", "BadRequest")
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("length_header", ["Content-Length: abc", "Content-Length: -5", "Content-Length: 1e3",
                                           "Content-Length: 12\r\nContent-Length: 13", None])
def test_bad_content_length__over_http_is_a_400(server, capfd, length_header: str | None) -> None:
    head = _head("PUT", RG_PATH, length_header) if length_header else _head("PUT", RG_PATH)
    status, _, body = _raw_http(server, head, b'{"location": "eastus"}')
    assert _arm_error(status, body) == "InvalidRequestFormat"
    assert "Traceback" not in capfd.readouterr().err


def test_garbage_request_line__over_http_gets_an_arm_body(server, capfd) -> None:
    status, _, body = _raw_http(server, "NOT-HTTP\r\n\r\n")
    assert _arm_error(status, body) in ("InvalidRequestFormat", "BadRequest")
    assert "Traceback" not in capfd.readouterr().err


def test_handler_bug__500_internal_error_and_the_persisted_state_is_rolled_back(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    from azguest.emulator.handlers.resource_groups import ResourceGroups

    engine = Engine(state_path=tmp_path / "emulator.db", profile=load_profile("fast"))

    def broken_put(self, ctx, res, existing):
        ctx.save({**res, "tags": {"half": "applied"}})
        raise RuntimeError("bug")

    monkeypatch.setattr(ResourceGroups, "put", lambda self, ctx: broken_put(self, ctx, {
        "id": ctx.path.resource_id(), "name": "rg-h", "type": "Microsoft.Resources/resourceGroups"}, None))
    status, err = _put(engine, RG_PATH, {"location": "eastus"})
    assert _arm_error(status, err, 500, 500) == "InternalServerError" and "RuntimeError" in err["error"]["message"]
    assert "RuntimeError: bug" in (engine.last_error or "")
    monkeypatch.undo()
    assert engine.handle("GET", _url(RG_PATH), {}, None).status == 404  # the half-applied write was dropped


def test_handler_bug_while_completing_an_lro__that_operation_fails_and_the_engine_goes_on(tmp_path: Path,
                                                                                         monkeypatch) -> None:
    from azguest.emulator.handlers.disks import Disks

    engine = Engine(state_path=tmp_path / "emulator.db", profile=load_profile("fast"))
    engine.handle("PUT", _url(RG_PATH), {}, b'{"location": "eastus"}')
    monkeypatch.setattr(Disks, "complete", lambda self, ctx, op: 1 / 0)
    disk = {"location": "eastus", "sku": {"name": "Premium_LRS"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 8}}
    first = engine.handle("PUT", _url(f"{RG_PATH}/providers/Microsoft.Compute/disks/d1"), {},
                          json.dumps(disk).encode())
    poll = first.headers.get("Azure-AsyncOperation") or first.headers["Location"]
    answers = [engine.handle("GET", poll, {}, None) for _ in range(2)]
    assert [a.status for a in answers] == [500, 500]  # the Location style: failed, with its status, and stays so
    assert json.loads(answers[-1].body)["error"]["code"] == "InternalServerError"
    assert "ZeroDivisionError" in (engine.last_error or "")
    assert engine.handle("GET", _url(RG_PATH), {}, None).status == 200  # later requests are not poisoned


def test_unparsable_url__inproc_gets_an_arm_400() -> None:
    resp = Engine().handle("GET", "http://[not-an-ipv6/subscriptions/x", {}, None)
    assert _arm_error(resp.status, json.loads(resp.body)) == "InvalidRequestFormat"


# ---- ARM's limits ---------------------------------------------------------------------------------

LONG = "n" * 5000
TOO_LONG_NAMES = [
    ("resource group", f"/subscriptions/{SUB}/resourceGroups/{LONG}", {"location": "eastus"}),
    ("disk", f"{RG_PATH}/providers/Microsoft.Compute/disks/{LONG}",
     {"location": "eastus", "sku": {"name": "Premium_LRS"}, "properties": {"creationData": {"createOption": "Empty"},
                                                                            "diskSizeGB": 8}}),
    ("vm", f"{RG_PATH}/providers/Microsoft.Compute/virtualMachines/{LONG}", {"location": "eastus", "properties": {}}),
    ("nic", f"{RG_PATH}/providers/Microsoft.Network/networkInterfaces/{LONG}", {"location": "eastus"}),
    ("storage", f"{RG_PATH}/providers/Microsoft.Storage/storageAccounts/{'a' * 25}",
     {"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}),
    ("vnet, one char", f"{RG_PATH}/providers/Microsoft.Network/virtualNetworks/v", {"location": "eastus"}),
]


@pytest.mark.parametrize("ref", ["subnet-1", "", "subscriptions/x/resourceGroups/y"])
def test_reference_that_is_not_an_arm_id__linked_invalid_property_id(world: Engine, ref: str) -> None:
    body = {"location": "eastus", "properties": {"ipConfigurations": [
        {"name": "c", "properties": {"subnet": {"id": ref}}}]}}
    status, err = _put(world, f"{RG_PATH}/providers/Microsoft.Network/networkInterfaces/n1", body)
    assert _arm_error(status, err) == "LinkedInvalidPropertyId"
    assert err["error"]["target"] == "properties.ipConfigurations[0].properties.subnet.id"


@pytest.mark.parametrize("what,path,body", TOO_LONG_NAMES, ids=[t[0] for t in TOO_LONG_NAMES])
def test_name_outside_arm_limits__refused(world: Engine, what: str, path: str, body: dict) -> None:
    status, err = _put(world, path, body)
    assert _arm_error(status, err) in ("InvalidResourceName", "InvalidResourceGroup", "AccountNameInvalid")
    assert world.handle("GET", _url(path), {}, None).status == 404


@pytest.mark.parametrize("what,path,body", TOO_LONG_NAMES, ids=[t[0] for t in TOO_LONG_NAMES])
def test_name_outside_arm_limits__refused_over_http(server, capfd, what: str, path: str, body: dict) -> None:
    raw = json.dumps(body).encode()  # raw HTTP: the SDK would refuse some of these names client-side
    status, _, err = _raw_http(server, _head("PUT", path, f"Content-Length: {len(raw)}"), raw)
    assert _arm_error(status, err) in ("InvalidResourceName", "InvalidResourceGroup", "AccountNameInvalid")
    assert "Traceback" not in capfd.readouterr().err


def test_names_at_arm_limits__accepted(world: Engine) -> None:
    assert _put(world, f"/subscriptions/{SUB}/resourceGroups/{'g' * 90}", {"location": "eastus"})[0] == 201
    disk = {"location": "eastus", "sku": {"name": "Premium_LRS"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 8}}
    assert _put(world, f"{RG_PATH}/providers/Microsoft.Compute/disks/{'d' * 80}", disk)[0] in (200, 201, 202)


@pytest.mark.parametrize("tags,code", [
    ({f"t{i}": "v" for i in range(51)}, "InvalidTagCount"),
    ({"n" * 513: "v"}, "InvalidTagNameLength"),
    ({"n": "v" * 257}, "InvalidTagValueLength"),
    ({"a/b": "v"}, "InvalidTagNameCharacters"),
    ({"a<b": "v"}, "InvalidTagNameCharacters"),
], ids=["51 tags", "513-char name", "257-char value", "slash in name", "angle in name"])
def test_tags_outside_arm_limits__refused(world: Engine, tags: dict, code: str) -> None:
    status, err = _put(world, RG_PATH, {"location": "eastus", "tags": tags})
    assert _arm_error(status, err) == code
    got = json.loads(world.handle("GET", _url(RG_PATH), {}, None).body)
    assert got.get("tags") in (None, {})


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_tags_api__same_limits(world: Engine, method: str) -> None:
    body = {"operation": "Merge", "properties": {"tags": {f"t{i}": "v" for i in range(51)}}}
    resp = world.handle(method, _url(f"{RG_PATH}/providers/Microsoft.Resources/tags/default"), {},
                        json.dumps(body).encode())
    assert _arm_error(resp.status, json.loads(resp.body)) == "InvalidTagCount"


def test_tags_at_arm_limits__accepted_and_storage_names_capped_at_128(world: Engine) -> None:
    tags = {f"{i:03d}" + "n" * 509: "v" * 256 for i in range(50)}
    assert _put(world, RG_PATH, {"location": "eastus", "tags": tags})[0] == 200
    sa = {"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "tags": {"n" * 129: "v"}}
    status, err = _put(world, f"{RG_PATH}/providers/Microsoft.Storage/storageAccounts/sahard1", sa)
    assert _arm_error(status, err) == "InvalidTagNameLength"


def test_60_mib_tag__refused_inproc_without_parsing(world: Engine) -> None:
    raw = b'{"location": "eastus", "tags": {"big": "' + b"x" * (60 * 1024 * 1024) + b'"}}'
    status, err = _put(world, RG_PATH, None, raw)
    assert status == 413 and err["error"]["code"] == "RequestEntityTooLarge"


def test_60_mib_tag__refused_over_http_before_the_body_is_read(server, capfd) -> None:
    size = 60 * 1024 * 1024
    status, headers, err = _raw_http(server, _head("PUT", RG_PATH, f"Content-Length: {size}"), b"{")
    assert status == 413 and err["error"]["code"] == "RequestEntityTooLarge"
    assert headers.get("Connection", "").lower() == "close"
    assert "Traceback" not in capfd.readouterr().err


# ---- serve only on loopback unless told ---------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_serve__non_loopback_host_refused_without_allow_remote(tmp_path: Path, capsys, host: str) -> None:
    code = run(["emulator", "serve", "--host", host, "--state", str(tmp_path / "s.db")])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "--allow-remote" in err and "Traceback" not in err


def test_serve__loopback_names_are_allowed() -> None:
    from azguest.emulator.admin import check_bind_host

    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        check_bind_host(host, allow_remote=False)
    check_bind_host("0.0.0.0", allow_remote=True)


# ---- corrupt or foreign state files -------------------------------------------------------------


@pytest.mark.parametrize("content", [b"\x00garbage{", b"", b"[]", b'{"foo": 1}', b'{"version": 99, "resources": {}}',
                                     b'{"version": 2, "resources": {}, "operations": []}'],
                         ids=["garbage", "empty", "list", "foreign", "future version", "wrong type"])
def test_corrupt_state__clear_error_naming_file_and_reset(tmp_path: Path, capsys, content: bytes) -> None:
    state = tmp_path / "emulator.db"
    state.write_bytes(content)
    with pytest.raises(StateFileError) as ei:
        Engine(state_path=state)
    assert str(state) in ei.value.message and "azguest emulator reset" in (ei.value.hint or "")
    assert run(["emulator", "stats", "--state", str(state)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert str(state) in err and "azguest emulator reset" in err and "Traceback" not in err
    assert run(["emulator", "reset", "--state", str(state)]) == 0
    assert Engine(state_path=state).stats()["total"] == 0


def test_state_corrupted_while_serving__answers_with_the_file_and_reset(tmp_path: Path) -> None:
    state = tmp_path / "emulator.db"
    engine = Engine(state_path=state, profile=load_profile("fast"))
    assert engine.handle("PUT", _url(RG_PATH), {}, b'{"location": "eastus"}').status == 201
    state.write_bytes(b"not json")
    resp = engine.handle("GET", _url(RG_PATH), {}, None)
    err = json.loads(resp.body)["error"]
    assert resp.status == 500 and err["code"] == "EmulatorStateInvalid"
    assert str(state) in err["message"] and "azguest emulator reset" in err["message"]


# ---- file permissions and temp files --------------------------------------------------------------


def test_state_files__0600_in_a_0700_folder(tmp_path: Path) -> None:
    state = tmp_path / "new" / "emulator.db"
    engine = Engine(state_path=state, profile=load_profile("fast"))
    engine.handle("PUT", _url(RG_PATH), {}, b'{"location": "eastus"}')
    assert stat.S_IMODE(state.parent.stat().st_mode) == 0o700
    for f in (state, state.with_name(state.name + ".lock")):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_state_write__does_not_follow_a_planted_temp_symlink(tmp_path: Path) -> None:
    """The old temp name was predictable (.<name>.<pid>.tmp): a symlink planted there redirected the write."""
    state = tmp_path / "emulator.db"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / f".{state.name}.{os.getpid()}.tmp").symlink_to(victim)
    engine = Engine(state_path=state, profile=load_profile("fast"))
    engine.handle("PUT", _url(RG_PATH), {}, b'{"location": "eastus"}')
    assert victim.read_text() == "precious"
    assert json.loads(state.read_bytes())["resources"]
