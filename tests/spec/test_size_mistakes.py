"""A size without Premium storage, asked for Premium disks: an error that names the Premium sibling."""

from __future__ import annotations

from azguest.spec import load_text
from tests.spec.conftest import base_text, mutate


def _findings(edits):
    result = load_text(mutate(base_text("s2d"), edits), filename="lab.yaml")
    return result, {f.code: f for f in result.findings}


def test_nodes_without_premium__error_naming_the_s_sibling_not_unknown_size():
    result, found = _findings([("    size: Standard_D8s_v5", "    size: Standard_D8_v5")])
    assert result.lab is None and "AZG-SIZE-UNKNOWN" not in found
    f = found["AZG-SIZE-PREMIUM"]
    assert f.severity == "error" and f.path == "cluster.nodes.size" and "Standard_D8s_v5" in f.message


def test_dc_without_premium_but_premium_os_disk__error_naming_the_sibling():
    result, found = _findings([("    size: Standard_D2s_v5", "    size: Standard_D2_v5")])
    f = found["AZG-SIZE-PREMIUM"]
    assert result.lab is None and f.path == "domain.controller.size" and "Standard_D2s_v5" in f.message


def test_dc_without_premium_with_standard_ssd_os_disk__fine():
    text = mutate(base_text("s2d"), [("    size: Standard_D2s_v5", "    size: Standard_D2_v5")])
    text = text.replace("  nodes:\n", "  nodes:\n    osDisk: {sku: StandardSSD_LRS}\n", 1)
    result = load_text(text)
    assert "AZG-SIZE-PREMIUM" not in {f.code for f in result.findings}, [f.render() for f in result.findings]


def test_new_series_are_known_and_usable_for_nodes():
    for size in ("Standard_D8s_v4", "Standard_D8ds_v5", "Standard_D8as_v5", "Standard_E8s_v6"):
        result, found = _findings([("    size: Standard_D8s_v5", f"    size: {size}")])
        assert not {"AZG-SIZE-UNKNOWN", "AZG-SIZE-PREMIUM", "AZG-SIZE-NESTED"} & set(found), (size, list(found))


def test_iscsi_target_without_premium__premium_data_disks_name_the_sibling():
    text = mutate(base_text("iscsi"), [("        size: Standard_D4s_v5", "        size: Standard_D4_v5")])
    found = {f.code: f for f in load_text(text).findings}
    assert "Standard_D4s_v5" in found["AZG-ISCSI-PREMIUM"].message
    assert "AZG-SIZE-PREMIUM" not in found  # one finding for the target, from its mode


def test_iscsi_target_without_premium__premium_os_disk_alone_is_an_error():
    text = mutate(base_text("iscsi"), [("        size: Standard_D4s_v5", "        size: Standard_D4_v5")])
    text = text.replace("{sku: Premium_LRS, sizeGB", "{sku: StandardSSD_LRS, sizeGB")
    found = {f.code: f for f in load_text(text).findings}
    f = found["AZG-SIZE-PREMIUM"]
    assert f.path == "cluster.storage.iscsi.target.size" and "Standard_D4s_v5" in f.message
