"""Per-request context handed to handlers: the parsed request, the state and helpers."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from azguest.emulator import ids
from azguest.emulator.errors import ArmError, rg_not_found
from azguest.emulator.ids import ArmPath

if TYPE_CHECKING:
    from azguest.emulator.engine import Engine


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]  # keys lower-cased
    headers: dict[str, str]  # keys lower-cased
    raw_body: bytes | None
    base_url: str  # scheme://host[:port] the client used

    def json(self) -> dict[str, Any]:
        if not self.raw_body:
            return {}
        try:
            data = json.loads(self.raw_body)
        except RecursionError as e:
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be "
                           "deserialized: JSON nesting is too deep.") from e
        except ValueError as e:  # includes UnicodeDecodeError
            raise ArmError(400, "InvalidRequestContent", f"The request content was invalid and could not be "
                           f"deserialized: {e}") from e
        if not isinstance(data, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be "
                           "deserialized: the body must be a JSON object.")
        return data

    @property
    def api_version(self) -> str:
        return self.query.get("api-version", "2025-04-01")


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able; bytes: JSON already encoded as json.dumps does; None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


def iso(ts: float) -> str:
    """UTC time as ``...Z`` (ARM operation status, Storage ``creationTime``)."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def iso_offset(ts: float) -> str:
    """UTC time as ``...+00:00``: the form Microsoft.Compute uses for ``timeCreated``, instance-view
    status ``time`` and run command start/end times."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


# Write-only secrets ARM accepts but never returns: the emulator drops them before a resource is stored,
# so no state file ever holds one. (Handlers that need a secret use it during the request.)
SECRET_PATHS: tuple[tuple[str, ...], ...] = (
    ("properties", "osProfile", "adminPassword"),
    ("properties", "osProfile", "customData"),
    ("properties", "protectedParameters"),
    ("properties", "protectedSettings"),
)


def scrub(res: dict[str, Any]) -> dict[str, Any]:
    """Remove every write-only secret (``SECRET_PATHS``) from a resource record, in place."""
    for path in SECRET_PATHS:
        node: Any = res
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return res


def jcopy(value: Any) -> Any:
    """A deep copy of a JSON tree (dict/list/str/int/float/bool/None), several times faster than
    ``copy.deepcopy``; anything else (a tuple, an object) goes to ``copy.deepcopy``."""
    cls = type(value)
    if cls is dict:
        return {k: jcopy(v) for k, v in value.items()}
    if cls is list:
        return [jcopy(v) for v in value]
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    return copy.deepcopy(value)


def public(res: dict[str, Any]) -> dict[str, Any]:
    """The ARM JSON of a stored resource: private ``_`` keys removed, deep-copied."""
    return {k: jcopy(v) for k, v in res.items() if not k.startswith("_")}


class Ctx:
    """What a handler sees: request, parsed path, state, clock, engine services."""

    def __init__(self, engine: Engine, state: dict[str, Any], req: Request, path: ArmPath | None,
                 now: float) -> None:
        self.engine = engine
        self.state = state
        self.req = req
        self.path = path
        self.now = now
        self._body: dict[str, Any] | None = None
        self.scratch: dict[str, Any] = {}  # per-request handler scratch space

    @property
    def body(self) -> dict[str, Any]:
        if self._body is None:
            self._body = self.req.json()
        return self._body

    # ---- state access -------------------------------------------------------------------
    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.state["resources"]

    def get(self, resource_id: str | None) -> dict[str, Any] | None:
        if not resource_id:
            return None
        return self.resources.get(ids.key(resource_id))

    def save(self, res: dict[str, Any]) -> None:
        self.resources[ids.key(res["id"])] = scrub(res)
        self.engine.store.dirty = True

    def remove(self, resource_id: str) -> None:
        prefix = ids.key(resource_id)
        for table in (self.resources, self.state.get("guests") or {}):  # a VM's guest OS goes with the VM
            for k in [k for k in table if k == prefix or k.startswith(prefix + "/")]:
                del table[k]
        self.engine.store.dirty = True

    def of_type(self, arm_type: str, *, sub: str | None = None, rg: str | None = None,
                parent: str | None = None) -> list[dict[str, Any]]:
        t = arm_type.lower()
        out = []
        for k, r in self.resources.items():
            if r.get("type", "").lower() != t:
                continue
            if sub and ids.sub_of(k) != sub.lower():
                continue
            if rg and (ids.rg_of(k) or "") != rg.lower():
                continue
            if parent and not k.startswith(ids.key(parent) + "/"):
                continue
            out.append(r)
        return sorted(out, key=lambda r: r["id"].lower())

    def require_rg(self, sub: str, rg: str) -> dict[str, Any]:
        res = self.get(ids.rg_id(sub, rg))
        if res is None:
            raise rg_not_found(rg)
        return res

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def mark_dirty(self) -> None:
        self.engine.store.dirty = True
