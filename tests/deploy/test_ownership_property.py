"""Property: destroy and gc delete exactly the resources azguest created for the target lab.

Hypothesis builds random subscriptions on the emulator: the lab's one group (created by azguest, or a
pre-existing group the spec named), foreign groups carrying random subsets of azguest's group tags
(or another lab's full set), and resources in any group carrying random subsets of azguest's tags,
some with a past ``azguest-expires``. Only resources given the full tag set inside the lab's group
are "created by azguest for the lab". destroy and gc must delete those and nothing else; a foreign
group dressed with the lab's full group tags makes destroy refuse before any delete.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azguest.azure import AzureSession
from azguest.deploy.lease import LeasePolicy
from azguest.deploy.teardown import destroy, plan_gc, plan_teardown
from azguest.emulator import Engine
from azguest.emulator.profile import Latency, Profile
from azguest.errors import ConflictError
from tests.conftest import examples
from tests.deploy.test_ownership import disk, group

LAB, OTHER = "lab-a", "lab-b"
PAST = "2000-01-01T00:00:00Z"
HASH = "0123456789abcdef"
GROUP_TAGS = {"azguest-lab": LAB, "azguest-role": "network", "azguest-spec": HASH}
RES_TAGS = {"azguest-lab": LAB, "azguest-role": "node", "azguest-spec": HASH}
NO_WAIT = LeasePolicy(settle_s=0, renew_every_s=None, sleep=lambda s: None)

tag_subset = st.sets(st.sampled_from(sorted(RES_TAGS)))
resource = st.fixed_dictionaries({
    "where": st.sampled_from(["lab", "foreign0", "foreign1"]),
    "tags": tag_subset,  # which of azguest's tags it carries
    "bad_hash": st.booleans(),  # a hand-written azguest-spec that is no hash
    "lab": st.sampled_from([LAB, LAB, OTHER]),
    "expired": st.booleans(),
})
foreign_group = st.fixed_dictionaries({
    "tags": st.sets(st.sampled_from(sorted(GROUP_TAGS) + ["azguest-created"])),
    "lab": st.sampled_from([LAB, OTHER]),
    "expired": st.booleans(),
})


def _disk(session, rg: str, name: str, tags: dict) -> str:
    return disk(session, rg, name, tags).lower()


def _build(session, created: bool, foreign: list[dict], resources: list[dict]) -> tuple[set, set, dict]:
    """Returns (ids azguest created for LAB, ids azguest created for OTHER's real group, group names)."""
    names = {"lab": "rg-lab-a", "foreign0": "rg-team-x", "foreign1": "rg-team-y"}
    lab_tags = {**GROUP_TAGS, "azguest-expires": PAST, **({"azguest-created": "true"} if created else
                                                         {"owner": "platform"})}
    group(session, names["lab"], lab_tags)
    full_other = {}
    for i, g in enumerate(foreign):
        tags = {k: (g["lab"] if k == "azguest-lab" else "true" if k == "azguest-created" else GROUP_TAGS[k])
                for k in g["tags"]}
        if g["expired"]:
            tags["azguest-expires"] = PAST
        full_other[names[f"foreign{i}"]] = set(GROUP_TAGS) <= g["tags"]
        group(session, names[f"foreign{i}"], {**tags, "owner": "team"})
    ours, others = set(), set()
    for i, r in enumerate(resources):
        rg = names[r["where"]] if r["where"] == "lab" or int(r["where"][-1]) < len(foreign) else names["lab"]
        tags = {k: (r["lab"] if k == "azguest-lab" else RES_TAGS[k]) for k in r["tags"]}
        if r["bad_hash"] and "azguest-spec" in tags:
            tags["azguest-spec"] = "hand-written"
        if r["expired"]:
            tags["azguest-expires"] = PAST
        full = set(RES_TAGS) <= r["tags"] and not r["bad_hash"]
        if rg == names["lab"] and full and r["lab"] == LAB:
            ours.add(_disk(session, rg, f"d{i}", tags))
        elif rg == names["lab"] and full:
            continue  # another lab's full set inside this lab's group is not something azguest makes
        else:
            rid = _disk(session, rg, f"d{i}", tags)
            if full and r["lab"] == OTHER and full_other.get(rg) and _lab_of(foreign, rg, names) == OTHER:
                others.add(rid)
    return ours, others, {"names": names, "full_other": full_other}


def _lab_of(foreign: list[dict], rg: str, names: dict) -> str:
    i = int([k for k, v in names.items() if v == rg][0][-1])
    return foreign[i]["lab"]


def _all(session) -> set[str]:
    return {r.id.lower() for r in session.resource.resources.list()}


def _dressed_as_lab(foreign: list[dict]) -> bool:
    return any(set(GROUP_TAGS) <= g["tags"] and g["lab"] == LAB for g in foreign)


COMMON = {"max_examples": examples(30), "deadline": None,
          "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(**COMMON)
@given(created=st.booleans(), foreign=st.lists(foreign_group, max_size=2), resources=st.lists(resource, max_size=8))
def test_destroy__deletes_exactly_what_azguest_created_for_the_lab(created, foreign, resources):
    session = AzureSession.for_engine(Engine(profile=Profile(latency=Latency(time_scale=0.0))),
                                      polling_interval=0.0)
    ours, _, _ = _build(session, created, foreign, resources)
    before = _all(session)
    if _dressed_as_lab(foreign):  # a second group claims the lab: refuse, delete nothing
        try:
            plan_teardown(session, LAB)
        except ConflictError as e:
            assert e.code == "AZG-LAB-AMBIGUOUS"
        else:
            raise AssertionError("destroy chose between two groups claiming the lab")
        assert _all(session) == before
        return
    record = destroy(session, plan_teardown(session, LAB), confirm=lambda t: True, lease=NO_WAIT)
    assert record.ok
    assert before - _all(session) == ours
    left_inside = {i for i in before if "/resourcegroups/rg-lab-a/" in i} - ours
    assert session.resource.resource_groups.check_existence("rg-lab-a") == (not created or bool(left_inside))
    if not created:  # a pre-existing group: only azguest's own tags went
        assert session.resource.resource_groups.get("rg-lab-a").tags == {"owner": "platform"}


@settings(**COMMON)
@given(created=st.booleans(), foreign=st.lists(foreign_group, max_size=2), resources=st.lists(resource, max_size=8))
def test_gc__deletes_exactly_what_azguest_created_for_expired_labs(created, foreign, resources):
    session = AzureSession.for_engine(Engine(profile=Profile(latency=Latency(time_scale=0.0))),
                                      polling_interval=0.0)
    ours, others, _ = _build(session, created, foreign, resources)
    before = _all(session)
    items = plan_gc(session, now=datetime.now(UTC))
    for item in items:
        if item.teardown is not None:
            assert destroy(session, item.teardown, confirm=lambda t: True, lease=NO_WAIT).ok
    deleted = before - _all(session)
    expected = set() if _dressed_as_lab(foreign) else set(ours)
    other_groups = [g for g in foreign if set(GROUP_TAGS) <= g["tags"] and g["lab"] == OTHER]
    if len(other_groups) == 1 and other_groups[0]["expired"]:  # one group with lab-b's full set, expired:
        expected |= others  # indistinguishable from a real lab-b, so gc tears it down (docs: trust model)
    assert deleted == expected
