"""Loading a lab spec: file -> YAML with positions -> pre-checks -> pydantic model -> rule checks.

Nothing here raises on a bad spec except ``load_lab``: every problem becomes a :class:`Finding`
with a file:line:column, a field path and a stable code.
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from azguest.catalog.rules import ERROR
from azguest.errors import SpecError
from azguest.spec import source
from azguest.spec.findings import Finding, Path, count, make
from azguest.spec.models import Lab

_MAX_BYTES = 4 * 1024 * 1024
_TYPE_ERRORS = {"model_type", "model_attributes_type", "dict_type", "list_type", "tuple_type",
                "is_instance_of"}


@dataclass(frozen=True)
class LoadResult:
    lab: Lab | None  # None when the spec has errors
    findings: list[Finding] = field(default_factory=list)
    file: str = ""
    raw: Any = None  # the YAML data as read (for --show-defaults)
    positions: source.Positions = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, int]:
        return {s: count(self.findings, s) for s in ("error", "warning", "info")}


def load(path: str | os.PathLike[str], *, allow_unknown_size: bool = False,
         allow_public_rdp: bool = False) -> LoadResult:
    """Read and validate a spec file. Never raises for a bad spec: see ``LoadResult.findings``."""
    name = str(path)
    try:
        data = _read_capped(FsPath(path), _MAX_BYTES + 1)
    except OSError as e:
        reason = e.strerror or type(e).__name__
        return _fail(name, make("AZG-SPEC-FILE", (), f"cannot read the spec file: {reason}"))
    if len(data) > _MAX_BYTES:
        return _fail(name, make("AZG-SPEC-FILE", (), f"the file is over {_MAX_BYTES // 1024 // 1024} MiB; "
                                "a lab spec is a short YAML file"))
    if b"\x00" in data:
        return _fail(name, make("AZG-SPEC-FILE", (), "this is a binary file, not a YAML lab spec"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        msg = f"not UTF-8 text (byte {e.start}); save the spec as UTF-8"
        return _fail(name, make("AZG-SPEC-FILE", (), msg))
    return load_text(text, filename=name, allow_unknown_size=allow_unknown_size, allow_public_rdp=allow_public_rdp)


def _read_capped(path: FsPath, limit: int) -> bytes:
    """At most ``limit`` bytes: /dev/zero or a huge file is refused without reading it all."""
    with path.open("rb") as f:
        return f.read(limit)


def load_text(text: str, *, filename: str = "<spec>", allow_unknown_size: bool = False,
              allow_public_rdp: bool = False) -> LoadResult:
    """Validate spec text. ``filename`` is only used in the findings."""
    try:
        raw, positions = source.parse(text)
    except source.YamlProblem as e:
        f = make("AZG-SPEC-YAML", (), e.message)
        return _fail(filename, replace(f, line=e.line, column=e.column))
    if raw is None:
        return _fail(filename, make("AZG-SPEC-TOP", (), "the file is empty; start from `azguest init NAME`"))
    if not isinstance(raw, dict):
        kind = type(raw).__name__.replace("str", "a scalar").replace("list", "a list")
        return _fail(filename, _at(make("AZG-SPEC-TOP", (), f"the top level is {kind}; a lab spec is a "
                                        "mapping with apiVersion, kind, name, ..."), positions, filename))
    from azguest.spec.checks import pre_checks, run_checks

    pre, data = pre_checks(raw)
    lab, findings = _validate_model(data)
    said = {f.raw_path for f in pre}  # a pre-check already explained this value better than pydantic can
    findings = pre + [f for f in findings if f.raw_path not in said]
    if lab is not None:
        findings += run_checks(lab, allow_unknown_size=allow_unknown_size, allow_public_rdp=allow_public_rdp)
    findings = sorted((_at(f, positions, filename) for f in findings),
                      key=lambda f: (f.line, f.column, f.code))
    ok = not any(f.severity == ERROR for f in findings)
    return LoadResult(lab if ok else None, findings, filename, raw, positions)


def load_lab(path: str | os.PathLike[str], *, allow_unknown_size: bool = False, strict: bool = False,
             allow_public_rdp: bool = False) -> Lab:
    """The validated Lab, or SpecError carrying the findings (``details["findings"]``)."""
    return checked(load(path, allow_unknown_size=allow_unknown_size, allow_public_rdp=allow_public_rdp), path,
                   strict=strict)


def checked(result: LoadResult, path: str | os.PathLike[str], *, strict: bool = False) -> Lab:
    """``result.lab``, or SpecError carrying the findings; warnings count with ``strict``."""
    bad = result.errors + (result.warnings if strict else [])
    if result.lab is None or bad:
        first = bad[0].render() if bad else "invalid spec"
        raise SpecError(
            f"{len(bad)} problem(s) in {path}; first: {first}",
            hint=f"run `azguest validate {path}` for the full list",
            details={"findings": [f.to_dict() for f in result.findings]},
        )
    return result.lab


def _fail(filename: str, finding: Finding) -> LoadResult:
    return LoadResult(None, [replace(finding, file=filename)], filename)


def _at(f: Finding, positions: source.Positions, filename: str) -> Finding:
    if f.line:
        return replace(f, file=filename)
    line, col = source.position(positions, f.raw_path)
    return replace(f, file=filename, line=line, column=col)


# --- pydantic errors -> findings ---------------------------------------------------------------
def _validate_model(data: dict[str, Any]) -> tuple[Lab | None, list[Finding]]:
    try:
        return Lab.model_validate(data), []
    except ValidationError as e:
        errors = _drop_implied_too_short(e.errors(include_url=False))
    return None, _drop_implied_missing([_from_error(err) for err in errors])


def _drop_implied_too_short(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A list whose only item is invalid is also "too short": report the item, not the count."""
    parents = {tuple(err["loc"])[:n] for err in errors for n in range(len(err["loc"]))}
    return [err for err in errors if not (err["type"] == "too_short" and tuple(err["loc"]) in parents)]


def _drop_implied_missing(findings: list[Finding]) -> list[Finding]:
    """A misspelt key also makes the right key 'missing': report only the misspelling."""
    suggested = {(f.raw_path[:-1], f.message.split("did you mean '")[1].split("'")[0])
                 for f in findings if f.code == "AZG-SPEC-UNKNOWN-KEY" and "did you mean '" in f.message}
    return [f for f in findings
            if not (f.code == "AZG-SPEC-MISSING" and (f.raw_path[:-1], f.raw_path[-1]) in suggested)]


def _from_error(err: dict[str, Any]) -> Finding:
    loc: Path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    if len(loc) >= 2 and loc[-1] == "[key]":  # a bad mapping key: point at the key itself
        loc = (*loc[:-2], str(loc[-2]))
    kind = err["type"]
    secret = "admin" in loc[:1] and "password" in loc[:2]
    shown = "" if secret else _show(err.get("input"))
    if kind == "extra_forbidden":
        return make("AZG-SPEC-UNKNOWN-KEY", loc, _unknown_key(loc))
    if kind == "missing":
        return make("AZG-SPEC-MISSING", loc, f"required field '{loc[-1]}' is missing; add {loc[-1]}: "
                    f"<{_expected(loc)}>")
    msg = err["msg"][0].lower() + err["msg"][1:] if err["msg"] else kind
    msg = msg.replace("value error, ", "").replace("tuple should", "the list should")
    if kind.endswith(("_type", "_parsing")) or kind in _TYPE_ERRORS:
        return make("AZG-SPEC-TYPE", loc, f"wrong type{shown}: {msg}")
    return make("AZG-SPEC-VALUE", loc, f"invalid value{shown}: {msg}")


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return ""
    text = str(value).lower() if isinstance(value, bool) else repr(value)  # as YAML spells it: true, false
    return f" {text[:40]}{'...' if len(text) > 40 else ''}"


def _unknown_key(loc: Path) -> str:
    key = str(loc[-1])
    allowed = _allowed_keys(loc[:-1])
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if not close:  # case or separator slips: sizegb, size_gb, disks-per-node
        squash = {a.lower().replace("-", "").replace("_", ""): a for a in allowed}
        hit = squash.get(key.lower().replace("-", "").replace("_", ""))
        close = [hit] if hit else []
    if close:
        hint = f"; did you mean '{close[0]}'?"
    else:
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
    return f"unknown key '{key}'{hint}"


def _annotation_at(loc: Path) -> Any:
    """The type annotation of the field at ``loc`` (walking the models by alias), or None."""
    current: Any = Lab
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        by_alias = {(f.alias or n): f for n, f in current.model_fields.items()}
        if part not in by_alias:
            return None
        current = by_alias[part].annotation
    return current


def _allowed_keys(loc: Path) -> list[str]:
    """The YAML keys accepted at ``loc``."""
    current = _unwrap(_annotation_at(loc))
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [(f.alias or n) for n, f in current.model_fields.items()]
    return []


_KINDS = {int: "a number", str: "text", bool: "true or false", IPv4Address: "an IPv4 address",
          IPv4Network: "a CIDR prefix like 10.20.0.0/16"}


def _expected(loc: Path) -> str:
    """A short description of what the field at ``loc`` takes, for messages."""
    tp = _annotation_at(loc)
    if typing.get_origin(tp) is typing.Literal:
        return " | ".join(str(a) for a in typing.get_args(tp))
    if typing.get_origin(tp) is tuple:
        return "a list"
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "a mapping: " + ", ".join(_allowed_keys(loc))
    return _KINDS.get(tp, "a value")


def _unwrap(tp: Any) -> Any:
    """Optional[X] / tuple[X, ...] / Annotated[X, ...] -> X (the model inside, if any)."""
    for _ in range(5):
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType, tuple, list):
            models = [a for a in typing.get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
            if not models:
                return tp
            tp = models[0]
        else:
            return tp
    return tp
