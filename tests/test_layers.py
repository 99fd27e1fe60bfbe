"""The layers of docs/design.md, enforced: every import (ast) of every module under azguest/.

cli -> use cases (deploy/, later backup/, restore/, guest/) -> plan/ and execute/ -> the Azure adaptor
(azure/) -> Azure or the emulator. spec/ (with storage/, its registry of storage modes), catalog/,
naming and errors are usable from above. The emulator imports no production layer except catalog and
errors, and only azure/ and emulator/ import the Azure SDK (``azure.*``).

``ALLOWED`` is the design as data: a package may import itself, the ``azguest`` package root
(``__version__``), and the packages on its row. Imports under ``if TYPE_CHECKING:`` and inside
functions count too. A new package gets a row here and a line in docs/design.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from tests import sources

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "azguest"

SHARED = frozenset({"spec", "storage", "catalog", "naming", "errors"})  # usable from every layer above
USE_CASES = frozenset({"deploy", "backup", "restore", "guest"})  # use cases may build on one another

ALLOWED: dict[str, frozenset[str]] = {
    "__main__": frozenset({"cli"}),
    "docs": frozenset({"cli"}) | SHARED,  # `python -m azguest.docs` renders generated docs from the CLI's tables
    "cli": USE_CASES | {"plan", "execute", "azure", "emulator"} | SHARED,  # emulator: the `emulator` commands
    **{u: USE_CASES | {"plan", "execute", "azure"} | SHARED for u in USE_CASES},
    "plan": frozenset({"azure"}) | SHARED,  # kinds and ARM ids of the adaptor, live reads
    "execute": frozenset({"catalog", "errors"}),  # generic: a DAG, budgets, waits
    "azure": frozenset({"emulator", "catalog", "errors"}),  # the adaptor talks to Azure or the emulator
    "emulator": frozenset({"catalog", "errors"}),
    "spec": frozenset({"storage", "catalog", "naming", "errors"}),
    "storage": frozenset({"spec", "catalog", "naming", "errors"}),  # part of the spec layer
    "naming": frozenset({"catalog", "errors"}),
    "catalog": frozenset({"errors"}),
    "errors": frozenset(),
}
SDK_IMPORTERS = frozenset({"azure", "emulator"})  # the only packages that may import azure.*

# Known violations, each an (importer package, imported package) edge with the reason it is not fixed yet.
XFAIL_EDGES: dict[tuple[str, str], str] = {}


def _package_of(rel: Path) -> str:
    """azguest/cli/main.py -> cli; azguest/naming.py -> naming; azguest/__init__.py -> azguest."""
    parts = rel.with_suffix("").parts
    return parts[0] if parts[0] != "__init__" else "azguest"


def _module_name(rel: Path) -> str:
    parts = ["azguest", *rel.with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache  # no module comes or goes while tests run (a fake tree is a new pkg folder)
def _is_module(dotted: str, pkg: Path) -> bool:
    path = pkg.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(path: Path, pkg: Path = PKG) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports, absolute, with its line (relative imports resolved)."""
    rel = path.relative_to(pkg)
    here = _module_name(rel)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in sources.nodes(path, ast.Import, ast.ImportFrom):  # parsed once per process
        if isinstance(node, ast.Import):
            yield from ((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for a in node.names:  # `from azguest import naming` imports the module azguest.naming
                yield (f"{base}.{a.name}" if _is_module(f"{base}.{a.name}", pkg) else base), node.lineno


def _target_package(module: str, pkg: Path) -> str | None:
    parts = module.split(".")
    if parts[0] != "azguest":
        return None
    return parts[1] if len(parts) > 1 and _is_module(f"azguest.{parts[1]}", pkg) else "azguest"


def _edges(pkg: Path = PKG) -> dict[tuple[str, str], list[str]]:
    """(importer, imported) package edges -> where ("file:line"), excluding a package importing itself."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(pkg.rglob("*.py")):
        src = _package_of(path.relative_to(pkg))
        for module, line in imports(path, pkg):
            dst = _target_package(module, pkg)
            if dst is not None and dst not in (src, "azguest"):
                found.setdefault((src, dst), []).append(f"{path.relative_to(pkg.parent)}:{line}")
    return found


def _forbidden(pkg: Path = PKG) -> dict[tuple[str, str], list[str]]:
    return {e: where for e, where in _edges(pkg).items() if e[1] not in ALLOWED.get(e[0], frozenset())}


def _sdk_importers(pkg: Path = PKG) -> list[str]:
    found = []
    for path in sorted(pkg.rglob("*.py")):
        if _package_of(path.relative_to(pkg)) not in SDK_IMPORTERS:
            found += [f"{path.relative_to(pkg.parent)}:{line} {m}" for m, line in imports(path, pkg)
                      if m == "azure" or m.startswith("azure.")]
    return found


def test_every_package__has_a_row_in_the_layer_table():
    packages = {_package_of(p.relative_to(PKG)) for p in PKG.rglob("*.py")} - {"azguest"}
    assert packages <= set(ALLOWED), f"add a row to ALLOWED (and docs/design.md) for {sorted(packages - set(ALLOWED))}"


def test_every_import__follows_the_layers():
    bad = {e: where for e, where in _forbidden().items() if e not in XFAIL_EDGES}
    assert not bad, "imports against docs/design.md's layers:\n" + "\n".join(
        f"  {a} -> {b}: {', '.join(where)}" for (a, b), where in sorted(bad.items()))


def test_known_violations__are_still_there_or_leave_the_list():
    fixed = set(XFAIL_EDGES) - set(_forbidden())
    assert not fixed, f"fixed, drop them from XFAIL_EDGES: {sorted(fixed)}"
    for edge, reason in XFAIL_EDGES.items():  # reported, not hidden
        pytest.xfail(f"{edge[0]} -> {edge[1]}: {reason}")


def test_emulator__imports_no_production_layer_but_catalog_and_errors():
    uses = {dst for (src, dst) in _edges() if src == "emulator"}
    assert uses <= {"catalog", "errors"}, sorted(uses)


def test_only_the_adaptor_and_the_emulator__import_the_azure_sdk():
    assert not _sdk_importers(), _sdk_importers()


def test_layer_table__names_each_package_of_the_design_doc():
    """Every package is in docs/design.md's layer block, and every package named there has a row here."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1]
    documented = {line.split()[0].removeprefix("azguest/").removesuffix("/").removesuffix(".py")
                  for line in block.splitlines() if line.startswith("azguest/")}
    existing = {_package_of(p.relative_to(PKG)) for p in PKG.rglob("*.py")} - {"azguest", "__main__", "docs"}
    assert existing <= documented, f"add to docs/design.md's layer block: {sorted(existing - documented)}"
    assert documented <= set(ALLOWED), f"add a row to ALLOWED for {sorted(documented - set(ALLOWED))}"


SDK_CLIENTS = frozenset({"compute", "network", "storage", "resource", "client"})  # AzureSession's SDK clients


def _is_session(node: ast.expr) -> bool:
    """``session``, ``self.session``, ``lab_session``...: the names azguest gives an AzureSession."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name == "s" or name.endswith("session")


def _sdk_client_calls(pkg: Path = PKG) -> list[str]:
    """``session.compute.virtual_machines...`` or ``session.client(...)`` outside azure/ and emulator/."""
    found = []
    for path in sorted(pkg.rglob("*.py")):
        if _package_of(path.relative_to(pkg)) in SDK_IMPORTERS:
            continue
        for node in sources.nodes(path, ast.Attribute):
            if node.attr in SDK_CLIENTS and _is_session(node.value):
                found.append(f"{path.relative_to(pkg.parent)}:{node.lineno} .{node.attr}")
    return found


def test_only_the_adaptor__calls_the_sdk_clients_of_a_session():
    """Every SDK call goes through an adaptor function (azguest.azure), so it can be typed, retried and faked."""
    assert not _sdk_client_calls(), _sdk_client_calls()


def _fake_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "azguest"
    for name in ("__init__.py", "naming.py", "errors.py", "execute/__init__.py", "plan/__init__.py", "plan/model.py",
                 "deploy/__init__.py", "deploy/lab.py",
                 "emulator/__init__.py", *files):
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(files.get(name, ""))
    return pkg


@pytest.mark.parametrize(("source", "expected"), [
    ("from azguest.plan.model import Plan\n", {"azguest.plan.model"}),
    ("from azguest import naming\n", {"azguest.naming"}),
    ("from ..errors import AzguestError\n", {"azguest.errors"}),
    ("def f():\n    import azure.mgmt.compute\n", {"azure.mgmt.compute"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from azguest.deploy import lab\n",
     {"typing", "azguest.deploy.lab"}),
])
def test_import_reader__sees_relative_lazy_and_type_checking_imports(tmp_path, source, expected):
    pkg = _fake_tree(tmp_path, {"execute/probe.py": source})
    assert {m for m, _ in imports(pkg / "execute" / "probe.py", pkg)} == expected


def test_checker__catches_an_emulator_that_imports_a_use_case_and_a_planner_that_imports_the_sdk(tmp_path):
    pkg = _fake_tree(tmp_path, {"emulator/bad.py": "def f():\n    from azguest.deploy.lab import x\n",
                                "plan/bad.py": "from azure.core.exceptions import HttpResponseError\n"})
    assert _forbidden(pkg) == {("emulator", "deploy"): ["azguest/emulator/bad.py:2"]}
    assert _sdk_importers(pkg) == ["azguest/plan/bad.py:1 azure.core.exceptions"]


def test_checker__catches_a_use_case_that_calls_an_sdk_client_but_not_a_spec_field(tmp_path):
    pkg = _fake_tree(tmp_path, {"deploy/bad.py": "def f(session, lab):\n    x = lab.cluster.storage.mode\n"
                                                 "    return session.compute.virtual_machines.get('g', 'v')\n"})
    assert _sdk_client_calls(pkg) == ["azguest/deploy/bad.py:3 .compute"]
