"""The Windows Server 2022 / Windows PowerShell 5.1 cmdlet reference as data (catalog/data/windows-cmdlets.json).

Generated from Microsoft's published cmdlet reference: MicrosoftDocs/windows-powershell-docs
``docset/winserver2022-ps`` and MicrosoftDocs/PowerShell-Docs ``reference/5.1`` (commits in the file's
``sources`` and in catalog/data/README.md). The guest scripts (templates/guest/*.ps1) are held to it by the
static checks in tests/guest/test_powershell_static.py: every cmdlet they call and every named parameter
they pass must exist here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Common parameters of Windows PowerShell 5.1 (about_CommonParameters, 5.1). The file's list also names
# ProgressAction, which PowerShell 7.4 added: a 5.1 guest refuses it, so it is not common here.
COMMON_PARAMETERS_51 = ("Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable",
                        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable")
# Their documented aliases (vb, db, ea, wa, infa, ev, wv, iv, ov, ob, pv).
COMMON_ALIASES_51 = {"vb": "Verbose", "db": "Debug", "ea": "ErrorAction", "wa": "WarningAction",
                     "infa": "InformationAction", "ev": "ErrorVariable", "wv": "WarningVariable",
                     "iv": "InformationVariable", "ov": "OutVariable", "ob": "OutBuffer", "pv": "PipelineVariable"}


@dataclass(frozen=True)
class Cmdlet:
    name: str
    module: str
    parameters: tuple[str, ...]  # the cmdlet's own parameters (Confirm/WhatIf only where it supports them)
    aliases: dict[str, str]  # parameter alias -> parameter
    parameter_sets: tuple[frozenset[str], ...]  # each syntax set's parameter names (empty: not documented)


@dataclass(frozen=True)
class Reference:
    sources: tuple[str, ...]
    cmdlets: dict[str, Cmdlet]  # by lower-case name
    command_aliases: dict[str, str]  # lower-case alias -> cmdlet name (Where, %, Enable-ClusterS2D, ...)

    def lookup(self, name: str) -> Cmdlet | None:
        """The cmdlet a command name calls (a documented alias resolved), or None when not in the reference."""
        key = name.lower()
        key = self.command_aliases.get(key, name).lower()
        return self.cmdlets.get(key)


def _aliases(cells: list[str]) -> list[str]:
    """A parameter's real aliases. The generator sometimes read the next table cells instead: "Required: False",
    or "Accepted values: Limited" followed by the other values; a list with such a cell holds no alias."""
    if any(":" in c or "(" in c or ")" in c for c in cells):
        return []
    return [c for c in cells if _ALIAS.match(c)]


def _cmdlet(name: str, row: dict) -> Cmdlet:
    params = row.get("parameters") or {}
    aliases = {a: p for p, info in params.items() for a in _aliases(info.get("aliases") or [])}
    return Cmdlet(name, row.get("module", ""), tuple(params), aliases,
                  tuple(frozenset(s) for s in row.get("parameterSets") or []))


@cache
def reference() -> Reference:
    """The reference, read once from the package data."""
    text = resources.files("azguest.catalog").joinpath("data/windows-cmdlets.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    cmdlets = {name.lower(): _cmdlet(name, row) for name, row in raw["cmdlets"].items()
               if not name.startswith("about_")}
    return Reference(tuple(raw.get("sources") or ()), cmdlets,
                     {a.lower(): target for a, target in (raw.get("aliases") or {}).items()})
