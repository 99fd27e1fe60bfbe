"""Rendering results: human text (rich) or a versioned JSON envelope for CI.

Commands return plain data (frozen records turned into dicts by ``to_dict``); this module is the
only place that prints them. With ``-o json`` (or ``AZGUEST_OUTPUT=json``) every command, and every
failure including a bad command line, writes exactly one document on stdout:
``{"schema": "azguest/v1", "command": ..., "ok": ..., "result": ..., "error": ..., "warnings"?: [...]}``.
``error`` is null on success and ``{code, message, hint?, exitCode, ...}`` on failure. Every key is
camelCase; data-keyed maps are lists of objects. The JSON Schema is ``output.schema.json`` next to
this module (package data), documented in docs/output.md.
"""

from __future__ import annotations

import enum
import json
import os
import sys
from pathlib import Path
from typing import Any

SCHEMA = "azguest/v1"  # the envelope's version: changes only with an incompatible change of the envelope
SCHEMA_FILE = Path(__file__).with_name("output.schema.json")
OUTPUT_ENV = "AZGUEST_OUTPUT"

OPAQUE_KEYS = {  # keys whose values are foreign documents, copied verbatim (their keys are not azguest's)
    "document": "a JSON Schema (`schema -o json`)",
    "effective": "the effective lab spec, in the spec's own YAML names (`validate --show-defaults`)",
    "tags": "Azure tags, named by their owners",
    "data": "a guest step's result data, as its script reported it (`configure`, `deploy`)",
}
CLI_ERROR_CODES = {  # code: (exit code, meaning) of the failures that are not an AzguestError
    "AZG-USAGE-MISSING": (64, "a required argument or option is missing"),
    "AZG-USAGE-UNKNOWN-OPTION": (64, "an option the command does not have"),
    "AZG-USAGE-BAD-VALUE": (64, "a value the argument or option does not accept (a bad choice, out of range)"),
    "AZG-USAGE-NO-COMMAND": (64, "a command group named without a command"),
    "AZG-USAGE-FILE": (64, "a file given on the command line cannot be opened"),
    "AZG-USAGE": (64, "any other bad command line"),
    "AZG-ABORTED": (130, "a prompt was aborted"),
    "AZG-INTERRUPTED": (130, "Ctrl-C. In deploy, destroy or gc the first Ctrl-C lets running work finish (the error "
                             "carries the record); a second one stops waiting at once (`details.running`: what "
                             "keeps going in Azure)"),
    "AZG-INTERNAL": (1, "an unexpected error (a bug): run again with --debug and report it"),
    "AZG-FAILED": (1, "a command ended with a failure code and no error of its own (the exit code is kept)"),
}

_emitted = False  # whether this run wrote its envelope (run() adds one for a failure that did not)


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
              warnings: list | None = None, compact: bool = False) -> None:
    """Write the envelope; ``compact`` puts it on one line (``emulator serve``: the first line, then serving)."""
    global _emitted
    doc = envelope(command, ok=ok, result=result, error=error, warnings=warnings)
    sys.stdout.write(json.dumps(doc, indent=None if compact else 2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()
    _emitted = True


def error_object(e: Any) -> dict:
    """An AzguestError as the envelope's ``error``: its code, kind, message, hint, and the process exit code."""
    from azguest.cli.exitcodes import KIND_TO_EXIT

    return {**e.to_dict(), "exitCode": int(KIND_TO_EXIT[e.kind])}


def failure(code: str, message: str, exit_code: int, hint: str | None = None, kind: str | None = None,
            **extra: Any) -> dict:
    """An ``error`` object for a failure that is not an AzguestError (usage, Ctrl-C, an internal error)."""
    out: dict[str, Any] = {"code": code, "message": message}
    if kind:
        out["kind"] = kind
    if hint:
        out["hint"] = hint
    return {**out, **extra, "exitCode": int(exit_code)}


def json_requested(argv: list[str], environ: dict | None = None) -> bool:
    """-o json, --output json, --output=json, -ojson (any case) on the command line, or AZGUEST_OUTPUT=json."""
    for i, a in enumerate(argv):
        if a == "--":
            break
        low = a.lower()
        if low in ("--output=json", "-ojson"):
            return True
        if a in ("--output", "-o") and [x.lower() for x in argv[i + 1 : i + 2]] == ["json"]:
            return True
    env = os.environ if environ is None else environ
    return env.get(OUTPUT_ENV, "").strip().lower() == "json"


def reset() -> None:
    global _emitted
    _emitted = False


def emitted() -> bool:
    return _emitted
