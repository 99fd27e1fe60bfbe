"""Reading YAML while keeping the line and column of every key and list item.

``parse(text)`` returns plain Python data (dicts, lists, scalars) and a map from field path to
(line, column), both 1-based. Mapping entries point at the key; list items at the item.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any

from azguest.spec.findings import Path

Positions = dict[Path, tuple[int, int]]
_TOO_DEEP = "not valid YAML for a lab spec: nested too deeply or an alias refers to itself"
MAX_NODES = 200_000  # a 16-node, 200-workload spec has ~2,000; aliases must not expand past this
_TOO_BIG = f"not valid YAML for a lab spec: over {MAX_NODES} values once aliases are expanded"
MAX_FLOW_DEPTH = 100  # a lab spec nests under 10 levels; ruamel's scanner is quadratic in flow ([ {) depth


@dataclass(frozen=True)
class YamlProblem(Exception):
    message: str
    line: int
    column: int


CACHE_MAX_CHARS = 256 * 1024  # specs are a few KiB; a huge text is parsed afresh rather than kept


def parse(text: str) -> tuple[Any, Positions]:
    """Plain data and positions of ``text``. The same text is parsed once per process (ruamel's pure-Python
    round-trip parser costs milliseconds per spec, and a command, clone or test suite reads the same spec many
    times); every caller gets its own copy, so mutating the result never changes the cache."""
    if len(text) > CACHE_MAX_CHARS:
        return _parse(text)
    raw, positions = _parse_cached(text)
    return copy.deepcopy(raw), dict(positions)


@functools.lru_cache(maxsize=32)
def _parse_cached(text: str) -> tuple[Any, Positions]:
    return _parse(text)


def _parse(text: str) -> tuple[Any, Positions]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if _flow_depth(text) > MAX_FLOW_DEPTH:  # refused before a parse that would take seconds
        raise YamlProblem(_TOO_DEEP, 0, 0)
    yaml = YAML(typ="rt", pure=True)
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = " ".join(str(p) for p in (e.context, e.problem) if p)
        raise YamlProblem(f"not valid YAML: {problem}", line, col) from None
    except YAMLError as e:
        raise YamlProblem(f"not valid YAML: {e}".splitlines()[0], 0, 0) from None
    except RecursionError:
        raise YamlProblem(_TOO_DEEP, 0, 0) from None
    positions: Positions = {(): (1, 1)}
    try:
        return _plain(doc, (), positions, [MAX_NODES]), positions
    except RecursionError:  # a self-referencing alias (&a [*a]) or absurd nesting
        raise YamlProblem(_TOO_DEEP, 0, 0) from None


def _flow_depth(text: str) -> int:
    """The deepest run of unclosed ``[``/``{`` (quotes not parsed: an over-count needs 100 stray brackets)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}" and depth:
            depth -= 1
    return deepest


def _plain(node: Any, path: Path, positions: Positions, budget: list[int]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    budget[0] -= 1  # bounds alias bombs: &a [1, 1], &b [*a, *a], ... expand exponentially
    if budget[0] < 0:
        raise YamlProblem(_TOO_BIG, 0, 0)
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            key_plain = str(key) if not isinstance(key, (str, int, float, bool)) or key is None else key
            child = (*path, key_plain if isinstance(key_plain, str) else str(key_plain))
            try:
                line, col = node.lc.key(key)
                positions[child] = (line + 1, col + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            out[key_plain] = _plain(value, child, positions, budget)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            child = (*path, i)
            try:
                line, col = node.lc.item(i)
                positions[child] = (line + 1, col + 1)
            except (KeyError, TypeError, AttributeError, IndexError):
                pass
            items.append(_plain(value, child, positions, budget))
        return items
    return _scalar(node)


def _scalar(node: Any) -> Any:
    if node is None or isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return str(node)  # timestamps and other tags: keep the text; the model decides


def position(positions: Positions, path: Path) -> tuple[int, int]:
    """The position of ``path``, or of its nearest ancestor present in the file."""
    p = tuple(path)
    while p and p not in positions:
        p = p[:-1]
    return positions.get(p, (0, 0))
