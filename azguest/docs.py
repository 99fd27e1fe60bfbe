"""Generated documentation: `python -m azguest.docs [--check]` writes (or checks) docs/*.md from code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def exit_codes_markdown() -> str:
    from azguest.cli.exitcodes import describe

    rows = ["# azguest exit codes", "",
            "Generated from `azguest/cli/exitcodes.py` by `python -m azguest.docs`; a test keeps it in sync.",
            "Every failure prints one line `azguest: error [CODE]: message` on stderr (plus a hint), and with",
            "`--output json` the same error as data on stdout. Tracebacks only with `--debug`.", "",
            "| code | name | meaning |", "|---:|---|---|"]
    rows += [f"| {code} | `{name}` | {meaning} |" for code, name, meaning in describe()]
    return "\n".join(rows) + "\n"


def _output_schema() -> str:
    from azguest.cli.output_schema import schema_text

    return schema_text()


def _output_markdown() -> str:
    from azguest.cli.output_schema import docs_markdown

    return docs_markdown()


def _backup_markdown() -> str:
    from azguest.cli.backup_cmds import matrix_markdown

    return matrix_markdown()


GENERATED: dict[str, Callable[[], str]] = {
    "docs/exit-codes.md": exit_codes_markdown,
    "azguest/cli/output.schema.json": _output_schema,  # the -o json envelope's JSON Schema (package data)
    "docs/output.md": _output_markdown,
    "docs/backup.md": _backup_markdown,  # the backup support matrix (storage mode x method)
}


def main(argv: list[str]) -> int:
    stale = []
    for rel, render in GENERATED.items():
        path = ROOT / rel
        text = render()
        if "--check" in argv:
            if not path.exists() or path.read_text() != text:
                stale.append(rel)
        else:
            path.write_text(text)
    for rel in stale:
        print(f"stale: {rel} (run python -m azguest.docs)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
