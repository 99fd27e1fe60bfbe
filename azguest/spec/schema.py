"""The JSON Schema of the lab spec (for editor completion), generated from the models.

One copy is committed as package data, ``azguest/spec/lab.schema.json`` (shipped in the wheel, referenced by
the examples); a test keeps it equal to :func:`schema_text`.
"""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_ID = "https://azguest.dev/schema/lab.schema.json"
PACKAGE_SCHEMA = Path(__file__).resolve().parent / "lab.schema.json"


def json_schema() -> dict:
    from azguest.spec.models import Lab

    body = Lab.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **body}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
