"""Key Vault secrets, data plane: ``GET https://{vault}.vault.azure.net/secrets/{name}[/{version}]``.

Enough of Key Vault for ``admin.password: {fromKeyVault: ...}`` to run end to end with the real
``azure-keyvault-secrets`` client. Requests reach the engine two ways:

* in process: the vault host itself (``{vault}.vault.azure.net`` and the sovereign-cloud suffixes),
  through ``EmulatorTransport``;
* over the loopback HTTP server, which has one host: the path prefix ``/keyvault/{vault}/secrets/...``
  (``azguest.azure.keyvault`` rewrites the vault URL to it below the SDK's pipeline).

Authentication is Key Vault's bearer challenge, as the SDK's ``ChallengeAuthPolicy`` expects: a
request without ``Authorization`` gets 401 with ``WWW-Authenticate: Bearer authorization=
"https://login.microsoftonline.com/{tenant}", resource="https://vault.azure.net"``; the retry with
any bearer token is served. Secrets are seeded with ``Engine.set_secret`` or
``azguest emulator set-secret``; a vault nobody seeded answers like an empty vault.

Seeded values are kept in the state (key ``keyvault``) in plain text, because a persisted emulator
is shared by processes: only what a test or a user seeded is there, never a value read from a request.
Values are never written to the request log (it records method, path and status only).

Not implemented: setting, listing, deleting or backing up secrets over the data plane; access
policies and RBAC (any bearer token may read); disabled or expired secrets; the management plane
(``Microsoft.KeyVault/vaults``).
"""

from __future__ import annotations

import uuid
from typing import Any

from azguest.emulator.context import Ctx, Reply
from azguest.emulator.errors import ArmError
from azguest.emulator.handlers.base import Handler
from azguest.emulator.registry import Op, Rule, register

VAULT_SUFFIXES = (".vault.azure.net", ".vault.usgovcloudapi.net", ".vault.azure.cn")  # DNS of each cloud
PATH_PREFIX = "/keyvault/"  # loopback HTTP: /keyvault/{vault}/secrets/{name}[/{version}]
EMULATOR_TENANT = "00000000-0000-0000-0000-000000000000"
CHALLENGE = (f'Bearer authorization="https://login.microsoftonline.com/{EMULATOR_TENANT}", '
             'resource="https://vault.azure.net"')
STATE_KEY = "keyvault"  # state[STATE_KEY][vault][secret name] = [{"version", "value", "created"}, ...]


def vault_request(base_url: str, path: str) -> tuple[str, tuple[str, ...]] | None:
    """(vault name, path segments after it) when the request is for Key Vault, else None."""
    host = base_url.split("://", 1)[-1].split(":", 1)[0].lower()
    segs = tuple(s for s in path.split("/") if s)
    for suffix in VAULT_SUFFIXES:
        if host.endswith(suffix) and len(host) > len(suffix):
            return host[: -len(suffix)], segs
    if path.startswith(PATH_PREFIX) and len(segs) >= 2:
        return segs[1].lower(), segs[2:]
    return None


def seed(state: dict[str, Any], vault: str, name: str, value: str, now: float) -> str:
    """Store a new version of a secret; returns the version id."""
    version = uuid.uuid4().hex
    versions = state.setdefault(STATE_KEY, {}).setdefault(vault.lower(), {}).setdefault(name.lower(), [])
    versions.append({"version": version, "value": value, "created": int(now), "name": name})
    return version


@register
class KeyVaultSecrets(Handler):
    arm_type = "Microsoft.KeyVault/vaults/secrets"
    scope = "sub"
    operations = (
        Op("GET", "https://{vault}.vault.azure.net/secrets/{name}/{version}", (200, 401, 404),
           summary="data plane, api-version 7.x; version optional (latest); 401 + bearer challenge "
                   "without a token"),
    )
    rules = (
        Rule(401, "Unauthorized", "no bearer token: WWW-Authenticate challenge naming the tenant and "
             "resource https://vault.azure.net"),
        Rule(404, "SecretNotFound", "no such secret (or version) in the vault"),
        Rule(405, "BadParameter", "only GET of a secret is emulated"),
    )

    def data_plane(self, ctx: Ctx, vault: str, segs: tuple[str, ...]) -> Reply:
        if not ctx.req.headers.get("authorization", "").lower().startswith("bearer "):
            return Reply(401, {"error": {"code": "Unauthorized",
                                         "message": "AKV10000: Request is missing a Bearer or PoP token."}},
                         {"WWW-Authenticate": CHALLENGE})
        if ctx.req.method != "GET" or len(segs) not in (2, 3) or segs[0].lower() != "secrets":
            raise ArmError(405, "BadParameter", "The emulator serves GET /secrets/{name}[/{version}] only.")
        name, version = segs[1], (segs[2] if len(segs) == 3 else "")
        versions = ctx.state.get(STATE_KEY, {}).get(vault, {}).get(name.lower(), [])
        found = [v for v in versions if v["version"] == version] if version else versions[-1:]
        if not found:
            shown = f"{name}/{version}" if version else name
            raise ArmError(404, "SecretNotFound",
                           f"A secret with (name/id) {shown} was not found in this key vault.")
        return Reply(200, _secret_body(ctx, vault, found[0]))

    # the management plane (Microsoft.KeyVault/vaults/...) is not emulated
    def put(self, ctx: Ctx) -> Reply:
        raise _no_management_plane()

    get = delete = head = patch = list = put


def _no_management_plane() -> ArmError:
    return ArmError(404, "InvalidResourceType",
                    "The emulator serves Key Vault secrets on the data plane only (GET https://{vault}"
                    ".vault.azure.net/secrets/{name}).")


def _secret_body(ctx: Ctx, vault: str, item: dict[str, Any]) -> dict[str, Any]:
    prefixed = ctx.req.path.startswith(PATH_PREFIX)  # loopback HTTP: the client saw the vault's own URL
    base = f"https://{vault}.vault.azure.net" if prefixed else ctx.req.base_url
    return {
        "value": item["value"],
        "id": f"{base}/secrets/{item['name']}/{item['version']}",
        "attributes": {"enabled": True, "created": item["created"], "updated": item["created"],
                       "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90},
        "tags": {},
    }
