"""Valid variants of the examples stay clean: no false positives on specs Azure accepts."""

from __future__ import annotations

import pytest

from azguest.spec import load_text
from tests.spec.conftest import base_text, mutate

AVSET3 = "    availabilitySet: {faultDomains: 3, updateDomains: 5}"
CSV1 = "csv1, sku: Premium_LRS"
CSV2 = "csv2, sku: Premium_LRS"

VARIANTS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("s2d-3-nodes", "s2d", [("    count: 2", "    count: 3")]),
    ("s2d-datacenter-g2", "s2d", [("sku: 2022-datacenter-azure-edition,", "sku: 2022-datacenter-g2,")]),
    ("s2d-2019-datacenter-core", "s2d", [("sku: 2022-datacenter-azure-edition,", "sku: 2019-Datacenter-Core,")]),
    ("shared-disk-standard-edition", "shared", [("  dnn: true", "  dnn: true\n  image: {sku: 2022-standard}")]),
    ("shared-zones-zrs", "shared", [(AVSET3, "    zones: [1, 2, 3]"), (CSV1, "csv1, sku: Premium_ZRS"),
                                    (CSV2, "csv2, sku: StandardSSD_ZRS"),
                                    ("witnessDisk: {sizeGB: 8}", "witnessDisk: {sizeGB: 8, sku: Premium_ZRS}")]),
    ("shared-ultra-one-zone", "shared", [(AVSET3, "    zones: [2]"), (CSV1, "csv1, sku: UltraSSD_LRS"),
                                         (CSV2, "csv2, sku: PremiumV2_LRS")]),
    ("shared-10-nodes-p60", "shared", [("    count: 3", "    count: 10"),
                                       ("sizeGB: 1024, caching: None", "sizeGB: 8192, caching: None"),
                                       ("csv2, sku: Premium_LRS, sizeGB: 1024", "csv2, sku: Premium_LRS, sizeGB: 8192"),
                                       ("witnessDisk: {sizeGB: 8}", "witnessDisk: {sizeGB: 8192}")]),
    ("shared-2-nodes-witness-disk", "shared", [("    count: 3", "    count: 2")]),
    ("iscsi-16-nodes", "iscsi", [("    count: 2", "    count: 16")]),
    ("iscsi-3-nodes-no-witness", "iscsi", [("    count: 2", "    count: 3"), ("  witness: cloud", "  witness: none")]),
    ("iscsi-target-ip-planned", "iscsi", [("        ip: 10.40.3.4\n", "")]),
    ("small-subnets-fit", "s2d", [("prefix: 10.20.1.0/24}", "prefix: 10.20.1.0/28}"),
                                  ("prefix: 10.20.2.0/24}", "prefix: 10.20.2.0/29}")]),
]


@pytest.mark.parametrize("case", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_valid_variant__no_findings(case):
    _, base, edits = case
    result = load_text(mutate(base_text(base), edits), filename="lab.yaml")
    assert result.findings == [], [f.render() for f in result.findings]
    assert result.lab is not None


def test_node_ips__never_take_a_static_address():
    """The planner's node addresses skip the DC, cluster and target IPs, so they cannot collide."""
    text = mutate(base_text("s2d"), [("  dnn: true", "  ip: 10.20.1.5")])
    lab = load_text(text).lab
    assert lab is not None
    node_ips = {ip for ips in lab.node_ips().values() for ip in ips.values()}
    assert not node_ips & set(lab.static_ips().values())
    assert all(len(ips) == len(lab.network.subnets) for ips in lab.node_ips().values())
