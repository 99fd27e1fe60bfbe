"""Reading one Key Vault secret (``admin.password: {fromKeyVault: {vault, secret}}``).

``azure-keyvault-secrets`` is imported inside :func:`read_secret` only. The client runs the SDK's
own pipeline, ``ChallengeAuthPolicy`` included (the first request carries no token; the vault's 401
names the tenant and resource, and the retry carries a token from the session's credential).

Where the requests go:
* a real cloud: ``https://{vault}.{suffix}`` with the cloud's DNS suffix (``VAULT_DNS_SUFFIX``);
* the in-process emulator: the same URL, through the session's ``EmulatorTransport``;
* a loopback emulator server (one host, plain http): the SDK still sees ``https://{vault}.vault.azure.net``
  (so TLS and challenge checks run unchanged) and :class:`_LoopbackVaultTransport` sends each request
  to ``{endpoint}/keyvault/{vault}/...`` (see ``azguest/emulator/handlers/keyvault.py``).

The value is returned to the caller only: never logged, printed, or put in an error message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

# Key Vault DNS suffix per cloud (learn.microsoft.com azure/key-vault/general/about-keys-secrets-certificates,
# "DNS suffixes for object identifiers")
VAULT_DNS_SUFFIX = {
    "AzureCloud": "vault.azure.net",
    "AzureUSGovernment": "vault.usgovcloudapi.net",
    "AzureChinaCloud": "vault.azure.cn",
}
LOOPBACK_PREFIX = "/keyvault"


def vault_url(session: AzureSession, vault: str) -> str:
    """``https://{vault}.{suffix}`` for the session's cloud (the emulator answers on the public suffix)."""
    suffix = VAULT_DNS_SUFFIX.get(session.target.cloud, VAULT_DNS_SUFFIX["AzureCloud"])
    return f"https://{vault.lower()}.{suffix}"


def read_secret(session: AzureSession, vault: str, name: str) -> str:
    """The current value of secret ``name`` in Key Vault ``vault`` (AzureError/AuthError on failure)."""
    from azure.keyvault.secrets import SecretClient

    kw: dict[str, Any] = {"user_agent": session.client_kwargs()["user_agent"], **session.retry.client_kwargs()}
    if session.transport is not None:
        kw["transport"] = session.transport
    elif session.target.is_loopback:
        kw["transport"] = _loopback_transport(session.target.endpoint or "")
        kw["use_env_settings"] = False  # an HTTP(S)_PROXY must not capture loopback traffic
    what = f"Key Vault {vault} secret {name}"
    with session.arm_errors(target=what), SecretClient(vault_url(session, vault), session.credential, **kw) as client:
        value = client.get_secret(name).value
    if value is None:
        from azguest.errors import AzureError

        raise AzureError(f"{what} has no value", code="AZG-SECRET-EMPTY", target=what)
    return value


def _loopback_transport(endpoint: str) -> Any:
    from azure.core.pipeline.transport import RequestsTransport

    class _LoopbackVaultTransport(RequestsTransport):
        """Sends ``https://{vault}.vault.azure.net/x`` to ``{endpoint}/keyvault/{vault}/x``."""

        def send(self, request: Any, **kwargs: Any) -> Any:
            original = request.url  # the pipeline (challenge retry, TLS check) keeps seeing the vault URL
            parts = urlsplit(original)
            vault = (parts.hostname or "").split(".", 1)[0]
            query = f"?{parts.query}" if parts.query else ""
            request.url = f"{endpoint}{LOOPBACK_PREFIX}/{vault}{parts.path}{query}"
            try:
                return super().send(request, **kwargs)
            finally:
                request.url = original

    return _LoopbackVaultTransport()
