"""OData ``$filter`` subset used by ARM list calls: tagName/tagValue, resourceType, name."""

from __future__ import annotations

import re
from typing import Any

from azguest.emulator.errors import ArmError

_CLAUSE = re.compile(r"^\s*(tagname|tagvalue|resourcetype|name)\s+eq\s+'((?:[^']|'')*)'\s*$", re.I)


def parse(expr: str | None) -> dict[str, str]:
    if not expr:
        return {}
    out: dict[str, str] = {}
    for part in re.split(r"\s+and\s+", expr.strip(), flags=re.I):
        m = _CLAUSE.match(part)
        if not m:
            raise ArmError(400, "InvalidFilterInQueryString",
                           f"Invalid $filter '{expr}'. Supported: tagName eq '..' [and tagValue eq '..'], "
                           "resourceType eq '..', name eq '..'.")
        out[m.group(1).lower()] = m.group(2).replace("''", "'")
    if "tagvalue" in out and "tagname" not in out:
        raise ArmError(400, "InvalidFilterInQueryString", "tagValue requires tagName.")
    return out


def matches(res: dict[str, Any], flt: dict[str, str]) -> bool:
    if "resourcetype" in flt and res.get("type", "").lower() != flt["resourcetype"].lower():
        return False
    if "name" in flt and res.get("name", "").lower() != flt["name"].lower():
        return False
    if "tagname" in flt:
        tags = {k.lower(): v for k, v in (res.get("tags") or {}).items()}
        name = flt["tagname"].lower()
        if name not in tags:
            return False
        if "tagvalue" in flt and str(tags[name]) != flt["tagvalue"]:
            return False
    return True
