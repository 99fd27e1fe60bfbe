"""resolve_target: clouds, endpoints, emulator mode, subscription errors (pure, no SDK calls)."""

from __future__ import annotations

from pathlib import Path

import pytest

from azguest.azure import EMULATOR_SUBSCRIPTION_ID, Target, resolve_target
from azguest.errors import ConfigError, ErrorKind

SUB = "11111111-2222-3333-4444-555555555555"


def test_resolve__default_cloud_with_subscription():
    t = resolve_target(subscription=SUB, environ={})
    assert t == Target(cloud="AzureCloud", subscription_id=SUB)
    assert t.needs_login and not t.emulator and t.endpoint is None


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("AzureUSGovernment", "AzureUSGovernment"),
        ("azurechinacloud", "AzureChinaCloud"),
        ("AZURECLOUD", "AzureCloud"),
    ],
)
def test_resolve__cloud_names_case_insensitive(given: str, canonical: str):
    assert resolve_target(subscription=SUB, cloud=given, environ={}).cloud == canonical


def test_resolve__cloud_from_env():
    t = resolve_target(environ={"AZGUEST_CLOUD": "AzureUSGovernment", "AZURE_SUBSCRIPTION_ID": SUB})
    assert t.cloud == "AzureUSGovernment" and t.subscription_id == SUB


def test_resolve__unknown_cloud():
    with pytest.raises(ConfigError) as ei:
        resolve_target(subscription=SUB, cloud="AzureGermanCloud", environ={})
    assert "AzureUSGovernment" in (ei.value.hint or "")


def test_resolve__no_subscription_names_both_ways_forward():
    with pytest.raises(ConfigError) as ei:
        resolve_target(environ={})
    err = ei.value
    assert err.kind is ErrorKind.USAGE and err.code == "AZG-CONFIG"
    for way in ("--subscription", "AZURE_SUBSCRIPTION_ID", "--emulator", "AZGUEST_EMULATOR"):
        assert way in err.hint


def test_resolve__subscription_must_be_guid():
    with pytest.raises(ConfigError):
        resolve_target(subscription="my-subscription", environ={})


def test_resolve__emulator_flag_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    t = resolve_target(emulator=True, environ={})
    assert t.emulator and not t.needs_login
    assert t.subscription_id == EMULATOR_SUBSCRIPTION_ID
    assert t.emulator_state == tmp_path / ".azguest" / "emulator.db"
    assert t.profile is None


def test_resolve__emulator_from_env_with_state_and_profile(tmp_path: Path):
    env = {
        "AZGUEST_EMULATOR": "1",
        "AZGUEST_EMULATOR_STATE": str(tmp_path / "w.db"),
        "AZGUEST_EMULATOR_PROFILE": "fast",
        "AZURE_SUBSCRIPTION_ID": SUB,
    }
    t = resolve_target(environ=env)
    assert t.emulator and t.emulator_state == tmp_path / "w.db" and t.profile == "fast"
    assert t.subscription_id == SUB


def test_resolve__explicit_false_beats_env():
    t = resolve_target(emulator=False, subscription=SUB, environ={"AZGUEST_EMULATOR": "1"})
    assert not t.emulator


def test_resolve__emulator_and_endpoint_conflict():
    with pytest.raises(ConfigError):
        resolve_target(emulator=True, endpoint="http://127.0.0.1:9000", environ={})


def test_resolve__loopback_endpoint_needs_no_subscription_or_login():
    t = resolve_target(endpoint="http://127.0.0.1:8123/", environ={})
    assert t.endpoint == "http://127.0.0.1:8123"
    assert t.is_loopback and t.is_plain_http and not t.needs_login
    assert t.subscription_id == EMULATOR_SUBSCRIPTION_ID


def test_resolve__endpoint_from_env():
    t = resolve_target(environ={"AZGUEST_ARM_ENDPOINT": "http://localhost:9", "AZURE_SUBSCRIPTION_ID": SUB})
    assert t.endpoint == "http://localhost:9" and t.is_loopback and t.subscription_id == SUB


def test_resolve__remote_https_endpoint_needs_login_and_subscription():
    t = resolve_target(endpoint="https://management.local.azurestack.external", subscription=SUB, environ={})
    assert not t.is_loopback and t.needs_login
    with pytest.raises(ConfigError):
        resolve_target(endpoint="https://management.local.azurestack.external", environ={})


@pytest.mark.parametrize("bad", ["management.azure.com", "ftp://127.0.0.1", "http://", "http://10.0.0.5:80"])
def test_resolve__bad_endpoint(bad: str):
    with pytest.raises(ConfigError):
        resolve_target(endpoint=bad, subscription=SUB, environ={})
