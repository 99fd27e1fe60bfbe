"""The repository stands alone: no code, test or document points at files outside it (a facts file
of the authors' workspace); a fact is cited by its primary source instead (azguest/catalog/sources.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[1]
# the workspace's notes, spelled in pieces so this file does not match itself
OUTSIDE = ("../" + "shared", "/work/" + "shared", "azure-" + "facts", "sdk-" + "notes", "windows-" + "facts",
           "users" + ".md", "lab-" + "spec.yaml", "architecture" + ".md")
SCANNED = ("README.md", "Makefile", "pyproject.toml", "azguest", "docs", "examples", "tests", "bench")


def _files():
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            yield path
        else:
            yield from (p for p in path.rglob("*") if p.is_file() and p.suffix in (".py", ".md", ".yaml", ".json",
                                                                                     ".ps1", ".toml", ".txt"))


def test_no_file_refers_outside_the_repository():
    found = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(ROOT)}: {ref}" for ref in OUTSIDE if ref in text]
    found = [f for f in found if not f.startswith("tests/storage/test_registry.py: azure-")]  # asserts absence
    assert not found, "\n".join(found)


def test_catalogue_source_keys_are_listed_in_the_docs():
    from azguest.catalog.sources import SOURCE_KEYS

    doc = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert all(f"**{key}**" in doc and f"https://github.com/{repo}" in doc for key, (repo, _) in SOURCE_KEYS.items())
