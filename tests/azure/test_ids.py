"""ArmId: parse, format, navigate and build ARM ids (top-level, child, group, subscription)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azguest.azure.ids import ArmId, ArmIdError, group_of, name_of

SUB = "00000000-0000-0000-0000-000000000001"
VM = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"
RC = f"{VM}/runCommands/rc1"
RP = (f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/restorePointCollections/c1"
      "/restorePoints/p1")


def test_child_run_command_id_parses_into_parts_and_parent() -> None:
    rc = ArmId.parse(RC)
    assert (rc.subscription, rc.resource_group, rc.namespace) == (SUB, "rg1", "Microsoft.Compute")
    assert rc.arm_type == "Microsoft.Compute/virtualMachines/runCommands"
    assert rc.name == "rc1" and rc.names == ("vm1", "rc1") and rc.is_child
    assert str(rc.parent) == VM
    assert rc.parent is not None and rc.parent.arm_type == "Microsoft.Compute/virtualMachines"
    assert str(rc.group) == f"/subscriptions/{SUB}/resourceGroups/rg1"


def test_restore_point_builds_like_azure_spells_it() -> None:
    built = ArmId.build(SUB, "rg1", "Microsoft.Compute/restorePointCollections/restorePoints", "c1", "p1")
    assert str(built) == RP
    assert ArmId.parse(RP) == built
    assert str(ArmId.build(SUB, "rg1", "Microsoft.Compute/virtualMachines", "vm1").child("runCommands", "rc1")) == RC


def test_parent_chain_ends_at_subscription() -> None:
    chain, cur = [], ArmId.parse(RC)
    while cur is not None:
        chain.append(cur.arm_type)
        cur = cur.parent
    assert chain == ["Microsoft.Compute/virtualMachines/runCommands", "Microsoft.Compute/virtualMachines",
                     "Microsoft.Resources/resourceGroups", "Microsoft.Resources/subscriptions"]


def test_group_and_subscription_ids() -> None:
    g = ArmId.parse(f"/subscriptions/{SUB}/resourcegroups/Lab-RG/")
    assert g.resource_group == "Lab-RG" and g.arm_type == "Microsoft.Resources/resourceGroups" and g.name == "Lab-RG"
    assert ArmId.build(SUB, "Lab-RG", "Microsoft.Resources/resourceGroups") == ArmId.for_group(SUB, "Lab-RG")
    s = ArmId.parse(f"/subscriptions/{SUB}")
    assert s.resource_group is None and s.group is None and s.parent is None and s.name == SUB


def test_comparison_is_case_insensitive_but_spelling_is_kept() -> None:
    upper = ArmId.parse(RC.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/"))
    assert upper.same(RC) and upper.key == ArmId.parse(RC).key
    assert str(upper) != RC  # round trip keeps the caller's spelling


@pytest.mark.parametrize("bad", [
    "", "vm1", "/subscriptions/", "/subscriptions/s/resourceGroups", "/subscriptions/s/foo/bar",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/runCommands",
    "/subscriptions/s/resourceGroups/rg/providers/A.B/x/y/providers/C.D/z/w",
    "/subscriptions/s/resourceGroups//providers/A.B/x/y",
])
def test_malformed_ids_are_refused(bad: str) -> None:
    with pytest.raises(ArmIdError):
        ArmId.parse(bad)
    assert ArmId.try_parse(bad) is None
    assert name_of(bad) == ""


def test_builder_refuses_wrong_name_count() -> None:
    with pytest.raises(ArmIdError):
        ArmId.build(SUB, "rg", "Microsoft.Compute/virtualMachines/runCommands", "vm1")
    with pytest.raises(ArmIdError):
        ArmId.parse(f"/subscriptions/{SUB}/resourceGroups/rg").child("runCommands", "x")


def test_helpers_replace_split_parsing() -> None:
    assert group_of(RC) == "rg1" and group_of(f"/subscriptions/{SUB}") is None and group_of(None) is None
    assert name_of(RP) == "p1"


_part = st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1, max_size=12)


def _make(sub: str, rg: str | None, ns: str, segs: list[tuple[str, str]]) -> ArmId:
    segments = tuple(segs) if rg is not None else ()
    return ArmId(sub, rg, ns if segments else None, segments)


_ids = st.builds(_make, _part, st.none() | _part, _part, st.lists(st.tuples(_part, _part), max_size=3))


@given(_ids)
def test_format_then_parse_round_trips(arm_id: ArmId) -> None:
    if any(t.lower() == "providers" for t, _ in arm_id.segments):
        with pytest.raises(ArmIdError):
            ArmId.parse(str(arm_id))
        return
    text = str(arm_id)
    parsed = ArmId.parse(text)
    assert parsed == arm_id
    assert str(parsed) == text
    if arm_id.is_child:
        assert parsed.parent is not None and parsed.parent.child(*arm_id.segments[-1]) == arm_id
