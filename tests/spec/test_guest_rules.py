"""Issue 10's validator rules: a storage design Azure VMs cannot host (Virtual Fibre Channel) is refused with
the nearest designs named, S2D needs a Datacenter image, and a static cluster IP is called out (azguest
names the cluster with a distributed network name)."""

from __future__ import annotations

import pytest

from azguest.catalog.rules import RULES
from azguest.errors import SpecError
from azguest.spec import load_text
from azguest.spec.loader import checked
from azguest.spec.starter import render_starter
from tests.spec.conftest import base_text, mutate


@pytest.mark.parametrize("mode", ["vfc", "VFC", "fibre-channel"])
def test_validate__vfc_is_refused_as_absent_on_azure_with_the_nearest_designs(mode):
    result = load_text(mutate(base_text("s2d"), [("    mode: s2d", f"    mode: {mode}")]), filename="lab.yaml")
    assert result.lab is None
    (f,) = result.findings  # one finding that explains, not also pydantic's "input should be ..."
    assert (f.code, f.path, f.severity) == ("AZG-STORAGE-MODE", "cluster.storage.mode", "error")
    assert "does not exist on Azure VMs" in f.message
    assert "use mode: shared-disk" in f.message
    assert "shared disks replace Shared VHDX / VHD Set and Virtual Fibre Channel" in f.message
    assert "iSCSI stays iSCSI" in f.message


def test_validate__any_unknown_mode_names_the_modes_and_the_mapping():
    (f,) = load_text(mutate(base_text("s2d"), [("    mode: s2d", "    mode: raid")])).findings
    assert f.code == "AZG-STORAGE-MODE"
    assert "'raid'" in f.message and "s2d" in f.message and "shared-disk" in f.message and "iscsi" in f.message
    assert "Virtual Fibre Channel" in f.message


@pytest.mark.parametrize("sku", ["2022-standard", "2019-Standard-Core", "2025-standard-azure-edition"])
def test_validate__s2d_on_a_standard_edition_image_is_refused_with_its_source(sku):
    text = mutate(base_text("s2d"), [("sku: 2022-datacenter-azure-edition,", f"sku: {sku},")])
    result = load_text(text)
    assert result.lab is None
    (f,) = result.findings
    assert (f.code, f.path) == ("AZG-S2D-EDITION", "cluster.image.sku")
    assert sku in f.message and "Datacenter" in f.message
    assert "deploy-storage-spaces-direct.md" in RULES["AZG-S2D-EDITION"].source


def test_validate__a_static_cluster_ip_warns_that_only_its_owner_node_answers():
    result = load_text(mutate(base_text("s2d"), [("  dnn: true", "  ip: 10.20.1.10")]), filename="lab.yaml")
    assert result.lab is not None  # a warning: the lab deploys (with a DNN), the IP is not used
    (f,) = result.findings
    assert (f.code, f.path, f.severity) == ("AZG-CLUSTER-IP-OWNER", "cluster.ip", "warning")
    assert "only on the node that owns it" in f.message and "load balancer" in f.message
    assert "dnn: true" in f.message
    with pytest.raises(SpecError):
        checked(result, "lab.yaml", strict=True)


@pytest.mark.parametrize("mode", ["s2d", "shared-disk", "iscsi"])
def test_init__starters_name_the_cluster_with_a_dnn_not_an_ip(mode):
    text = render_starter("lab1", storage=mode)
    result = load_text(text)
    assert result.findings == [] and result.lab is not None
    assert result.lab.cluster.dnn and result.lab.cluster.ip is None
