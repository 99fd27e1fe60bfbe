"""Names and addresses: every resource name comes from azguest.naming, and one allocator hands out
static IPs that Azure accepts and nothing else holds."""

from __future__ import annotations

import ast
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

from azguest import naming
from azguest.spec import load_text
from tests.spec.conftest import base_text, mutate

DESIRED = Path(__file__).resolve().parents[2] / "azguest" / "plan" / "desired.py"


def _spelled_names(tree: ast.AST) -> list[int]:
    """Lines where the planner spells a resource name itself: an f-string, a literal or a concatenation
    as the name argument of ``add``, ``arm_id`` or ``key``."""
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("add", "arm_id", "key") and len(node.args) >= 2
                and isinstance(node.args[1], (ast.JoinedStr, ast.Constant, ast.BinOp))):
            out.append(node.lineno)
    return out


def test_planner_spells_no_resource_name_itself():
    assert _spelled_names(ast.parse(DESIRED.read_text(encoding="utf-8"))) == []


def test_spelled_name_finder__catches_an_inline_name():
    code = 'b.add("nsg", f"{lab.name}-nsg", "network", {})\nb.arm_id("vnet", lab.name + "-vnet")\n'
    assert _spelled_names(ast.parse(code)) == [1, 2]


def test_address_pool__skips_azure_reserved_taken_and_broadcast_then_runs_out():
    subnet = IPv4Network("10.0.0.0/29")  # 8 addresses: .0-.3 reserved, .7 broadcast -> .4, .5, .6
    pool = naming.AddressPool([IPv4Address("10.0.0.5")])
    assert [pool.take(subnet) for _ in range(3)] == [IPv4Address("10.0.0.4"), IPv4Address("10.0.0.6"), None]
    assert naming.AddressPool().take(subnet, start=0) == IPv4Address("10.0.0.4")  # never below the reserved


def test_addresses__every_vm_unique_inside_its_subnet_and_never_a_static_ip():
    text = mutate(base_text("iscsi"), [("        ip: 10.40.3.4\n", ""), ("    count: 2", "    count: 5")])
    lab = load_text(text).lab
    assert lab is not None
    given = set(lab.static_ips().values())
    seen: list[IPv4Address] = []
    subnets = {s.name: s.prefix for s in lab.network.subnets}
    for ips in lab.addresses().values():
        for subnet, ip in ips.items():
            assert ip in subnets[subnet] and ip not in given
            seen.append(ip)
    assert len(seen) == len(set(seen)) == 5 * 3 + 1


def test_witness_account_name__valid_storage_name_for_any_lab_name():
    for lab in ("hv-s2d", "A.B_C-" * 10, "x"):
        name = naming.witness_account_name(lab, naming.resource_group_name(lab))
        assert 3 <= len(name) <= 24 and name.isalnum() and name == name.lower()
        assert name == naming.witness_account_name(lab, naming.resource_group_name(lab))  # derived, stable
    assert naming.witness_account_name("lab", "rg", "mine") == "mine"
