"""The storage-mode registry: every mode registered once, no mode branch outside it, the planner builds
exactly the layout a mode declares, and the backup matrix agrees with the validator."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

from azguest.catalog.rules import STORAGE_MODES
from azguest.plan.desired import desired_graph
from azguest.spec import load_lab, load_text
from azguest.spec.models import Backup, Storage
from azguest.storage import BACKUP_METHODS, MODES, StorageLayout, StorageMode, mode_for, register
from tests import sources
from tests.spec.conftest import base_text, mutate

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "azguest"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SUB = "11111111-2222-3333-4444-555555555555"
MODE_NAMES = set(typing.get_args(Storage.model_fields["mode"].annotation))
SETTINGS = {"s2d", "shared_disk", "iscsi"}  # spec.models.Storage fields that are a mode's settings block


def _sources_outside_registry():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "storage" not in path.relative_to(PACKAGE).parts[:1]:
            yield path, sources.nodes(path, ast.Compare, ast.Dict, ast.MatchValue, ast.Attribute)  # parsed once


def _is_mode(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in MODE_NAMES


def _branches(nodes: typing.Iterable[ast.AST]) -> list[int]:
    """Lines that branch on a storage mode: compare with a mode name, a dict keyed by modes, a match case,
    or a read of one mode's settings block (``storage.s2d``)."""
    lines = []
    for node in nodes:
        if isinstance(node, ast.Compare) and any(_is_mode(n) for n in [node.left, *node.comparators]):
            lines.append(node.lineno)
        elif isinstance(node, ast.Dict) and any(k is not None and _is_mode(k) for k in node.keys):
            lines.append(node.lineno)
        elif isinstance(node, ast.MatchValue) and _is_mode(node.value):
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in SETTINGS and (
                (isinstance(node.value, ast.Attribute) and node.value.attr == "storage")
                or (isinstance(node.value, ast.Name) and node.value.id in ("st", "storage"))):
            lines.append(node.lineno)
    return lines


def test_no_storage_mode_branch_outside_the_registry():
    found = {str(p.relative_to(ROOT)): lines for p, nodes in _sources_outside_registry() if (lines := _branches(nodes))}
    assert found == {}


def test_branch_finder__finds_the_branches_the_registry_replaced():
    """The scanner above would have caught the code this registry replaced (so it can fail)."""
    old = ('if lab.cluster.storage.mode == "iscsi": pass\n'
           'blocks = {"s2d": st.s2d, "shared-disk": st.shared_disk}\n'
           'match m:\n    case "shared-disk": pass\n'
           'x = lab.cluster.storage.iscsi\n')
    assert sorted(_branches(ast.walk(ast.parse(old)))) == [1, 2, 2, 2, 4, 5]


def test_every_spec_mode_is_registered_with_its_catalogue_row_and_settings_block():
    assert set(MODES) == MODE_NAMES == set(STORAGE_MODES)
    for name, mode in MODES.items():
        field = Storage.model_fields[mode.settings_field]
        assert (field.alias or mode.settings_field) == name  # the YAML key of its block is the mode's name
        assert mode.rules.mode == name and mode_for(name) is mode
        assert mode.checks and mode.guest_steps  # its guest steps (tests/guest/test_contract.py checks them)


def test_register__refuses_a_mode_the_catalogue_does_not_know():
    with pytest.raises(ValueError, match="STORAGE_MODES"):
        register(StorageMode("nvme-of", "nvme", (), lambda lab: StorageLayout()))
    assert "nvme-of" not in MODES
    with pytest.raises(KeyError, match="s2d"):
        mode_for("nvme-of")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_planner_creates_exactly_the_disks_and_vms_the_mode_declares(path):
    lab = load_lab(path)
    layout = lab.storage_layout()
    graph = desired_graph(lab, SUB)
    disks = {r.name: r for r in graph.resources if r.kind == "disk"}
    for d in layout.disks:
        props = disks[d.name].body["properties"]
        assert (disks[d.name].body["sku"]["name"], props["diskSizeGB"]) == (d.sku, d.size_gb)
        assert props.get("maxShares", 1) == d.max_shares == len(d.attach_to)
    vms = {r.name: r for r in graph.resources if r.kind == "vm"}
    computers = [*lab.cluster.nodes.names(), *(vm.computer for vm in layout.vms)]
    for computer in computers:
        body = vms[f"{lab.name}-{computer}"].body["properties"]
        attached = [x["name"] for x in body["storageProfile"]["dataDisks"]]
        assert attached == [d.name for d in layout.disks_of(computer)]
    for vm in layout.vms:
        nic = next(r for r in graph.resources if r.kind == "nic" and r.name.startswith(f"{lab.name}-{vm.computer}-"))
        ip = nic.body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        assert ip == str(vm.ip or lab.addresses()[vm.computer][lab.network.subnets[vm.subnet].name])


def test_iscsi_target_without_ip__gets_the_first_free_address_from_11_after_the_nodes():
    text = mutate(base_text("iscsi"), [("        ip: 10.40.3.4\n", ""), ("    count: 2", "    count: 12")])
    lab = load_text(text).lab
    assert lab is not None
    addresses = lab.addresses()
    node_ips = {str(ip) for n in lab.cluster.nodes.names() for ip in addresses[n].values()}
    assert "10.40.3.4" in node_ips and "10.40.3.15" in node_ips  # 12 nodes take .4-.15 in the storage subnet
    assert str(addresses["iscsi01"]["storage"]) == "10.40.3.16"


@pytest.mark.parametrize("name", sorted(MODE_NAMES))
def test_backup_support__every_method_judged_with_a_reason_and_a_primary_source(name):
    backup = mode_for(name).backup
    assert set(backup) == set(BACKUP_METHODS) == set(typing.get_args(Backup.model_fields["mode"].annotation)) - {"auto"}
    for support in backup.values():
        assert support.verdict in ("supported", "lab-only", "refused")
        assert support.reason and support.source
        assert "shared/" not in support.source and "azure-facts" not in support.source


def _backup_findings(base: str, method: str) -> list[str]:
    text = base_text(base)
    current = next(line for line in text.splitlines() if line.startswith("  mode: "))
    result = load_text(mutate(text, [(current, f"  mode: {method}")]))
    return [f.code for f in result.findings]


@pytest.mark.parametrize("mode", sorted(MODE_NAMES))
@pytest.mark.parametrize("method", BACKUP_METHODS)
def test_backup_support__refused_methods_are_refused_by_validate_and_supported_ones_pass(mode, method):
    verdict = mode_for(mode).backup[method].verdict
    codes = _backup_findings({"s2d": "s2d", "shared-disk": "shared", "iscsi": "iscsi"}[mode], method)
    if verdict == "refused":
        assert "AZG-BACKUP-MODE" in codes
    if verdict == "supported":
        assert "AZG-BACKUP-MODE" not in codes


def test_s2d__vm_backup_refused_as_host_level_and_cold_is_lab_only():
    s2d = mode_for("s2d").backup
    assert s2d["vm"].verdict == "refused" and "host-level" in s2d["vm"].reason
    assert "storage-spaces-direct-in-vm" in s2d["vm"].source
    assert s2d["cold"].verdict == "lab-only"
    # restore points exclude shared disks: vm backs them up with their own snapshots
    assert mode_for("shared-disk").backup["vm"].verdict == "supported"
    assert "excludeDisks" in mode_for("shared-disk").backup["vm"].reason
