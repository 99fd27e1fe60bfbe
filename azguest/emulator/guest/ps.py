"""PowerShell as the windows-model guest shows it: a script's ``param()`` block, parameter binding the way
``powershell.exe -File script.ps1 -Name value`` binds (how a managed run command passes its parameters on
Windows), error records on stderr and the one JSON line a step prints on success.

Exit codes: ``powershell.exe -File`` exits with 1 when the script ends in a terminating error (every
guest script sets ``$ErrorActionPreference = 'Stop'``), a parameter-binding error included.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from azguest.emulator.guest.model import GuestResult

PS_ERROR_EXIT = 1  # powershell.exe -File: a terminating error
# Common parameters an advanced script accepts besides its own (about_CommonParameters).
COMMON_PARAMETERS = ("Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable",
                     "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable")
_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class ParamBlock:
    names: tuple[str, ...]  # as declared
    mandatory: frozenset[str]
    advanced: bool  # [CmdletBinding()] or a [Parameter()] attribute: unknown named parameters are an error


@functools.lru_cache(maxsize=256)  # the guest scripts are a few dozen templates: parse each text once
def _strip(text: str) -> str:
    """The script with comments and string contents blanked (same length and lines, so positions hold)."""
    out, i, n = list(text), 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("<#", i):
            j = text.find("#>", i + 2)
            j = n if j < 0 else j + 2
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if c == '"' and text[j] == "`" else 1
            j = min(j + 1, n)
            out[i + 1:j - 1] = _blank(text[i + 1:j - 1])
            i = j
            continue
        else:
            i += 1
            continue
        out[i:j] = _blank(text[i:j])
        i = j
    return "".join(out)


def _blank(text: str) -> list[str]:
    """Spaces for ``text``, newlines kept (so line numbers hold)."""
    return ["\n" if c == "\n" else " " for c in text]


@functools.lru_cache(maxsize=256)
def parse_param_block(script: str) -> ParamBlock | None:
    """The script's ``param(...)`` block (None when the script has none before its first statement)."""
    code = _strip(script)
    m = re.match(r"\s*((?:\[[^\]]*(?:\([^)]*\))?[^\]]*\]\s*)*)param\s*\(", code, re.IGNORECASE)
    if not m:
        return None
    advanced = bool(re.search(r"\[\s*CmdletBinding", m.group(1), re.IGNORECASE))
    depth, start, segments = 1, m.end(), []
    seg_start = start
    i = start
    while i < len(code) and depth:
        c = code[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 1:
            segments.append(code[seg_start:i])
            seg_start = i + 1
        i += 1
    segments.append(code[seg_start:i - 1])
    names, mandatory = [], set()
    for seg in segments:
        flat = _top_level(seg)
        var = _VAR.search(flat)
        if not var:
            continue
        names.append(var.group(1))
        if re.search(r"\[\s*Parameter\s*\(", seg, re.IGNORECASE):
            advanced = True
            if re.search(r"Mandatory\s*(=\s*\$true)?\s*[,)]", seg, re.IGNORECASE):
                mandatory.add(var.group(1))
    return ParamBlock(tuple(names), frozenset(mandatory), advanced)


def _top_level(seg: str) -> str:
    """``seg`` with everything inside brackets blanked (attributes, type constraints)."""
    out, depth = [], 0
    for c in seg:
        if c in "([":
            depth += 1
        elif c in ")]" and depth:
            depth -= 1
            out.append(" ")
            continue
        out.append(c if depth == 0 else " ")
    return "".join(out)


def error_record(cmdlet: str, message: str, category: str, fqid: str, script: str = "",
                 exception: str = "InvalidOperationException") -> str:
    """A terminating error as PowerShell 5.1 writes it to stderr (``At line:N char:M`` when the script calls
    the cmdlet)."""
    lines = [f"{cmdlet} : {message}"]
    original = (script or "").splitlines()
    for n, code in enumerate(_strip(script or "").splitlines(), start=1):  # a call, not a comment or a string
        col = code.lower().find(cmdlet.lower())
        if col >= 0:
            lines += [f"At line:{n} char:{col + 1}", f"+ {original[n - 1].strip()}"]
            break
    lines += [f"    + CategoryInfo          : {category}: (:) [{cmdlet}], {exception}",
              f"    + FullyQualifiedErrorId : {fqid}"]
    return "\n".join(lines)


def fail(cmdlet: str, message: str, script: str = "", *, category: str = "InvalidOperation",
         fqid: str = "", exception: str = "InvalidOperationException") -> GuestResult:
    """A failed step: exit code 1 and the error record on stderr."""
    noun = cmdlet.replace("-", "")
    fqid = fqid or f"{noun}Failed,Microsoft.PowerShell.Commands.{noun}Command"
    return GuestResult(PS_ERROR_EXIT, "", error_record(cmdlet, message, category, fqid, script, exception))


def ok(step: str, *, changed: bool, reboot: bool = False, data: Mapping[str, Any] | None = None) -> GuestResult:
    """Success: the contract's one JSON line, ``{"step", "changed", "rebootRequired", "data"}``."""
    line = json.dumps({"step": step, "changed": changed, "rebootRequired": reboot, "data": dict(data or {})},
                      separators=(",", ":"), sort_keys=False)
    return GuestResult(0, line, "")


def bind(script: str, step: str, given: Mapping[str, str]) -> tuple[dict[str, str], GuestResult | None]:
    """Bind ``-Name value`` pairs to the script's ``param()`` block as PowerShell does: names are
    case-insensitive and may be unambiguous prefixes; an advanced script refuses an unknown name
    (``NamedParameterNotFound``); a mandatory parameter without a value cannot be prompted for in a run
    command (``MissingMandatoryParameter``). A script without a ``param()`` block takes anything (``$args``).
    Returns (values by declared name, failure or None)."""
    block = parse_param_block(script)
    if block is None:
        return dict(given), None
    script_name = f"{step}.ps1"
    out: dict[str, str] = {}
    for name, value in given.items():
        exact = [p for p in block.names if p.lower() == name.lower()]
        hits = exact or [p for p in block.names if p.lower().startswith(name.lower())]
        if len(hits) > 1:
            return out, _binding_error(script_name, f"Parameter cannot be processed because the parameter name "
                                       f"'{name}' is ambiguous. Possible matches include: "
                                       + " ".join(f"-{h}" for h in hits) + ".", "AmbiguousParameter")
        if not hits:
            if not block.advanced or any(c.lower() == name.lower() for c in COMMON_PARAMETERS):
                continue
            return out, _binding_error(script_name, f"A parameter cannot be found that matches parameter name "
                                       f"'{name}'.", "NamedParameterNotFound")
        out[hits[0]] = value
    missing = [p for p in block.names if p in block.mandatory and p not in out]
    if missing:
        return out, _binding_error(script_name, "Cannot process command because of one or more missing mandatory "
                                   "parameters: " + " ".join(missing) + ".", "MissingMandatoryParameter")
    return out, None


def _binding_error(script_name: str, message: str, fqid: str) -> GuestResult:
    text = "\n".join([f"{script_name} : {message}",
                      "    + CategoryInfo          : InvalidArgument: (:) [" + script_name + "], "
                      "ParameterBindingException",
                      f"    + FullyQualifiedErrorId : {fqid},{script_name}"])
    return GuestResult(PS_ERROR_EXIT, "", text)


def not_null_or_empty(cmdlet: str, parameter: str, script: str = "") -> GuestResult:
    """The error of a cmdlet given an empty value where it validates NotNullOrEmpty."""
    return fail(cmdlet, f"Cannot validate argument on parameter '{parameter}'. The argument is null or empty. "
                "Provide an argument that is not null or empty, and then try the command again.", script,
                category="InvalidData", fqid=f"ParameterArgumentValidationError,{cmdlet}",
                exception="ParameterBindingValidationException")


def split_list(value: str | None) -> list[str]:
    """``a,b`` -> ["a", "b"] (a Run Command parameter carrying a list)."""
    return [x.strip() for x in (value or "").split(",") if x.strip()]


def split_pairs(value: str | None) -> dict[str, str]:
    """``k=v;k=v`` -> {k: v} (a Run Command parameter carrying a map)."""
    out = {}
    for item in (value or "").split(";"):
        if "=" in item:
            k, v = item.split("=", 1)
            out[k.strip()] = v.strip()
    return out
