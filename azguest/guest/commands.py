"""Guest steps as managed run commands: the desired child resources, their names and their secrets.

A run of a step is ``virtualMachines/{vm}/runCommands/<step>-<hash8>``: hash8 is taken from its body
with every secret replaced by a placeholder, so a changed script or parameter is a new name (a create,
which always executes) and an unchanged one is the same name (skipped on a re-run), whatever the secret.
The secrets are substituted only inside the PUT (:func:`with_secrets`), into ``protectedParameters``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest import naming
from azguest.errors import ConfigError
from azguest.guest.steps import ADMIN_PASSWORD, SAFE_MODE_PASSWORD, STORAGE_KEY, script_text
from azguest.plan.children import child_desired
from azguest.plan.model import GUEST_STEP_ROLE, SECRET_PLACEHOLDER, Desired, Graph

if TYPE_CHECKING:
    from azguest.guest.graph import StepGraph, StepRun
    from azguest.spec.models import Lab

STORAGE_KEY_PLACEHOLDER = "<secret:storage-key>"
PLACEHOLDERS: dict[str, str] = {  # protected parameter -> what plans, records and hashes hold instead
    ADMIN_PASSWORD: SECRET_PLACEHOLDER,
    SAFE_MODE_PASSWORD: SECRET_PLACEHOLDER,  # the forest's DSRM password is the admin password
    STORAGE_KEY: STORAGE_KEY_PLACEHOLDER,
}


@dataclass(frozen=True)
class Secrets:
    """The values behind the placeholders; never printed, logged or stored."""
    admin_password: str | None = None
    storage_key: str | None = None

    def __repr__(self) -> str:
        return "Secrets(***)"

    def value(self, placeholder: str) -> str:
        v = self.admin_password if placeholder == SECRET_PLACEHOLDER else self.storage_key
        if v is None:
            what = "the admin password" if placeholder == SECRET_PLACEHOLDER else "the witness storage key"
            raise ConfigError(f"{what} is needed to run the guest steps", code="AZG-NO-PASSWORD")
        return v


def run_command_body(lab: Lab, run: StepRun) -> dict[str, Any]:
    """The run command's properties, secrets as placeholders (what plans, records and the hash see)."""
    s = run.step
    values = s.values(lab, run.computer)
    return {"properties": {
        "source": {"script": script_text(s)},
        "parameters": [{"name": n, "value": values[n]} for n in s.params],
        "protectedParameters": [{"name": n, "value": PLACEHOLDERS[n]} for n in s.protected],
        "asyncExecution": False,
        "treatFailureAsDeploymentFailure": True,
        "timeoutInSeconds": s.timeout_s,
    }}


def execution_name(step_id: str, body: dict[str, Any]) -> str:
    """``<step>-<hash8>``: the same body (secrets as placeholders) gives the same name, a changed one a new one."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"{step_id}-{digest[:8]}"


def guest_desired(lab: Lab, infra: Graph, steps: StepGraph) -> dict[str, Desired]:
    """Run key -> the desired run command under that VM (a tagged child, role ``guest-step``)."""
    vms = {d.name.lower(): d for d in infra.resources if d.kind == "vm"}
    out: dict[str, Desired] = {}
    for run in steps.runs:
        vm = vms.get(naming.vm_name(lab.name, run.computer).lower())
        if vm is None:
            raise ValueError(f"step {run.step.id} runs on {run.computer}, which the lab has no VM for")
        body = run_command_body(lab, run)
        out[run.key] = child_desired(vm, "runCommand", execution_name(run.step.id, body), body, role=GUEST_STEP_ROLE)
    return out


def with_secrets(body: Any, secrets: Secrets) -> Any:
    """``body`` with each placeholder replaced by its value (only inside the PUT call)."""
    if isinstance(body, str) and body in PLACEHOLDERS.values():
        return secrets.value(body)
    if isinstance(body, dict):
        return {k: with_secrets(v, secrets) for k, v in body.items()}
    if isinstance(body, list):
        return [with_secrets(v, secrets) for v in body]
    return body


def needs(desired: Mapping[str, Desired]) -> set[str]:
    """The placeholders these run commands carry (which secrets a run needs)."""
    return {p["value"] for d in desired.values() for p in d.body["properties"]["protectedParameters"]}
