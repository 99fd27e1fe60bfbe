"""AzureSession: client construction, credential choice, retry/user agent/polling, error mapping.

No network and no Azure login: clients are built but only ever sent to a closed loopback port.
DefaultAzureCredential is constructed (which reads the environment) but never asked for a token.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from azguest.azure import USER_AGENT, AzureSession, RetrySettings, arm_errors, resolve_target, translate_error
from azguest.errors import AuthError, AzureError

SUB = "11111111-2222-3333-4444-555555555555"


def _session(**kw) -> AzureSession:
    return AzureSession(resolve_target(environ={}, **kw))


def test_import__adaptor_imports_no_azure_sdk():
    code = "import sys, azguest.azure; print(sorted(m for m in sys.modules if m.split('.')[0] == 'azure'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_credential__real_cloud_uses_default_azure_credential():
    from azure.identity import DefaultAzureCredential

    s = _session(subscription=SUB)
    assert isinstance(s.credential, DefaultAzureCredential)
    assert s.credential is s.credential  # one credential, built once


@pytest.mark.parametrize(
    ("kw", "has_static_policy"),
    [
        ({"endpoint": "http://127.0.0.1:1"}, True),
        ({"endpoint": "http://localhost:1"}, True),
        ({"endpoint": "https://127.0.0.1:1"}, False),
    ],
)
def test_credential__loopback_needs_no_login(kw: dict, has_static_policy: bool):
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

    from azguest.azure._credentials import EmulatorCredential, StaticBearerPolicy

    s = _session(**kw)
    assert isinstance(s.credential, EmulatorCredential)
    assert s.credential.get_token("https://management.azure.com/.default").token
    policy = s.resource._config.authentication_policy
    expected = StaticBearerPolicy if has_static_policy else ARMChallengeAuthenticationPolicy
    assert isinstance(policy, expected)
    assert s.client_kwargs()["use_env_settings"] is False


def test_credential__explicit_credential_wins():
    from azguest.azure._credentials import EmulatorCredential

    cred = EmulatorCredential()
    s = AzureSession(resolve_target(subscription=SUB, environ={}), credential=cred)
    assert s.credential is cred and s.compute._config.credential is cred


@pytest.mark.parametrize(
    ("cloud", "base_url", "scope"),
    [
        ("AzureCloud", "https://management.azure.com/", "https://management.azure.com/.default"),
        ("AzureUSGovernment", "https://management.usgovcloudapi.net/",
         "https://management.core.usgovcloudapi.net/.default"),
        ("AzureChinaCloud", "https://management.chinacloudapi.cn/",
         "https://management.chinacloudapi.cn/.default"),
    ],
)
def test_clients__cloud_sets_base_url_and_scope(cloud: str, base_url: str, scope: str):
    s = _session(subscription=SUB, cloud=cloud)
    for client in (s.compute, s.network, s.storage, s.resource):
        assert client._config.base_url == base_url
        assert list(client._config.credential_scopes) == [scope]


def test_clients__custom_endpoint_is_base_url():
    s = _session(subscription=SUB, endpoint="https://management.local.azurestack.external/")
    assert s.network._config.base_url == "https://management.local.azurestack.external"


def test_clients__built_once_with_user_agent_retry_and_polling():
    s = AzureSession(
        resolve_target(subscription=SUB, environ={}), retry=RetrySettings(total=4, backoff_factor=0.5)
    )
    assert s.compute is s.compute
    from azure.mgmt.resource.resources import ResourceManagementClient

    assert isinstance(s.resource, ResourceManagementClient)
    for client in (s.compute, s.network, s.storage, s.resource):
        cfg = client._config
        assert cfg.user_agent_policy.user_agent.startswith(USER_AGENT + " ")
        assert cfg.retry_policy.total_retries == 4 and cfg.retry_policy.backoff_factor == 0.5
        assert cfg.polling_interval == 10.0


def test_clients__polling_interval_small_for_loopback_and_settable():
    assert _session(endpoint="http://127.0.0.1:1").compute._config.polling_interval < 0.1
    s = AzureSession(resolve_target(endpoint="http://127.0.0.1:1", environ={}), polling_interval=0.5)
    assert s.compute._config.polling_interval == 0.5


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_errors__connection_refused_is_azg_connect():
    url = f"http://127.0.0.1:{_closed_port()}"
    s = AzureSession(resolve_target(endpoint=url, environ={}), retry=RetrySettings(total=0, connect=0))
    with pytest.raises(AzureError) as ei, s.arm_errors(target="rg-x"):
        s.resource.resource_groups.get("rg-x")
    assert ei.value.code == "AZG-CONNECT"
    assert url in ei.value.message
    assert ei.value.__cause__ is not None


def test_errors__client_authentication_is_auth_error_with_hint():
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import CredentialUnavailableError

    for exc in (ClientAuthenticationError("token request failed"), CredentialUnavailableError("no login")):
        err = translate_error(exc)
        assert isinstance(err, AuthError)
        assert "az login" in err.hint and "AZURE_CLIENT_ID" in err.hint


def test_errors__non_sdk_exceptions_pass_through():
    with pytest.raises(KeyError), arm_errors():
        raise KeyError("x")
    with pytest.raises(TypeError):
        translate_error(ValueError("x"))
