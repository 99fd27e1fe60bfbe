"""Rendering results: human text (rich) or a versioned JSON envelope for CI.

Commands return plain data (frozen records turned into dicts by ``to_dict``); this module is the
only place that prints them. JSON goes to stdout as one document:
``{"schema": "azguest/v1", "command": ..., "ok": ..., "result": ..., "error": ...}``.
"""

from __future__ import annotations

import enum
import json
import sys
from typing import Any

SCHEMA = "azguest/v1"


class OutputFormat(enum.StrEnum):
    human = "human"
    json = "json"


def envelope(command: str, *, ok: bool, result: Any = None, error: dict | None = None,
             warnings: list | None = None) -> dict:
    out = {"schema": SCHEMA, "command": command, "ok": ok, "result": result, "error": error}
    if warnings is not None:  # plan / deploy: every validator warning of the spec
        out["warnings"] = warnings
    return out


def emit_json(command: str, *, ok: bool, result: Any = None, error: dict | None = None,
              warnings: list | None = None) -> None:
    doc = envelope(command, ok=ok, result=result, error=error, warnings=warnings)
    sys.stdout.write(json.dumps(doc, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()

