"""Spec commands: ``validate``, ``schema``, ``init``. Thin: parse options, call azguest.spec, render."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from azguest.cli.exitcodes import ExitCode
from azguest.cli.options import AllowPublicRdpOpt, AllowUnknownSizeOpt, OutputOpt
from azguest.cli.output import OutputFormat, emit_json


class StorageMode(enum.StrEnum):
    s2d = "s2d"
    shared_disk = "shared-disk"
    iscsi = "iscsi"


StorageOpt = Annotated[StorageMode, typer.Option("--storage", help="Storage mode.", case_sensitive=False)]


def validate(
    spec: Annotated[Path, typer.Argument(help="The lab spec (YAML).", dir_okay=False)],
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 2).")] = False,
    allow_unknown_size: AllowUnknownSizeOpt = False,
    show_defaults: Annotated[
        bool, typer.Option("--show-defaults", help="Print the effective spec with every default marked.")
    ] = False,
    output: OutputOpt = OutputFormat.human,
    allow_public_rdp: AllowPublicRdpOpt = False,
) -> int:
    """Check a lab spec against Azure's rules, offline. Exit 0 if valid, 2 if not."""
    from azguest.spec import load

    result = load(spec, allow_unknown_size=allow_unknown_size, allow_public_rdp=allow_public_rdp)
    bad = result.errors + (result.warnings if strict else [])
    code = ExitCode.SPEC_INVALID if bad or result.lab is None else ExitCode.OK
    if output == OutputFormat.json:
        error = None if code == ExitCode.OK else _invalid(result, strict)
        emit_json("validate", ok=error is None, result=_result_data(result, strict, show_defaults), error=error)
        return code
    for f in result.findings:
        sys.stdout.write(f.render() + "\n")
    if show_defaults and result.lab is not None:
        from azguest.spec.effective import effective_yaml

        sys.stdout.write(effective_yaml(result.lab, result.positions))
    sys.stdout.write(_summary(result, code, strict) + "\n")
    return code


def _result_data(result, strict: bool, show_defaults: bool) -> dict:
    lab = result.lab
    data = {
        "file": result.file, "valid": lab is not None and not (strict and result.warnings), "strict": strict,
        "counts": result.summary(), "findings": [f.to_dict() for f in result.findings],
        "lab": lab.name if lab else None, "specHash": lab.spec_hash() if lab else None,
    }
    if show_defaults and lab is not None:
        from azguest.spec.effective import effective_data

        data["effective"] = effective_data(lab)
    return data


def _invalid(result, strict: bool) -> dict:
    """The envelope's error of an invalid spec (the findings are in the result)."""
    from azguest.cli.output import error_object
    from azguest.errors import SpecError

    n = result.summary()
    why = " (--strict: warnings count)" if strict and not n["error"] else ""
    first = next((f for f in result.findings if f.severity == "error"), None) or next(iter(result.findings), None)
    return error_object(SpecError(
        f"{result.file}: invalid: {n['error']} error(s), {n['warning']} warning(s){why}"
        + (f"; first: {first.render()}" if first is not None else ""),
        hint="result.findings lists each finding with its location, code and hint"))


def _summary(result, code: int, strict: bool) -> str:
    n = result.summary()
    counts = f"{n['error']} error(s), {n['warning']} warning(s)"
    if code != ExitCode.OK:
        why = " (--strict: warnings count)" if strict and not n["error"] else ""
        return f"{result.file}: invalid: {counts}{why}"
    lab = result.lab
    c = lab.cluster
    return (f"{result.file}: valid ({counts}): lab {lab.name}, {c.nodes.count} x {c.nodes.size}, "
            f"{c.storage.mode}, {len(c.workloads)} workload(s), spec {lab.spec_hash()}")


def schema(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    envelope: Annotated[bool, typer.Option(
        "--envelope", help="The JSON Schema of the -o json envelope instead (docs/output.md).")] = False,
    output: OutputOpt = OutputFormat.human,
) -> int:
    """Print the JSON Schema of the lab spec (for editor completion)."""
    from azguest.cli.output import SCHEMA_FILE
    from azguest.spec.schema import schema_text

    text = SCHEMA_FILE.read_text(encoding="utf-8") if envelope else schema_text()
    if out is not None:
        _write(out, text)
    if output == OutputFormat.json:  # the schema is a foreign document: "document", verbatim
        import json

        emit_json("schema", ok=True, result={"kind": "envelope" if envelope else "lab", "file": out and str(out),
                                             "document": None if out else json.loads(text)})
    elif out is None:
        sys.stdout.write(text)
    else:
        sys.stderr.write(f"wrote {out}\n")
    return ExitCode.OK


def _write(path: Path, text: str) -> None:
    from azguest.errors import UsageError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}", hint="check the --out path") from None


def init(
    name: Annotated[str, typer.Argument(help="Lab name (1-15 letters, digits, hyphens).")],
    storage: StorageOpt = StorageMode.s2d,
    nodes: Annotated[int, typer.Option("--nodes", help="Number of cluster nodes.", min=1, max=64)] = 2,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default NAME.yaml; - = stdout).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    output: OutputOpt = OutputFormat.human,
) -> int:
    """Write a commented starter spec that validates as written."""
    from azguest.errors import UsageError
    from azguest.spec.starter import render_starter

    target = None if out == Path("-") else (out or Path(f"{name}.yaml"))
    text = render_starter(name, storage=storage.value, nodes=nodes, out=target)
    notes = _disk_notes(text, name)
    if target is not None and target.exists() and not force:
        raise UsageError(f"{target} already exists", hint="pass --force to overwrite, or --out another file")
    if target is not None:
        _write(target, text)
    if output == OutputFormat.json:  # --out -: the spec's text in the result, the one document on stdout
        emit_json("init", ok=True, result={"lab": name, "storage": storage.value, "nodes": nodes,
                                           "file": target and str(target), "text": None if target else text,
                                           "storageDisks": notes})
        return ExitCode.OK
    for line in notes:
        sys.stderr.write(f"storage: {line}\n")
    if target is None:
        sys.stdout.write(text)
    else:
        sys.stderr.write(f"wrote {target}; check it with: azguest validate {target}\n")
    return ExitCode.OK


def _disk_notes(text: str, name: str) -> list[str]:
    """The storage disks the starter chose for the node count (tier, sharing, list price)."""
    from azguest.catalog.prices import storage_disk_notes
    from azguest.spec.loader import load_text

    lab = load_text(text, filename=f"{name}.yaml").lab
    return storage_disk_notes(lab.storage_layout().disks if lab else ())


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("schema")(schema)
    app.command("init")(init)
