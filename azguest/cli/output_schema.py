"""The JSON Schema of the ``-o json`` envelope, and docs/output.md, generated from the CLI's own tables.

``python -m azguest.docs`` writes ``azguest/cli/output.schema.json`` (package data: ``azguest schema
--envelope`` prints it from an installed wheel) and ``docs/output.md``; ``--check`` and a test keep both
current. The schema enforces the envelope's rules recursively: every key camelCase, ``error`` null
exactly when ``ok``, ``exitCode`` one of the documented exit codes.
"""

from __future__ import annotations

import json
from typing import Any

from azguest.cli.output import CLI_ERROR_CODES, OPAQUE_KEYS, OUTPUT_ENV, SCHEMA

CAMEL_CASE = r"^[a-z][a-zA-Z0-9]*$"

ENVELOPE_FIELDS = {  # field: description (also the docs table)
    "schema": f"The envelope's version, `{SCHEMA}`. It changes only with an incompatible change of the envelope.",
    "command": "The command path (`plan`, `emulator stats`); empty when the command line names no command.",
    "ok": "true when the command succeeded (exit code 0).",
    "result": "What the command did or found, or null. On a failure it may hold what was done before it.",
    "error": "null when `ok`; otherwise the error object below.",
    "warnings": "plan and deploy: every validator warning of the spec (present on success and on failure).",
}
ERROR_FIELDS = {
    "code": "Stable code: `AZG-...` for azguest's own, or Azure's ARM error code (e.g. `AllocationFailed`).",
    "message": "What is wrong, in one line.",
    "hint": "(optional) What to do next.",
    "exitCode": "The process exit code of this failure (docs/exit-codes.md).",
    "kind": "(optional) The class of failure (`usage`, `spec`, `azure`, `partial`, ...).",
    "details": "(optional) Facts about the failure (e.g. the lease holder).",
    "status": "(optional) Azure's HTTP status.",
    "target": "(optional) The resource or property Azure named.",
    "param": "(optional, usage errors) The argument or option at fault.",
}


def envelope_schema() -> dict[str, Any]:
    from azguest.cli.exitcodes import ExitCode
    from azguest.errors import ErrorKind

    error = {
        "type": "object", "required": ["code", "message", "exitCode"],
        "propertyNames": {"$ref": "#/$defs/camelCase"},
        "properties": {
            "code": {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9.-]*$", "description": ERROR_FIELDS["code"]},
            "message": {"type": "string", "minLength": 1, "description": ERROR_FIELDS["message"]},
            "hint": {"type": "string", "description": ERROR_FIELDS["hint"]},
            "exitCode": {"enum": sorted(int(c) for c in ExitCode if c != ExitCode.OK),
                         "description": ERROR_FIELDS["exitCode"]},
            "kind": {"enum": [k.value for k in ErrorKind] + ["internal"], "description": ERROR_FIELDS["kind"]},
            "details": {"$ref": "#/$defs/object", "description": ERROR_FIELDS["details"]},
            "status": {"type": "integer", "description": ERROR_FIELDS["status"]},
            "target": {"type": "string", "description": ERROR_FIELDS["target"]},
            "param": {"type": "string", "description": ERROR_FIELDS["param"]},
        },
        "additionalProperties": {"$ref": "#/$defs/value"},
    }
    opaque = {k: {"description": why} for k, why in OPAQUE_KEYS.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://azguest.dev/schema/output.schema.json",  # like the lab schema's; the version: "schema"
        "title": f"azguest -o json envelope ({SCHEMA})",
        "description": "One document on stdout per run of any azguest command with -o json "
                       f"(or {OUTPUT_ENV}=json), success or failure; see docs/output.md.",
        "type": "object",
        "required": ["schema", "command", "ok", "result", "error"],
        "additionalProperties": False,
        "properties": {
            "schema": {"const": SCHEMA, "description": ENVELOPE_FIELDS["schema"]},
            "command": {"type": "string", "description": ENVELOPE_FIELDS["command"]},
            "ok": {"type": "boolean", "description": ENVELOPE_FIELDS["ok"]},
            "result": {"$ref": "#/$defs/value", "description": ENVELOPE_FIELDS["result"]},
            "error": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/error"}], "description": ENVELOPE_FIELDS["error"]},
            "warnings": {"type": "array", "items": {"$ref": "#/$defs/object"},
                         "description": ENVELOPE_FIELDS["warnings"]},
        },
        "if": {"properties": {"ok": {"const": True}}},
        "then": {"properties": {"error": {"type": "null"}}},
        "else": {"properties": {"error": {"$ref": "#/$defs/error"}}},
        "$defs": {
            "camelCase": {"type": "string", "pattern": CAMEL_CASE},
            "value": {"anyOf": [{"type": ["null", "boolean", "number", "string"]},
                                {"type": "array", "items": {"$ref": "#/$defs/value"}},
                                {"$ref": "#/$defs/object"}]},
            "object": {"type": "object", "propertyNames": {"$ref": "#/$defs/camelCase"},
                       "properties": opaque, "additionalProperties": {"$ref": "#/$defs/value"}},
            "error": error,
        },
    }


def schema_text() -> str:
    return json.dumps(envelope_schema(), indent=2) + "\n"


def _commands() -> list[tuple[str, str]]:
    """(command path, first line of its help) for every command and sub-command of the Typer app."""
    import typer

    from azguest.cli.main import app

    def walk(cmd: Any, path: tuple[str, ...]) -> list[tuple[str, str]]:
        subs = getattr(cmd, "commands", None)
        if subs is None:
            return [(" ".join(path), " ".join((cmd.help or "").strip().split("\n\n")[0].split()))]
        return [row for name in sorted(subs) for row in walk(subs[name], (*path, name))]

    return walk(typer.main.get_command(app), ())


def docs_markdown() -> str:
    lines = [
        "# azguest JSON output", "",
        "Generated from `azguest/cli/output_schema.py` by `python -m azguest.docs`; a test keeps it in sync, and",
        "`tests/test_json_everywhere.py` validates the output of every command against the schema.", "",
        f"Every command accepts `-o json` (`--output json`, or `{OUTPUT_ENV}=json` in the environment). It then",
        "writes exactly one JSON document on stdout, on success and on every failure, a bad command line",
        "included. Human text (progress, prompts, the one-line error) goes to stderr. The process exit code is",
        "the envelope's `error.exitCode` ([exit-codes.md](exit-codes.md)); 0 when `ok`.", "",
        "The JSON Schema is `azguest/cli/output.schema.json` in the package; `azguest schema --envelope` prints it.",
        "", "## Envelope", "", "| field | meaning |", "|---|---|",
        *(f"| `{k}` | {v} |" for k, v in ENVELOPE_FIELDS.items()),
        "", "## error", "", "| field | meaning |", "|---|---|",
        *(f"| `{k}` | {v} |" for k, v in ERROR_FIELDS.items()),
        "", "Codes of failures that are not one of azguest's typed errors:", "",
        "| code | exit | meaning |", "|---|---:|---|",
        *(f"| `{code}` | {exit_code} | {meaning} |" for code, (exit_code, meaning) in CLI_ERROR_CODES.items()),
        "", "## Rules", "",
        "- Every key, at every depth, is camelCase (`^[a-z][a-zA-Z0-9]*$`). A map keyed by data (lab names,",
        "  ARM types, HTTP statuses) is a list of objects instead (`gc`'s `expired`, `emulator stats`' `byType`).",
        "- Values under these keys are foreign documents, copied verbatim (their keys are not azguest's):",
        *(f"  `{k}`: {why}." for k, why in OPAQUE_KEYS.items()),
        "- No secret (admin password, keys, protected parameters) is ever in the output.",
        f"- Versioning: `schema` stays `{SCHEMA}` while changes are additive (a new key, command or error code);",
        "  removing or renaming a key, or changing a type, makes a new version.",
        "", "## Commands", "", "| command | what it does |", "|---|---|",
        *(f"| `azguest {path}` | {summary} |" for path, summary in _commands()),
        "", "## Example", "", "```json",
        json.dumps({"schema": SCHEMA, "command": "plan", "ok": False, "result": None, "error": {
            "code": "AZG-USAGE-MISSING", "message": "Missing argument 'spec'.", "hint": "see `azguest plan --help`",
            "kind": "usage", "param": "spec", "exitCode": 64}}, indent=2),
        "```", "",
    ]
    return "\n".join(lines)
