"""The JSON Schema of the lab spec (for editor completion), generated from the models."""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_ID = "https://azguest.dev/schema/lab.schema.json"
REPO_SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "lab.schema.json"


def json_schema() -> dict:
    from azguest.spec.models import Lab

    body = Lab.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **body}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
