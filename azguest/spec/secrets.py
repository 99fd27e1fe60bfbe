"""Resolving the admin password reference. The value is never logged, printed or stored."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from azguest.catalog.rules import PASSWORD_MAX, PASSWORD_MIN
from azguest.errors import ConfigError
from azguest.spec.models import Lab


def resolve_password(
    lab: Lab, *, env: Mapping[str, str] = os.environ, prompt: Callable[[str], str] | None = None
) -> str:
    """The admin password from the environment, or the prompt when the spec omits it.

    ``fromKeyVault`` is not supported yet (ConfigError AZG-SECRET-KEYVAULT): the spec layer makes no
    Azure call. ``prompt`` is e.g. ``lambda text: getpass.getpass(text)``; None means no terminal.
    """
    ref = lab.admin.password
    if ref is not None and ref.from_key_vault is not None:
        kv = ref.from_key_vault
        raise ConfigError(
            f"admin.password.fromKeyVault ({kv.vault}/{kv.secret}) is not supported yet",
            code="AZG-SECRET-KEYVAULT",
            hint="export the secret into an environment variable and use {fromEnv: AZGUEST_ADMIN_PASSWORD}",
        )
    if ref is not None and ref.from_env is not None:
        value = env.get(ref.from_env)
        if not value:
            raise ConfigError(
                f"admin.password.fromEnv names {ref.from_env}, which is not set",
                code="AZG-SECRET-ENV",
                hint=f"export {ref.from_env}=... (12+ characters, 3 of: lower, upper, digit, symbol)",
            )
    elif prompt is not None:
        value = prompt(f"Admin password for {lab.admin.username}@{lab.name}: ")
    else:
        raise ConfigError(
            "admin.password is omitted and there is no terminal to prompt on",
            code="AZG-SECRET-PROMPT",
            hint="set admin.password: {fromEnv: AZGUEST_ADMIN_PASSWORD} and export the variable",
        )
    _check_complexity(value, lab.admin.username)
    return value


def _check_complexity(value: str, username: str) -> None:
    """Azure's Windows admin password rules; the error never contains the value."""
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX or classes < 3 or username.lower() in value.lower():
        raise ConfigError(
            "the admin password does not meet Azure's rules",
            code="AZG-SECRET-WEAK",
            hint=f"use {PASSWORD_MIN}-{PASSWORD_MAX} characters with 3 of: lower case, upper case, digit, "
            "symbol, not containing the user name",
        )
