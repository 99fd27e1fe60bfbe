"""Resolving the admin password reference. The value is never logged, printed or stored.

The spec layer makes no Azure call: ``fromKeyVault`` is read through the ``key_vault`` callable the
caller passes (the CLI passes ``AzureSession.secret``, see ``azguest.azure.keyvault``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from azguest.catalog.rules import ENV_VAR_NAME, PASSWORD_MAX, PASSWORD_MIN
from azguest.errors import ConfigError
from azguest.spec.models import Lab

PASSWORD_RULES = (f"{PASSWORD_MIN}-{PASSWORD_MAX} characters with 3 of: lower case, upper case, digit, symbol, "
                  "not containing the user name")
KeyVaultReader = Callable[[str, str], str]  # (vault name, secret name) -> the secret's value


def resolve_password(
    lab: Lab, *, env: Mapping[str, str] = os.environ, prompt: Callable[[str], str] | None = None,
    key_vault: KeyVaultReader | None = None,
) -> str:
    """The admin password from Key Vault, the environment, or the prompt when the spec omits it.

    ``prompt`` asks on a terminal (hidden, with a confirmation entry; azguest.cli.prompts) and is given the
    question without a trailing colon; None means no terminal. It is used when the spec omits the password,
    and when ``fromEnv`` names a variable that is not set.
    ``key_vault`` reads a Key Vault secret; None means there is no Azure session to read it with.
    """
    ref = lab.admin.password
    question = f"Admin password for {lab.admin.username}@{lab.name}"
    if ref is not None and ref.from_key_vault is not None:
        kv = ref.from_key_vault
        if key_vault is None:
            raise ConfigError("admin.password.fromKeyVault needs an Azure session to read the secret",
                              code="AZG-SECRET-KEYVAULT", hint="run deploy (it reads the secret), or use fromEnv")
        value = key_vault(kv.vault, kv.secret)
    elif ref is not None and ref.from_env is not None:
        value = env.get(ref.from_env) if ENV_VAR_NAME.match(ref.from_env) else None
        if not value and prompt is not None:
            value = prompt(f"{question} ({_shown(ref.from_env)} is not set)")
        elif not value:
            raise ConfigError(
                f"admin.password.fromEnv names {_shown(ref.from_env)}, which is not set, and there is no "
                "terminal to prompt on",
                code="AZG-SECRET-ENV",
                hint=f"export {_shown(ref.from_env)}=... (12+ characters, 3 of: lower, upper, digit, symbol)",
            )
    elif prompt is not None:
        value = prompt(question)
    else:
        raise ConfigError(
            "admin.password is omitted and there is no terminal to prompt on",
            code="AZG-SECRET-PROMPT",
            hint="set admin.password: {fromEnv: AZGUEST_ADMIN_PASSWORD} and export the variable",
        )
    if not meets_password_rules(value or "", lab.admin.username):
        raise ConfigError(
            "the admin password does not meet Azure's rules",
            code="AZG-SECRET-WEAK",
            hint=f"use {PASSWORD_RULES}",
        )
    return value


def meets_password_rules(value: str, username: str = "") -> bool:
    """Azure's Windows admin password rules (12-123 characters, 3 of 4 classes, not the user name)."""
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    named = bool(username) and username.lower() in value.lower()
    return PASSWORD_MIN <= len(value) <= PASSWORD_MAX and classes >= 3 and not named


def looks_like_password(text: str) -> bool:
    """True when ``text`` could be a pasted admin password: it passes Azure's rules and mixes cases.

    Environment variable names are by convention one case (AZGUEST_ADMIN_PASSWORD), so this flags
    ``fromEnv: Summer2024_Secure`` without flagging ordinary names.
    """
    mixed = any(c.islower() for c in text) and any(c.isupper() for c in text)
    return mixed and meets_password_rules(text)


def _shown(name: str) -> str:
    """A fromEnv name fit to print: never a string that is not a variable name or could be a password."""
    if ENV_VAR_NAME.match(name) and not looks_like_password(name):
        return name
    return "the variable in admin.password.fromEnv"
