"""`lab clone` and `lab rebuild` on the emulator (in-memory, clocked: nothing sleeps), read back with the raw SDK:
N isolated labs from one golden backup (own group, VNet with the same address space and no peering, gateway or
public IP, own witness account, lab tag and expiry), each passing `azguest test`; one failing clone leaves the
others intact and a re-run finishes only it with no write to the others; shards partition the indices; a
rebuild always ends with one fresh lab."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from azguest.emulator.profile import Faults, LroFailure
from azguest.errors import PartialError, UsageError
from azguest.guest.health import run_checks
from azguest.restore.fleet import TAG_CLONE_OF, Shard, clone_labs, clone_names, rebuild_lab
from tests.deploy.conftest import writes
from tests.restore.conftest import backed_up


def _class(sess, engine):
    """The s2d example lab, configured, with a complete cold backup; quota for a class of clones."""
    lab, m = backed_up(sess, engine, "s2d", "cold")
    for family in ("cores", "standardDSv5Family"):
        engine.set_quota(lab.location, family, 1000)
    return lab, m


def _groups(sess, prefix: str) -> dict[str, dict[str, str]]:
    return {g.name: dict(g.tags or {}) for g in sess.resource.resource_groups.list()
            if (g.tags or {}).get("azguest-lab", "").startswith(prefix)}


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_clone_count_5__five_isolated_labs_each_passes_azguest_test(sess, engine):
    lab, m = _class(sess, engine)
    engine.reset_log()
    record = clone_labs(sess, m.id, count=5, prefix="student-", expires="1d")
    assert not [w for w in writes(engine) if "peering" in w.path.lower() or "gateway" in w.path.lower()]
    assert record.ok and [x.lab for x in record.labs] == [f"student-{i}" for i in range(1, 6)]
    assert record.summary() == {"created": 5, "skipped": 0, "failed": 0}
    groups = _groups(sess, "student-")
    assert sorted(groups) == [f"rg-student-{i}" for i in range(1, 6)]
    source_vnet = next(iter(sess.network.virtual_networks.list(lab.resource_group_name)))
    witnesses = set()
    for rg, tags in groups.items():
        assert tags["azguest-lab"] == rg.removeprefix("rg-") and tags[TAG_CLONE_OF] == m.id
        created, expires = _stamp(tags["azguest-created-at"]), _stamp(tags["azguest-expires"])
        assert expires - created == timedelta(days=1) and tags["azguest-expires-after"] == "1d"  # not the spec's 7d
        vnets = list(sess.network.virtual_networks.list(rg))
        assert len(vnets) == 1 and vnets[0].address_space.address_prefixes == source_vnet.address_space.address_prefixes
        vnet = sess.network.virtual_networks.get(rg, vnets[0].name)
        assert not vnet.virtual_network_peerings
        assert all(s.name.lower() != "gatewaysubnet" for s in vnets[0].subnets)
        assert not list(sess.network.public_ip_addresses.list(rg))
        for nsg in sess.network.network_security_groups.list(rg):
            assert not [r for r in nsg.security_rules if r.direction == "Inbound" and r.access == "Allow"]
        accounts = [a.name for a in sess.storage.storage_accounts.list_by_resource_group(rg)]
        assert len(accounts) == 1
        witnesses.add(accounts[0])
        report = run_checks(sess, tags["azguest-lab"])
        assert report.ok, (rg, [c.to_dict() for c in report.failed()])
    assert len(witnesses) == 5
    assert lab.witness_storage_account_name not in witnesses
    assert run_checks(sess, lab.name).ok  # the golden lab is untouched


def test_clone__one_failing_lab_leaves_the_others_and_a_rerun_finishes_only_it(sess, engine):
    _lab, m = _class(sess, engine)
    engine.profile = engine.profile.replace(faults=Faults(lro_failures=(
        LroFailure(type="Microsoft.Compute/virtualMachines", name="student-2-*", code="AllocationFailed", times=0),)))
    with pytest.raises(PartialError) as ei:
        clone_labs(sess, m.id, count=3, prefix="student-")
    result = ei.value.result
    assert ei.value.code == "AZG-CLONE-PARTIAL" and result["failed"] == ["student-2"]
    states = {x["lab"]: x["state"] for x in result["labs"]}
    assert states == {"student-1": "created", "student-2": "failed", "student-3": "created"}
    assert result["labs"][1]["error"]["code"]
    for name in ("student-1", "student-3"):
        assert run_checks(sess, name).ok
    engine.profile = engine.profile.replace(faults=Faults())
    engine.reset_log()
    record = clone_labs(sess, m.id, count=3, prefix="student-")
    assert {x.lab: x.state for x in record.labs} == {"student-1": "skipped", "student-2": "created",
                                                     "student-3": "skipped"}
    touched = {w.path.lower().split("/resourcegroups/")[1].split("/")[0] for w in writes(engine)
               if "/resourcegroups/" in w.path.lower()}
    assert touched == {"rg-student-2"}
    assert run_checks(sess, "student-2").ok
    engine.reset_log()
    again = clone_labs(sess, m.id, count=3, prefix="student-")
    assert again.summary() == {"created": 0, "skipped": 3, "failed": 0} and writes(engine) == []


@pytest.mark.parametrize("total", [1, 2, 3, 4, 7, 60])
def test_shards__partition_the_indices_round_robin(total):
    count = 60
    picked = [clone_names("student-", count, Shard(i, total)) for i in range(1, total + 1)]
    flat = [n for p in picked for n in p]
    assert sorted(flat) == sorted(f"student-{i}" for i in range(1, count + 1)) and len(flat) == len(set(flat))
    assert max(map(len, picked)) - min(map(len, picked)) <= 1
    assert picked[0][0] == "student-1" and (total == 1 or picked[1][0] == "student-2")


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "1/0"])
def test_shard__bad_text_is_a_usage_error(text):
    with pytest.raises(UsageError):
        Shard.parse(text)


def test_clone_shard__creates_only_its_labs(sess, engine):
    _lab, m = _class(sess, engine)
    record = clone_labs(sess, m.id, count=4, prefix="class-", shard=Shard.parse("2/2"))
    assert [x.lab for x in record.labs] == ["class-2", "class-4"] and record.ok
    assert sorted(_groups(sess, "class-")) == ["rg-class-2", "rg-class-4"]


def _lab_ids(engine, rg: str) -> set[str]:
    return {k for k, r in engine.store.state["resources"].items() if f"/resourcegroups/{rg}/" in k.lower()}


def test_rebuild__destroy_then_restore_twice_ends_with_one_fresh_healthy_lab(sess, engine):
    _lab, m = _class(sess, engine)
    first = rebuild_lab(sess, "nightly", m.id)
    assert first.ok and first.destroyed is None
    assert run_checks(sess, "nightly").ok
    kinds_after_first = sorted(k.rsplit("/", 2)[-2] for k in _lab_ids(engine, "rg-nightly"))
    second = rebuild_lab(sess, "nightly", m.id)
    assert second.ok and second.destroyed is not None and second.destroyed["ok"]
    assert run_checks(sess, "nightly").ok
    assert sorted(k.rsplit("/", 2)[-2] for k in _lab_ids(engine, "rg-nightly")) == kinds_after_first
    assert _groups(sess, "nightly")["rg-nightly"][TAG_CLONE_OF] == m.id
