"""The planner: spec -> desired resources, checked against Azure's rules and azguest's promises."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from azguest.catalog.disks import max_shares_limit
from azguest.catalog.sizes import lookup_size
from azguest.execute.dag import Task, run_graph
from azguest.plan.desired import desired_graph
from azguest.plan.model import SECRET_PLACEHOLDER, TAG_LAB, TAG_ROLE, TAG_SPEC
from azguest.spec import load_lab, load_text

EXAMPLES = sorted(Path(__file__).parents[2].joinpath("examples").glob("*.yaml"))
SUB = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def graph(request):
    return desired_graph(load_lab(request.param), SUB)


def test_graph__every_resource_tagged_and_ids_unique(graph):
    ids = [r.arm_id.lower() for r in graph.resources]
    assert len(ids) == len(set(ids))
    for r in graph.resources:
        tags = r.body["tags"]
        assert tags[TAG_LAB] == graph.lab and tags[TAG_ROLE] == r.role and len(tags[TAG_SPEC]) == 16


def test_graph__dependencies_exist_and_are_acyclic(graph):
    keys = {r.key for r in graph.resources}
    for r in graph.resources:
        assert set(r.depends_on) <= keys
    order: list[str] = []
    tasks = [Task(r.key, (lambda k=r.key: order.append(k)), r.depends_on) for r in graph.resources]
    outcomes = run_graph(tasks, max_workers=1)
    assert all(o.state == "succeeded" for o in outcomes.values())
    pos = {k: i for i, k in enumerate(order)}
    for r in graph.resources:
        assert all(pos[d] < pos[r.key] for d in r.depends_on)


def test_graph__vms_nest_standard_security_premium_and_attach_what_they_depend_on(graph):
    by_id = {r.arm_id.lower(): r for r in graph.resources}
    for vm in (r for r in graph.resources if r.kind == "vm"):
        props = vm.body["properties"]
        size = lookup_size(props["hardwareProfile"]["vmSize"])
        assert size is not None and size.premium_io
        assert props["securityProfile"] == {"securityType": "Standard"}
        if vm.role == "node":
            assert size.nested and "availabilitySet" in props or "zones" in vm.body
        for nic in props["networkProfile"]["networkInterfaces"]:
            assert by_id[nic["id"].lower()].key in vm.depends_on
        for disk in props["storageProfile"]["dataDisks"]:
            d = by_id[disk["managedDisk"]["id"].lower()]
            assert d.key in vm.depends_on
            if d.body["properties"].get("maxShares", 1) > 1:
                assert disk["caching"] == "None"


def test_graph__secret_is_a_placeholder_never_a_value(graph):
    text = json.dumps([r.body for r in graph.resources])
    assert text.count(SECRET_PLACEHOLDER) == sum(1 for r in graph.resources if r.kind == "vm")
    assert "password" not in text.replace(SECRET_PLACEHOLDER, "").replace("adminPassword", "").lower()


def test_graph__shared_disks_within_tier_limits_and_on_every_node(graph):
    nodes = [r for r in graph.resources if r.kind == "vm" and r.role == "node"]
    for d in (r for r in graph.resources if r.kind == "disk"):
        shares = d.body["properties"].get("maxShares", 1)
        assert shares <= max_shares_limit(d.body["sku"]["name"], d.body["properties"]["diskSizeGB"])
        holders = [vm for vm in nodes if d.key in vm.depends_on]
        if shares > 1:
            assert len(holders) == shares == len(nodes)


def test_graph__static_ips_unique_inside_subnets_and_not_reserved(graph):
    vnet = next(r for r in graph.resources if r.kind == "vnet")
    subnets = {s["name"]: ipaddress.ip_network(s["properties"]["addressPrefix"])
               for s in vnet.body["properties"]["subnets"]}
    seen = []
    for nic in (r for r in graph.resources if r.kind == "nic"):
        conf = nic.body["properties"]["ipConfigurations"][0]["properties"]
        ip = ipaddress.ip_address(conf["privateIPAddress"])
        net = subnets[conf["subnet"]["id"].rsplit("/", 1)[1]]
        assert ip in net and int(ip) - int(net.network_address) >= 4 and ip != net.broadcast_address
        seen.append(ip)
    assert len(seen) == len(set(seen))


def test_graph__no_inbound_internet_by_default_and_witness_account_locked_down(graph):
    nsg = next(r for r in graph.resources if r.kind == "nsg")
    assert nsg.body["properties"]["securityRules"] == []
    assert not [r for r in graph.resources if r.kind == "publicIp"]
    for sa in (r for r in graph.resources if r.kind == "storageAccount"):
        p = sa.body["properties"]
        assert sa.body["sku"]["name"] == "Standard_LRS" and sa.body["kind"] == "StorageV2"
        assert p["supportsHttpsTrafficOnly"] is True and p["minimumTlsVersion"] == "TLS1_2"
        assert p["allowBlobPublicAccess"] is False


def _variant(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text
    return load_text(text.replace(old, new), filename=path.name).lab


def test_graph__rdp_sources_open_exactly_rdp_from_those_sources():
    src = EXAMPLES[0].parent / "s2d-2node.yaml"
    lab = _variant(src, "allowRdpFrom: []", "allowRdpFrom: [203.0.113.0/24]")
    g = desired_graph(lab, SUB)
    rules = next(r for r in g.resources if r.kind == "nsg").body["properties"]["securityRules"]
    assert [(x["properties"]["destinationPortRange"], x["properties"]["sourceAddressPrefixes"]) for x in rules] \
        == [("3389", ["203.0.113.0/24"])]
    assert [r.role for r in g.resources if r.kind == "publicIp"] == ["network"]


def test_graph__hash_stable_and_changes_only_where_the_spec_changed():
    src = EXAMPLES[0].parent / "s2d-2node.yaml"
    a = {r.key: r.body["tags"][TAG_SPEC] for r in desired_graph(load_lab(src), SUB).resources}
    b = {r.key: r.body["tags"][TAG_SPEC] for r in desired_graph(load_lab(src), SUB).resources}
    assert a == b
    lab = _variant(src, "sizeGB: 256", "sizeGB: 512")
    c = {r.key: r.body["tags"][TAG_SPEC] for r in desired_graph(lab, SUB).resources}
    changed = {k for k in a if a[k] != c[k]}
    assert changed and all(k.startswith("disk/") and "-s2d" in k for k in changed)


def test_graph__a_new_lifetime_rebuilds_only_the_group_and_equals_a_full_build():
    from azguest.plan.desired import with_group_lifetime
    from azguest.plan.model import TAG_EXPIRES

    for src in EXAMPLES:
        lab = load_lab(src)
        probe = desired_graph(lab, SUB)
        for lifetime in ({}, {TAG_EXPIRES: "2027-01-15T18:00:00Z"}):
            assert with_group_lifetime(probe, lab, lifetime) == desired_graph(lab, SUB, lifetime=lifetime), src.stem
        again = with_group_lifetime(probe, lab, {TAG_EXPIRES: "2027-01-15T18:00:00Z"})
        assert [d.key for d in again.resources] == [d.key for d in probe.resources]
        changed = [d.key for d, p in zip(again.resources, probe.resources, strict=True) if d != p]
        assert changed == [f"resourceGroup/{lab.resource_group_name}"]
