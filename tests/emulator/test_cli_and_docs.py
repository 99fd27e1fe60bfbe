"""Process-level checks: --help imports no Azure SDK, `azguest emulator serve`, docs/emulator.md in
sync, and the embedded `--emulator` mode (state persisted across sessions)."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
from pathlib import Path

import pytest

from azguest.azure import AzureSession, RetrySettings, resolve_target

REPO = Path(__file__).resolve().parents[2]
SERVE_START_TIMEOUT_SECONDS = 20


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZGUEST_", "AZURE_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_help__imports_no_azure_module():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "azguest", "--help"],
        capture_output=True, text=True, cwd=REPO, env=_env(), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Usage" in proc.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "azguest.cli.main" in imported
    assert [m for m in imported if m == "azure" or m.startswith("azure.")] == []


def _first_line(proc: subprocess.Popen, timeout: float) -> str:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        raise AssertionError(f"no stdout line within {timeout} s")
    return proc.stdout.readline().strip()


def _serve_exists() -> bool:
    proc = subprocess.run(
        [sys.executable, "-m", "azguest", "emulator", "serve", "--help"],
        capture_output=True, text=True, cwd=REPO, env=_env(), timeout=60,
    )  # fmt: skip
    return proc.returncode == 0


def test_emulator_serve__prints_url_and_serves_the_sdk(tmp_path: Path):
    if not _serve_exists():
        pytest.skip("`azguest emulator serve` is not registered yet (azguest/cli/emulator_cmds.py)")
    state = tmp_path / "served.db"
    cmd = [sys.executable, "-m", "azguest", "emulator", "serve", "--port", "0", "--state", str(state)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=_env())
    try:
        url = _first_line(proc, SERVE_START_TIMEOUT_SECONDS)
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0"), url
        with AzureSession(resolve_target(endpoint=url, environ={}), retry=RetrySettings(total=2)) as s:
            s.resource.resource_groups.create_or_update("rg-served", {"location": "eastus"})
            assert "rg-served" in {g.name for g in s.resource.resource_groups.list()}
            assert s.resource.resource_groups.get("rg-served").location == "eastus"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_docs__emulator_md_matches_coverage_renderer():
    coverage = pytest.importorskip("azguest.emulator.coverage", reason="coverage renderer not written yet")
    doc = REPO / "docs" / "emulator.md"
    assert doc.exists(), "docs/emulator.md missing: regenerate it from azguest.emulator.coverage.render_markdown()"
    assert doc.read_text(encoding="utf-8") == coverage.render_markdown()


def test_embedded_emulator__state_persists_across_sessions(tmp_path: Path):
    env = {"AZGUEST_EMULATOR": "1", "AZGUEST_EMULATOR_STATE": str(tmp_path / "emu.db"),
           "AZGUEST_EMULATOR_PROFILE": "fast"}  # fmt: skip
    target = resolve_target(environ=env)
    with AzureSession(target) as first:
        assert first.engine is not None
        first.resource.resource_groups.create_or_update("rg-persist", {"location": "eastus", "tags": {"k": "v"}})
    with AzureSession(resolve_target(environ=env)) as second:
        assert second.engine is not first.engine
        assert second.resource.resource_groups.get("rg-persist").tags == {"k": "v"}
        assert second.engine.stats()["total"] >= 2  # request counters were flushed on close


def test_embedded_emulator__runs_real_bearer_policy_without_login(tmp_path: Path):
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

    target = resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(tmp_path / "e.db")})
    with AzureSession(target) as s:
        assert isinstance(s.compute._config.authentication_policy, ARMChallengeAuthenticationPolicy)
        assert s.compute._config.polling_interval < 0.1
        assert list(s.compute.usage.list("eastus"))
