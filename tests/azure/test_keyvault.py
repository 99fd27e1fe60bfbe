"""fromKeyVault: the real azure-keyvault-secrets client against the emulator's Key Vault data plane,
in process (vault host routed by EmulatorTransport) and over loopback HTTP (path prefix)."""

from __future__ import annotations

import json

import pytest

from azguest.errors import AzureError

VALUE = "Kv-Only-Pa55word!"


def _vault_log(engine) -> list[tuple[str, int]]:
    return [(e.method, e.status) for e in engine.request_log if e.arm_type == "Microsoft.KeyVault/vaults/secrets"]


def test_secret__read_after_the_bearer_challenge(session, engine, uid):
    vault = f"kv-{uid}"  # a vault this process never asked: the SDK's challenge cache is empty for it
    engine.set_secret(vault, "lab-admin", VALUE)
    assert session.secret(vault, "lab-admin") == VALUE
    assert _vault_log(engine) == [("GET", 401), ("GET", 200)]  # no token first, then the token


def test_secret__latest_version_wins(session, engine, uid):
    vault = f"kv-{uid}"
    engine.set_secret(vault, "lab-admin", "Old-Pa55word!x")
    engine.set_secret(vault, "lab-admin", VALUE)
    assert session.secret(vault, "lab-admin") == VALUE


def test_secret__missing_is_a_typed_error_that_names_no_value(session, engine, uid):
    vault = f"kv-{uid}"
    engine.set_secret(vault, "other", VALUE)
    with pytest.raises(AzureError) as e:
        session.secret(vault, "lab-admin")
    assert e.value.code == "SecretNotFound" and e.value.status == 404
    assert VALUE not in json.dumps(e.value.to_dict())


def test_vault__without_a_token_answers_the_challenge_the_sdk_expects(engine):
    engine.set_secret("kv-raw", "s", VALUE)
    resp = engine.handle("GET", "https://kv-raw.vault.azure.net/secrets/s?api-version=7.5", {}, None)
    assert resp.status == 401 and VALUE.encode() not in resp.body
    challenge = resp.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer authorization="https://login.microsoftonline.com/')
    assert 'resource="https://vault.azure.net"' in challenge
    ok = engine.handle("GET", "https://kv-raw.vault.azure.net/secrets/s/?api-version=7.5",
                       {"Authorization": "Bearer x"}, None)
    assert ok.status == 200 and json.loads(ok.body)["value"] == VALUE


def test_vault__the_request_log_and_stats_never_hold_the_value(session, engine, uid):
    engine.set_secret(f"kv-{uid}", "lab-admin", VALUE)
    session.secret(f"kv-{uid}", "lab-admin")
    assert VALUE not in repr(engine.request_log) + json.dumps(engine.stats())


def test_vault__management_plane_is_not_emulated(engine):
    resp = engine.handle("GET", "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/"
                         "Microsoft.KeyVault/vaults/v/secrets/x?api-version=2023-07-01", {}, None)
    assert resp.status == 404 and json.loads(resp.body)["error"]["code"] == "InvalidResourceType"
