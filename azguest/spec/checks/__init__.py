"""Rule checks: each reads the catalogue tables and yields findings with stable codes.

``pre_checks`` run on the raw YAML data (things that must not reach the model, like a literal
password); ``run_checks`` run on the validated :class:`~azguest.spec.models.Lab`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from azguest.catalog.sizes import VmSize, lookup_size
from azguest.spec.findings import Finding, make
from azguest.spec.models import Lab, parse_duration


@dataclass(frozen=True)
class Context:
    lab: Lab
    allow_unknown_size: bool = False
    allow_public_rdp: bool = False  # --allow-public-rdp: a wide allowRdpFrom is a warning, not an error

    def node_size(self) -> VmSize | None:
        return lookup_size(self.lab.cluster.nodes.size)


Check = Callable[[Context], Iterable[Finding]]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def run_checks(lab: Lab, *, allow_unknown_size: bool = False, allow_public_rdp: bool = False) -> list[Finding]:
    ctx = Context(lab, allow_unknown_size, allow_public_rdp)
    out: list[Finding] = []
    for fn in CHECKS:
        out.extend(fn(ctx))
    return out


def pre_checks(raw: dict[str, Any]) -> tuple[list[Finding], dict[str, Any]]:
    """Checks on raw data; returns findings and the data with offending values removed."""
    from azguest.spec.checks.storage import unknown_mode

    findings: list[Finding] = list(unknown_mode(raw))
    data = raw
    admin = raw.get("admin")
    literal = isinstance(admin, dict) and not isinstance(admin.get("password"), (dict, type(None)))
    if literal:
        findings.append(make("AZG-SECRET-LITERAL", ("admin", "password"),
                             "a literal password is not allowed in the spec; use "
                             "{fromEnv: AZGUEST_ADMIN_PASSWORD}, {fromKeyVault: {vault: ..., secret: ...}}, "
                             "or omit it to be prompted"))
        data = copy.deepcopy(raw)
        data["admin"]["password"] = None
    lifetime = raw.get("lifetime")
    if isinstance(lifetime, dict) and "expiresAfter" in lifetime:
        try:
            parse_duration(lifetime["expiresAfter"])
        except ValueError:
            findings.append(make("AZG-LIFETIME", ("lifetime", "expiresAfter"),
                                 f"expiresAfter {lifetime['expiresAfter']!r} is not a duration; "
                                 "use <n>m, <n>h, <n>d or <n>w (e.g. 7d), or never"))
            data = copy.deepcopy(data)
            del data["lifetime"]["expiresAfter"]
    return findings, data


from azguest.spec.checks import compute, names, network, storage, usage  # noqa: E402,F401  (registration)
