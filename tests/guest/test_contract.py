"""The guest-step contract: every step has its script, the script's header and param() block match the
step's declared parameters both ways, and protected names are never public (docs/design.md, "Guest steps")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from azguest.emulator.guest import parse_step_id
from azguest.guest.steps import COMMON, PROTECTED, all_steps, script_text, steps_for, targets_of
from azguest.spec import load_lab

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
STEPS = all_steps()
_PARAM_BLOCK = re.compile(r"^\s*param\s*\((.*?)^\s*\)", re.S | re.M | re.I)
_PARAM_NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|,|$)", re.M)


def param_names(text: str) -> list[str]:
    """The names declared in the script's top-level param() block."""
    m = _PARAM_BLOCK.search(text)
    assert m, "no param() block"
    return _PARAM_NAME.findall(m.group(1))


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_script__header_declares_the_step_and_param_block_matches_both_ways(step_id):
    step = STEPS[step_id]
    text = script_text(step)
    first = next(line for line in text.splitlines() if line.strip())
    assert first == f"# azguest-step: {step_id}" and parse_step_id(text) == step_id
    assert sorted(param_names(text)) == sorted([*step.params, *step.protected])


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_step__protected_names_are_the_known_secrets_and_never_public(step_id):
    step = STEPS[step_id]
    assert set(step.protected) <= PROTECTED
    assert not set(step.params) & PROTECTED
    assert step.timeout_s > 0 and step.reboot in ("never", "pending", "restart")


def test_every_script_in_templates_guest_is_a_declared_step():
    on_disk = {p.stem for p in (ROOT / "templates" / "guest").glob("*.ps1")}
    assert on_disk == set(STEPS)


def test_steps__a_step_id_shared_by_two_modes_has_one_contract():
    from azguest.storage import MODES

    for mode in MODES.values():
        for s in mode.guest_steps:
            known = STEPS[s.id]
            assert (s.targets, s.deps, s.reboot, s.params, s.protected) == (
                known.targets, known.deps, known.reboot, known.params, known.protected)
        assert not {s.id for s in mode.guest_steps} & {s.id for s in COMMON}


def test_steps__every_dependency_is_a_known_step():
    for s in STEPS.values():
        assert set(s.deps) <= set(STEPS), s.id


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_steps_for_each_example__values_fill_exactly_the_public_params(path):
    lab = load_lab(path)
    steps = steps_for(lab)
    assert steps and {"dc-promote", "node-join", "cluster-validate", "cluster-create"} <= {s.id for s in steps}
    for s in steps:
        computers = targets_of(lab, s)
        assert computers, s.id
        for c in computers:
            values = dict(s.values(lab, c))
            assert set(values) == set(s.params), (s.id, c)
            assert all(isinstance(v, str) for v in values.values())
