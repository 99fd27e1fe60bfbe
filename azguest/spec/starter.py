"""Starter specs for ``azguest init``: a commented template per storage mode, filled in and checked."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from azguest.catalog.disks import tiers
from azguest.errors import UsageError
from azguest.spec.schema import PACKAGE_SCHEMA, SCHEMA_ID

STORAGE_MODES = ("s2d", "shared-disk", "iscsi")


def schema_ref(out: Path | None) -> str:
    """What the ``# yaml-language-server: $schema=`` line points at: never an absolute path.

    Inside a source checkout (the package's parent holds pyproject.toml), the committed schema relative to
    the written file; anywhere else (an installed wheel, stdout), the schema's ``$id``.
    """
    checkout = PACKAGE_SCHEMA.parents[2]
    if out is None or not (checkout / "pyproject.toml").is_file() or not out.resolve().is_relative_to(checkout):
        return SCHEMA_ID
    return Path(os.path.relpath(PACKAGE_SCHEMA, out.resolve().parent)).as_posix()


def template_text(storage: str) -> str:
    """The commented starter template of a storage mode (package data: azguest/spec/templates/)."""
    return (files("azguest.spec") / "templates" / f"{storage}.yaml").read_text(encoding="utf-8")


def _shared_disk_gb(nodes: int) -> int:
    """Smallest Premium tier of at least 1 TiB whose maxShares covers the node count."""
    for t in tiers("P"):
        if t.max_size_gib >= 1024 and t.max_shares >= nodes:
            return t.max_size_gib
    return tiers("P")[-1].max_size_gib


def render_starter(name: str, *, storage: str = "s2d", nodes: int = 2, out: Path | None = None) -> str:
    """The starter spec text. Raises UsageError when the combination cannot validate clean."""
    if storage not in STORAGE_MODES:
        raise UsageError(f"unknown storage mode {storage!r}", hint="use s2d, shared-disk or iscsi")
    text = template_text(storage)
    values = {"name": name, "nodes": str(nodes), "schema": schema_ref(out),
              "cluster": f"{name[:11].rstrip('-')}-clu",
              "shared_gb": str(_shared_disk_gb(nodes))}
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    _check(text, name)
    return text


def _check(text: str, name: str) -> None:
    from azguest.spec.loader import load_text

    result = load_text(text, filename=f"{name}.yaml")
    bad = result.errors + result.warnings
    if bad:
        raise UsageError(
            "the starter spec would not validate: " + "; ".join(f"{f.path}: {f.message}" for f in bad[:3]),
            code="AZG-INIT-INVALID",
            hint="choose another lab name, node count or storage mode (S2D supports 2-3 nodes)",
        )
