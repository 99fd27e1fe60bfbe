"""deploy + configure of every example on the emulator's Windows guest model (no scripted guest): a
validated cluster in the guest model, each VM restarted at most once (counted from the ARM requests),
and a step run out of order fails as Windows would, naming the step and the VM."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from azguest.errors import GuestError
from azguest.guest.commands import Secrets
from azguest.guest.configure import configure
from azguest.spec import load_lab
from tests.deploy.conftest import PASSWORD, do_deploy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _restarts(engine) -> Counter:
    return Counter(e.path.rsplit("/", 2)[-2] for e in engine.request_log
                   if e.method == "POST" and e.path.lower().endswith("/restart"))


@pytest.mark.parametrize("example", ["s2d-2node", "shared-disk-3node", "iscsi-2node"])
def test_configure__every_storage_mode_ends_with_a_validated_cluster_and_one_restart_per_vm(engine, example):
    from azguest.azure import AzureSession

    session = AzureSession.for_engine(engine)
    lab = load_lab(EXAMPLES / f"{example}.yaml")
    do_deploy(session, lab)
    engine.reset_log()
    record = configure(session, lab, secrets=lambda need: Secrets(PASSWORD))
    assert record.ok
    by_key = {o.key: o for o in record.outcomes}
    first = lab.cluster.nodes.names()[0]
    assert by_key[f"cluster-validate@{first}"].data.get("passed") is True
    assert by_key[f"cluster-create@{first}"].data.get("managementPoint") == "Distributed"
    counts = _restarts(engine)
    assert counts and max(counts.values()) == 1  # every VM restarted at most once during the deploy
    assert set(counts) == {f"{lab.name}-{c}" for c in (lab.domain.controller.name, *lab.cluster.nodes.names())}


def test_configure__a_join_before_the_dc_answers_fails_naming_step_and_vm(engine, s2d_lab, monkeypatch):
    """The graph without node-join's wait for the DC: Windows cannot find the domain, the step fails."""
    import azguest.guest.steps as steps
    from azguest.azure import AzureSession

    join = next(s for s in steps.COMMON if s.id == "node-join")
    early = type(join)(**{**join.__dict__, "deps": ("node-features", "s2d-node-settings")})
    monkeypatch.setattr(steps, "COMMON", tuple(early if s.id == "node-join" else s for s in steps.COMMON))
    import azguest.guest.graph as graph

    real_graph = graph.step_graph

    def dc_last(lab):  # and the DC's promotion waits for the joins, so the DC surely does not answer yet
        g = real_graph(lab)
        runs = tuple(type(r)(r.key, r.step, r.computer, (*r.depends_on, *(f"node-join@{n}" for n in
                     lab.cluster.nodes.names()))) if r.key.startswith("dc-promote@") else r for r in g.runs)
        return type(g)(runs, g.restarts)

    monkeypatch.setattr("azguest.guest.configure.step_graph", dc_last)
    session = AzureSession.for_engine(engine)
    do_deploy(session, s2d_lab)
    with pytest.raises(GuestError) as info:
        configure(session, s2d_lab, secrets=lambda need: Secrets(PASSWORD))
    e = info.value
    assert e.code == "AZG-GUEST-STEP" and e.details["step"] == "node-join"
    assert e.details["vm"] in ("hv-s2d-hv01", "hv-s2d-hv02") and e.details["vm"] in e.message
    assert e.details["exitCode"] not in (0, None)
