"""The examples validate clean, and the model exposes what the deploy engine needs."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import IPv4Address

import pytest
from pydantic import ValidationError

from azguest.errors import ConfigError, SpecError
from azguest.spec import load, load_lab, resolve_password
from tests.spec.conftest import BASES, EXAMPLES


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_example__validates_clean(name):
    result = load(EXAMPLES / name)
    assert result.findings == [], [f.render() for f in result.findings]
    assert result.lab is not None


def test_examples__required_set_present():
    names = {p.name for p in EXAMPLES.glob("*.yaml")}
    assert {"s2d-2node.yaml", "shared-disk-3node.yaml", "iscsi-2node.yaml", "training-class.yaml"} <= names


def test_lab__derived_values():
    lab = load_lab(BASES["s2d"])
    assert lab.name == "hv-s2d"
    assert lab.resource_group_name == "rg-hv-s2d"
    assert lab.cluster.nodes.names() == ["hv01", "hv02"]
    assert lab.cluster.nodes.name_prefix == "hv"
    assert lab.cluster.nodes.os_disk.size_gb == 128
    assert lab.expires_after == timedelta(days=7)
    totals = lab.cluster.workload_totals()
    assert (totals.count, totals.vcpus, totals.memory_mb, totals.disk_gb) == (2, 4, 8192, 80)
    assert lab.cluster.anti_affinity_classes() == {"web": ["web01", "web02"]}
    assert lab.cluster.image.windows_server_version == 2022
    assert lab.cluster.placement.effective_availability_set.fault_domains == 2
    assert [d.size_gb for d in lab.cluster.storage.s2d.node_disks()] == [256, 256]
    assert lab.domain.netbios_name == "LAB"


def test_lab__defaults():
    lab = load_lab(BASES["shared"])
    assert lab.resource_group_name == "rg-hv-shared"
    assert lab.domain.netbios_name == "SHARED"
    assert lab.cluster.nodes.security_type == "Standard"
    assert lab.backup.retention.keep_last == 7
    assert lab.lifetime.auto_shutdown is None
    assert lab.witness_storage_account_name.startswith("sthvshared")
    assert 3 <= len(lab.witness_storage_account_name) <= 24


def test_lab__ips():
    lab = load_lab(BASES["iscsi"])
    assert lab.static_ips()["iscsi-target"] == IPv4Address("10.40.3.4")
    ips = lab.node_ips()
    assert ips["is01"]["management"] == IPv4Address("10.40.1.5")  # .4 is the DC
    assert ips["is02"]["storage"] == IPv4Address("10.40.3.6")  # .4 is the target
    assert lab.cluster.ip not in {ip for node in ips.values() for ip in node.values()}


def test_spec_hash__stable_and_sensitive(tmp_path):
    a = load_lab(BASES["s2d"])
    assert a.spec_hash() == load_lab(BASES["s2d"]).spec_hash()
    assert len(a.spec_hash()) == 12
    text = BASES["s2d"].read_text().replace("sizeGB: 256", "sizeGB: 512")
    (tmp_path / "b.yaml").write_text(text)
    assert load_lab(tmp_path / "b.yaml").spec_hash() != a.spec_hash()
    # Formatting and comments do not change it.
    (tmp_path / "c.yaml").write_text("# a comment\n" + BASES["s2d"].read_text().replace("  #", "     #"))
    assert load_lab(tmp_path / "c.yaml").spec_hash() == a.spec_hash()


def test_models__frozen():
    lab = load_lab(BASES["s2d"])
    with pytest.raises(ValidationError):
        lab.name = "x"  # type: ignore[misc]


def test_load_lab__raises_spec_error_with_findings(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(BASES["s2d"].read_text().replace("    count: 2", "    count: 5"))
    with pytest.raises(SpecError) as e:
        load_lab(p)
    assert e.value.details["findings"][0]["code"] == "AZG-S2D-NODES"


def test_load_lab__strict_counts_warnings(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text(BASES["s2d"].read_text().replace("Standard_D8s_v5", "Standard_Q8"))
    assert load_lab(p).name == "hv-s2d"
    with pytest.raises(SpecError):
        load_lab(p, strict=True)


def test_resolve_password__env():
    lab = load_lab(BASES["s2d"])
    assert resolve_password(lab, env={"AZGUEST_ADMIN_PASSWORD": "Str0ng-Passw0rd!"}) == "Str0ng-Passw0rd!"


def test_resolve_password__missing_env_and_weak_never_show_value():
    lab = load_lab(BASES["s2d"])
    with pytest.raises(ConfigError) as e:
        resolve_password(lab, env={})
    assert e.value.code == "AZG-SECRET-ENV"
    with pytest.raises(ConfigError) as e:
        resolve_password(lab, env={"AZGUEST_ADMIN_PASSWORD": "weakpass"})
    assert e.value.code == "AZG-SECRET-WEAK" and "weakpass" not in str(e.value.to_dict())


def test_resolve_password__prompt_and_keyvault(tmp_path):
    text = BASES["s2d"].read_text()
    p = tmp_path / "prompt.yaml"
    p.write_text(text.replace("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}\n", ""))
    lab = load_lab(p)
    assert resolve_password(lab, prompt=lambda _: "Pr0mpted-Secret!") == "Pr0mpted-Secret!"
    with pytest.raises(ConfigError) as e:
        resolve_password(lab)
    assert e.value.code == "AZG-SECRET-PROMPT"
    p.write_text(text.replace("{fromEnv: AZGUEST_ADMIN_PASSWORD}", "{fromKeyVault: {vault: kv1, secret: adm}}"))
    with pytest.raises(ConfigError) as e:
        resolve_password(load_lab(p), env={})
    assert e.value.code == "AZG-SECRET-KEYVAULT"
