"""Parsed Python sources for the tests that read code (tests/test_layers.py, tests/storage/test_registry.py): each
file is parsed once per test process, and its nodes of the types a test asks for listed once. Keyed by path, mtime
and size, so a file written since (a test's fake tree, an edit) is parsed again. Callers must not change the nodes
they get."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


def nodes(path: Path, *types: type[ast.AST]) -> tuple[ast.AST, ...]:
    """The module's nodes, in ``ast.walk`` order; only those of ``types`` when given."""
    st = Path(path).stat()
    return _nodes(str(path), st.st_mtime_ns, st.st_size, types)


@cache
def _nodes(path: str, mtime_ns: int, size: int, types: tuple[type[ast.AST], ...]) -> tuple[ast.AST, ...]:
    if not types:
        return tuple(ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)))
    return tuple(n for n in _nodes(path, mtime_ns, size, ()) if isinstance(n, types))
