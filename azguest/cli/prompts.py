"""Asking for the admin password on a terminal: hidden input, entered twice, Azure's rules checked.

Injectable for tests: ``terminal`` says whether stdin and stderr are a terminal, ``read`` reads one hidden
entry (default: typer's hidden prompt on stderr), ``say`` writes a line on stderr. The value is never echoed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

ATTEMPTS = 3


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _read_hidden(text: str) -> str:
    import typer

    return typer.prompt(text, hide_input=True, err=True, prompt_suffix=": ")


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")


def password_prompt(username: str, *, terminal: Callable[[], bool] | None = None,
                    read: Callable[[str], str] | None = None,
                    say: Callable[[str], None] | None = None) -> Callable[[str], str] | None:
    """The ``prompt`` for :func:`azguest.spec.resolve_password`, or None when there is no terminal.

    The question is asked, then "Repeat it to confirm"; an entry Azure would refuse, or two entries that
    differ, are said so and asked again, up to ATTEMPTS times. Defaults are looked up at call time.
    """
    if not (terminal or is_terminal)():
        return None
    read = read or _read_hidden
    say = say or _say
    from azguest.errors import ConfigError
    from azguest.spec.secrets import PASSWORD_RULES, meets_password_rules

    def ask(question: str) -> str:
        for _ in range(ATTEMPTS):
            value = read(question)
            if not meets_password_rules(value, username):
                say(f"  Azure refuses that password: use {PASSWORD_RULES}.")
                continue
            if read("Repeat it to confirm") == value:
                return value
            say("  The two entries differ.")
        raise ConfigError(f"no admin password confirmed after {ATTEMPTS} attempts", code="AZG-SECRET-PROMPT",
                          hint=f"use {PASSWORD_RULES}, and type it twice")

    return ask
